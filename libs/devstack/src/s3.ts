import { mkdir } from 'node:fs/promises';
import { freePort } from './free-port';

export interface RunningS3 {
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  stop(): Promise<void>;
}

/**
 * s3rver: a real S3-protocol server written in Node, so the S3 adapter is tested over HTTP with the
 * AWS SDK exactly as against AWS or MinIO (ENVIRONMENT.md: no MinIO is installable here).
 */
export async function startS3(opts: { dataDir: string; bucket: string; port?: number }): Promise<RunningS3> {
  // s3rver has no type declarations; its API is small and stable.
  const S3rver = require('s3rver');
  await mkdir(opts.dataDir, { recursive: true });
  const port = opts.port ?? (await freePort());
  const server = new S3rver({
    address: '127.0.0.1',
    port,
    silent: true,
    directory: opts.dataDir,
    configureBuckets: [{ name: opts.bucket }],
  });
  await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket: opts.bucket,
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    stop: () => server.close(),
  };
}

/** The storage settings that point a service at `s3` (the names @dg/config reads). */
export function s3Env(s3: RunningS3): Record<string, string> {
  return {
    STORAGE_DRIVER: 's3',
    S3_ENDPOINT: s3.endpoint,
    S3_BUCKET: s3.bucket,
    S3_ACCESS_KEY_ID: s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    S3_FORCE_PATH_STYLE: 'true',
  };
}
