export * from './http-errors';
export * from './zod-body';
export * from './error-filter';
export * from './tenant';
export * from './create-fastify-app';
