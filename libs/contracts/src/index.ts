export * from './ids';
export * from './tasks';
export * from './cases';
export * from './images';
export * from './assessments';
export * from './jobs';
export * from './errors';
export * from './task-selection';
