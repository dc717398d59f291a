import type { QueueConfig } from '@dg/config';
import { createPostgresBackend, type BackendFactory, type IQueueBackend } from 'bullmq';

/**
 * Where BullMQ keeps its jobs. Redis is the production default; the PostgreSQL backend of BullMQ 6
 * lets a fresh machine start the platform with no Redis installed (see the README's quick start).
 */
export interface QueueConnection {
  connection: unknown;
  backend?: BackendFactory<IQueueBackend, unknown>;
  /** Redis key prefix; the PostgreSQL backend namespaces by schema instead. */
  prefix?: string;
  describe: string;
}

export function queueConnection(cfg: QueueConfig): QueueConnection {
  if (cfg.QUEUE_BACKEND === 'postgres') {
    if (!cfg.DATABASE_URL) throw new Error('QUEUE_BACKEND=postgres needs DATABASE_URL');
    return {
      connection: { connectionString: cfg.DATABASE_URL, schema: `bullmq_${cfg.QUEUE_PREFIX}`, migrate: true },
      backend: createPostgresBackend as unknown as BackendFactory<IQueueBackend, unknown>,
      describe: `postgres (schema bullmq_${cfg.QUEUE_PREFIX})`,
    };
  }
  if (!cfg.REDIS_URL) throw new Error('QUEUE_BACKEND=redis needs REDIS_URL');
  return { connection: redisOptions(cfg.REDIS_URL), prefix: cfg.QUEUE_PREFIX, describe: 'redis' };
}

/** ioredis options from a redis:// URL. BullMQ creates and owns the connections it needs from them. */
export function redisOptions(url: string) {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : 6379,
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0,
    tls: u.protocol === 'rediss:' ? {} : undefined,
    // BullMQ's workers block on Redis; a per-request retry limit would turn a Redis restart into errors.
    maxRetriesPerRequest: null,
  };
}
