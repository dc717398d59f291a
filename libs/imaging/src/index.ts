export * from './detect-format';
export * from './modality';
export * from './letterbox';
export * from './image-codec';
export * from './sharp-image-codec';
