export * from './connection';
export * from './errors';
export * from './producer';
export * from './consumer';
export * from './dead-letter';
export * from './backlog';
export * from './scale.controller';
export * from './lanes';
