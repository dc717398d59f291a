export * from './prisma';
export * from './tenant-lookup';
export * from './api-keys';
export * from './bootstrap-key';
