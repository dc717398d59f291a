export * from './model/model-config';
export * from './model/model-files';
export * from './engine/engine.port';
export * from './engine/execution-providers';
export * from './engine/pixel-values';
export * from './engine/prompt-builder';
export * from './engine/onnx-engine';
export * from './tasks';
