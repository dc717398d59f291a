export * from './object-store';
export * from './fs-object-store';
export * from './s3-object-store';
export * from './create-object-store';
