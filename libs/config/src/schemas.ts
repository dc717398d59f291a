import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);
const url = (protocols: string[]) =>
  z.string().refine(
    (s) => {
      try {
        return protocols.includes(new URL(s).protocol);
      } catch {
        return false;
      }
    },
    `must be a URL with protocol ${protocols.join(' or ')}`,
  );
const bool = z.enum(['true', 'false', '1', '0']).transform((s) => s === 'true' || s === '1');

/** Settings every service shares. */
export const BaseEnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HOST: z.string().default('127.0.0.1'),
});

export const DatabaseEnvSchema = z.object({
  DATABASE_URL: url(['postgres:', 'postgresql:']),
});

/**
 * The queue runs on Redis (production default) or, for a zero-install local start, on BullMQ's
 * PostgreSQL backend over the same database.
 */
export const QueueEnvSchema = z.object({
  QUEUE_BACKEND: z.enum(['redis', 'postgres']).default('redis'),
  REDIS_URL: url(['redis:', 'rediss:']).optional(),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9_-]+$/)
    .default('dg'),
});

export const StorageEnvSchema = z.object({
  STORAGE_DRIVER: z.enum(['s3', 'fs']).default('fs'),
  STORAGE_FS_ROOT: z.string().default('.data/objects'),
  S3_ENDPOINT: url(['http:', 'https:']).optional(),
  S3_REGION: z.string().default('us-east-1'),
  S3_BUCKET: z.string().default('dentalgemma'),
  S3_ACCESS_KEY_ID: z.string().optional(),
  S3_SECRET_ACCESS_KEY: z.string().optional(),
  S3_FORCE_PATH_STYLE: bool.default(false),
});

function requireQueueAndStorage<T extends z.infer<typeof QueueEnvSchema> & z.infer<typeof StorageEnvSchema>>(
  cfg: T,
  ctx: z.RefinementCtx,
) {
  if (cfg.QUEUE_BACKEND === 'redis' && !cfg.REDIS_URL)
    ctx.addIssue({ code: 'custom', path: ['REDIS_URL'], message: 'required when QUEUE_BACKEND=redis' });
  if (cfg.STORAGE_DRIVER === 's3' && !cfg.S3_BUCKET)
    ctx.addIssue({ code: 'custom', path: ['S3_BUCKET'], message: 'required when STORAGE_DRIVER=s3' });
}

const GiB = 1024 * 1024 * 1024;

/** Archive imports (ingestion): limits on what an archive may hold, and how imports run. */
export const ImportEnvSchema = z.object({
  /** Largest archive accepted through `POST /v1/imports` (it is streamed to storage, never held). */
  IMPORT_MAX_ARCHIVE_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(100 * GiB),
  /** Largest single entry once inflated; bigger entries are refused (entry-too-large). */
  IMPORT_MAX_ENTRY_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(512 * 1024 * 1024),
  /** Inflated/compressed size above which a zip entry is a bomb (compression-ratio). */
  IMPORT_MAX_COMPRESSION_RATIO: z.coerce.number().positive().default(200),
  IMPORT_MAX_ENTRIES: z.coerce.number().int().positive().default(500_000),
  /** All entries together, inflated. */
  IMPORT_MAX_TOTAL_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(1024 * GiB),
  /** Items ingested at once per import (each decode still waits for NORMALIZE_CONCURRENCY). */
  IMPORT_CONCURRENCY: z.coerce.number().int().positive().default(4),
  /** Imports run at once per ingestion process. */
  IMPORT_JOBS_CONCURRENCY: z.coerce.number().int().positive().default(1),
  /**
   * Buckets an `s3://` import source may name (comma-separated). The platform's own bucket is
   * never one: other tenants' objects live there.
   */
  IMPORT_S3_BUCKETS: z
    .string()
    .default('')
    .transform((s) =>
      s
        .split(',')
        .map((b) => b.trim())
        .filter(Boolean),
    ),
  /** How soon an import whose process died is taken over by another (BullMQ lock duration). */
  IMPORT_LOCK_MS: z.coerce.number().int().positive().default(30_000),
});

const TRUSTED_PROXY =
  /^(loopback|linklocal|uniquelocal|\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?|[\da-fA-F]*:[\da-fA-F:.]*(\/\d{1,3})?)$/;

/** The two APIs, which sit behind an ingress controller in a cluster. */
const HttpApiEnvShape = {
  /**
   * Comma-separated addresses or CIDRs of the proxies in front of the service (an ingress
   * controller), or proxy-addr's `loopback`, `linklocal`, `uniquelocal`. A request from one of them
   * is taken to come from the address it names in X-Forwarded-For, so the audit log and per-address
   * rate limits see the client, not the controller. Empty (the default): the peer is the client, and
   * the header is ignored. A hop count is not offered: Fastify refuses it, since it cannot tell a
   * proxy from a client that sends the header itself.
   */
  TRUSTED_PROXIES: z
    .string()
    .default('')
    .transform((s) =>
      s
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(TRUSTED_PROXY, 'an IP address, a CIDR, loopback, linklocal or uniquelocal'))),
  /**
   * How long an Idempotency-Key is remembered: its answer replayed, or (after a crash mid-request)
   * the key held. Older records are deleted hourly. A retry later than this runs anew.
   */
  // At least an hour: a record younger than its request (a long upload) must never be pruned.
  IDEMPOTENCY_RETENTION_HOURS: z.coerce.number().min(1).default(24),
};

export const CaseApiEnvSchema = BaseEnvSchema.extend({
  PORT: port.default(3000),
  ...HttpApiEnvShape,
  ...DatabaseEnvSchema.shape,
  ...QueueEnvSchema.shape,
  ...StorageEnvSchema.shape,
  /** Enables the operators' queue dashboard at /admin/queues (HTTP Basic, this as the password). */
  QUEUE_DASHBOARD_TOKEN: z.string().min(16, 'at least 16 characters').optional(),
  /** How often unfinished assessments are checked for a lost job (0: never). */
  JOB_RECONCILE_INTERVAL_MS: z.coerce.number().int().min(0).default(60_000),
  /** An assessment queued or running this long without its job anywhere in the queues is re-sent. */
  JOB_RECONCILE_AFTER_MS: z.coerce.number().int().positive().default(600_000),
  /** Dispatched outbox rows of finished assessments are deleted after this long. */
  OUTBOX_RETENTION_HOURS: z.coerce.number().positive().default(168),
}).superRefine(requireQueueAndStorage);
export type CaseApiConfig = z.infer<typeof CaseApiEnvSchema>;

export const IngestionEnvSchema = BaseEnvSchema.extend({
  PORT: port.default(3001),
  ...HttpApiEnvShape,
  ...DatabaseEnvSchema.shape,
  ...QueueEnvSchema.shape,
  ...StorageEnvSchema.shape,
  MAX_UPLOAD_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(64 * 1024 * 1024),
  MAX_IMAGE_PIXELS: z.coerce.number().int().positive().default(100_000_000),
  /** Longest side accepted, checked from the header before decoding. */
  MAX_IMAGE_DIMENSION: z.coerce.number().int().positive().default(30_000),
  /** DICOM is parsed in memory (no streaming DICOM parser): the largest DICOM file accepted. */
  MAX_DICOM_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(256 * 1024 * 1024),
  /** Formats detected from content that are accepted (comma-separated). */
  ALLOWED_FORMATS: z
    .string()
    .default('jpeg,png,tiff,webp,dicom')
    .transform((s) =>
      s
        .split(',')
        .map((f) => f.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(['jpeg', 'png', 'tiff', 'webp', 'dicom'])).min(1)),
  /** A multipart upload must arrive whole within this time (slow-loris and stalled clients). */
  UPLOAD_TIMEOUT_MS: z.coerce.number().int().positive().default(120_000),
  /** Where uploads are spooled while hashed and decoded; emptied per request. */
  UPLOAD_TMP_DIR: z.string().optional(),
  /**
   * Uploads held in memory at once (all requests together) instead of a temp file: small files skip
   * the disk round trip. Past it, or past UPLOAD_MEMORY_FILE_BYTES for one file, they spill to disk.
   * 0 sends everything to disk.
   */
  UPLOAD_MEMORY_BYTES: z.coerce
    .number()
    .int()
    .nonnegative()
    .default(32 * 1024 * 1024),
  UPLOAD_MEMORY_FILE_BYTES: z.coerce
    .number()
    .int()
    .nonnegative()
    .default(4 * 1024 * 1024),
  /** Keep the original as received under originals/<tenant>/; false keeps only derivatives. */
  KEEP_ORIGINALS: bool.default(true),
  /** Decodes at once per process: bounds memory whatever the number of concurrent uploads. */
  NORMALIZE_CONCURRENCY: z.coerce.number().int().positive().default(2),
  /** Presigned direct uploads: the URL's lifetime and the largest object accepted on completion. */
  PRESIGNED_UPLOAD_TTL_SECONDS: z.coerce.number().int().positive().default(900),
  MAX_PRESIGNED_UPLOAD_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(2 * 1024 * 1024 * 1024),
  /** Orphan sweeper: how often (0 = never) and how old an unowned object must be to go. */
  SWEEP_INTERVAL_MS: z.coerce
    .number()
    .int()
    .min(0)
    .default(10 * 60_000),
  SWEEP_GRACE_MS: z.coerce
    .number()
    .int()
    .min(0)
    .default(60 * 60_000),
  ...ImportEnvSchema.shape,
}).superRefine(requireQueueAndStorage);
export type IngestionConfig = z.infer<typeof IngestionEnvSchema>;

export const WorkerEnvSchema = BaseEnvSchema.extend({
  PORT: port.default(3002),
  ...QueueEnvSchema.shape,
  ...StorageEnvSchema.shape,
  /** Needed only for the PostgreSQL queue backend; the worker owns no tables. */
  DATABASE_URL: url(['postgres:', 'postgresql:']).optional(),
  /** A local model folder, or s3://bucket/prefix downloaded once into MODEL_CACHE_DIR. */
  MODEL_DIR: z.string().min(1),
  MODEL_CACHE_DIR: z.string().default('/tmp/dentalgemma-models'),
  /** The generated tiny model is refused in production unless this says it is meant (smoke tests). */
  MODEL_ALLOW_TINY: bool.default(false),
  MODEL_ID: z.string().min(1).default('dentalgemma-1.5-4b-it'),
  MODEL_VARIANT: z
    .string()
    .regex(/^(|_[a-z0-9]+)$/, "'' (fp32) or a suffix such as _fp16, _q4")
    .default(''),
  /** Tried in order, each failure logged: onnxruntime-node never falls back by itself. */
  EXECUTION_PROVIDERS: z
    .string()
    .default('cpu')
    .transform((s) =>
      s
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(['cpu', 'cuda', 'webgpu'])).min(1)),
  INTRA_OP_THREADS: z.coerce.number().int().min(0).default(0),
  GRAPH_OPTIMIZATION_LEVEL: z.enum(['disabled', 'basic', 'extended', 'all']).default('all'),
  ENABLE_CPU_MEM_ARENA: bool.default(true),
  DEVICE_KV_CACHE: bool.default(true),
  BATCH_MAX_SIZE: z.coerce.number().int().min(1).max(256).default(8),
  BATCH_MAX_WAIT_MS: z.coerce.number().int().min(0).default(15),
  MAX_NEW_TOKENS_IMAGE: z.coerce.number().int().positive().default(300),
  MAX_NEW_TOKENS_TEXT: z.coerce.number().int().positive().default(512),
  /** Jobs taken at once per lane; defaults to the batch size so a full batch can form. */
  WORKER_CONCURRENCY: z.coerce.number().int().positive().optional(),
  /** A generation running longer is failed and retried (transient). */
  JOB_TIMEOUT_MS: z.coerce.number().int().positive().default(600_000),
  /** On SIGTERM, in-flight jobs get this long to finish before they are released to other workers. */
  DRAIN_TIMEOUT_MS: z.coerce.number().int().positive().default(25_000),
  LOCK_DURATION_MS: z.coerce.number().int().positive().default(30_000),
  STALLED_INTERVAL_MS: z.coerce.number().int().positive().default(15_000),
}).superRefine((cfg, ctx) => {
  requireQueueAndStorage(cfg, ctx);
  if (cfg.QUEUE_BACKEND === 'postgres' && !cfg.DATABASE_URL)
    ctx.addIssue({ code: 'custom', path: ['DATABASE_URL'], message: 'required when QUEUE_BACKEND=postgres' });
});
export type WorkerConfig = z.infer<typeof WorkerEnvSchema>;

export type QueueConfig = z.infer<typeof QueueEnvSchema> & { DATABASE_URL?: string };
export type StorageConfig = z.infer<typeof StorageEnvSchema>;
