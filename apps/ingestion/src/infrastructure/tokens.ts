export const CONFIG = Symbol('CONFIG');
export const PRISMA = Symbol('PRISMA');
export const OBJECT_STORE = Symbol('OBJECT_STORE');
export const IMAGE_CODEC = Symbol('IMAGE_CODEC');
