export * from './http-errors';
export * from './zod-body';
export * from './error-filter';
export * from './create-fastify-app';
export * from './api-key-auth';
export * from './problem-details';
export * from './pagination';
export * from './database-unavailable';
