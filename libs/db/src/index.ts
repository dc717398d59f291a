export * from './prisma';
export * from './organizations';
export * from './api-keys';
export * from './bootstrap-key';
export * from './audit-writer';
