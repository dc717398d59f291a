export const CONFIG = Symbol('CONFIG');
export const QUEUE_CONNECTION = Symbol('QUEUE_CONNECTION');
export const OBJECT_STORE = Symbol('OBJECT_STORE');
export const IMAGE_CODEC = Symbol('IMAGE_CODEC');
export const RESULTS_PRODUCER = Symbol('RESULTS_PRODUCER');
export const ENGINE_FACTORY = Symbol('ENGINE_FACTORY');
