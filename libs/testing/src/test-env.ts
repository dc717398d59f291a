/**
 * The addresses of the real servers the integration suite's global setup started. They reach each
 * test file through the environment (Jest forks its workers after the global setup).
 */
export interface TestEnv {
  DATABASE_URL: string;
  REDIS_URL: string;
  S3_ENDPOINT: string;
  S3_BUCKET: string;
  S3_ACCESS_KEY_ID: string;
  S3_SECRET_ACCESS_KEY: string;
  TINY_MODEL_DIR: string;
}

export function testEnv(): TestEnv {
  const env = process.env;
  const read = (name: keyof TestEnv) => {
    const value = env[`DG_TEST_${name}`];
    if (!value) throw new Error(`DG_TEST_${name} is not set: run this spec through the integration project (npm test)`);
    return value;
  };
  return {
    DATABASE_URL: read('DATABASE_URL'),
    REDIS_URL: read('REDIS_URL'),
    S3_ENDPOINT: read('S3_ENDPOINT'),
    S3_BUCKET: read('S3_BUCKET'),
    S3_ACCESS_KEY_ID: read('S3_ACCESS_KEY_ID'),
    S3_SECRET_ACCESS_KEY: read('S3_SECRET_ACCESS_KEY'),
    TINY_MODEL_DIR: read('TINY_MODEL_DIR'),
  };
}

/** A fresh namespace per spec file, so specs share servers but never each other's queues or tenants. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
