export * from './task-definition';
export * from './catalogue';
