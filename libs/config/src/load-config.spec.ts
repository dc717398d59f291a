import { CaseApiEnvSchema, WorkerEnvSchema } from './schemas';
import { ConfigError, loadConfig } from './load-config';

describe('loadConfig', () => {
  it('applies defaults and coerces numbers', () => {
    const cfg = loadConfig(CaseApiEnvSchema, {
      DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db',
      REDIS_URL: 'redis://127.0.0.1:6379',
      PORT: '4000',
    });
    expect(cfg.PORT).toBe(4000);
    expect(cfg.STORAGE_DRIVER).toBe('fs');
    expect(cfg.QUEUE_BACKEND).toBe('redis');
  });

  it('names the missing variable', () => {
    expect(() => loadConfig(CaseApiEnvSchema, { REDIS_URL: 'redis://x:1' })).toThrow(/DATABASE_URL: .*not set/);
  });

  it('names a variable required by another setting', () => {
    expect(() => loadConfig(CaseApiEnvSchema, { DATABASE_URL: 'postgres://a@b/c', QUEUE_BACKEND: 'redis' })).toThrow(
      /REDIS_URL: required when QUEUE_BACKEND=redis/,
    );
  });

  it('rejects a bad value and shows it, but hides secrets', () => {
    let error: unknown;
    try {
      loadConfig(WorkerEnvSchema, {
        MODEL_DIR: '/m',
        REDIS_URL: 'redis://x:1',
        EXECUTION_PROVIDERS: 'cpu,tpu',
        S3_SECRET_ACCESS_KEY: '',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(String(error)).toMatch(/EXECUTION_PROVIDERS/);
  });

  it('reads the trusted proxies as a list, and refuses what is not an address, a CIDR or a keyword', () => {
    const env = { DATABASE_URL: 'postgres://a@b/c', REDIS_URL: 'redis://x:1' };
    expect(loadConfig(CaseApiEnvSchema, env).TRUSTED_PROXIES).toEqual([]);
    expect(
      loadConfig(CaseApiEnvSchema, { ...env, TRUSTED_PROXIES: 'uniquelocal, 10.0.0.0/8,fd00::/8' }).TRUSTED_PROXIES,
    ).toEqual(['uniquelocal', '10.0.0.0/8', 'fd00::/8']);
    expect(() => loadConfig(CaseApiEnvSchema, { ...env, TRUSTED_PROXIES: '1' })).toThrow(/TRUSTED_PROXIES/); // a hop count
    expect(() => loadConfig(CaseApiEnvSchema, { ...env, TRUSTED_PROXIES: 'ingress-nginx' })).toThrow(/TRUSTED_PROXIES/);
  });

  it('parses the execution-provider chain in order', () => {
    const cfg = loadConfig(WorkerEnvSchema, {
      MODEL_DIR: '/m',
      REDIS_URL: 'redis://x:1',
      EXECUTION_PROVIDERS: 'cuda, cpu',
    });
    expect(cfg.EXECUTION_PROVIDERS).toEqual(['cuda', 'cpu']);
  });
});
