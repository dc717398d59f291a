export * from './prisma';
export * from './tenant-lookup';
