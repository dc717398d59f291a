export * from './readiness';
export * from './metrics';
export * from './logger';
export * from './observability.module';
