import type { StorageConfig } from '@dg/config';
import { FsObjectStore } from './fs-object-store';
import type { ObjectStore } from './object-store';
import { S3ObjectStore } from './s3-object-store';

export function createObjectStore(cfg: StorageConfig): ObjectStore {
  if (cfg.STORAGE_DRIVER === 'fs') return new FsObjectStore(cfg.STORAGE_FS_ROOT);
  return new S3ObjectStore({
    bucket: cfg.S3_BUCKET,
    region: cfg.S3_REGION,
    endpoint: cfg.S3_ENDPOINT,
    accessKeyId: cfg.S3_ACCESS_KEY_ID,
    secretAccessKey: cfg.S3_SECRET_ACCESS_KEY,
    forcePathStyle: cfg.S3_FORCE_PATH_STYLE,
  });
}
