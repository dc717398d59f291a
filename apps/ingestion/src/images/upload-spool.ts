import { Inject, Injectable } from '@nestjs/common';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { IngestionConfig } from '@dg/config';
import { CONFIG } from '../infrastructure/tokens';
import { MemoryBudget, spool, type SpooledFile } from './spooled-file';

/**
 * Where every received file waits while it is hashed, checked and decoded: one memory budget for
 * the process (UPLOAD_MEMORY_BYTES, files up to UPLOAD_MEMORY_FILE_BYTES) and the temp folder for
 * the rest. Uploads, completed direct uploads and archive entries all come through here.
 */
@Injectable()
export class UploadSpool {
  private readonly memory: MemoryBudget;
  private readonly dir: string;

  constructor(@Inject(CONFIG) private readonly config: IngestionConfig) {
    this.memory = new MemoryBudget(config.UPLOAD_MEMORY_BYTES);
    this.dir = config.UPLOAD_TMP_DIR ?? join(tmpdir(), 'dg-ingestion');
  }

  /**
   * `folder`: a sub-folder of the temp folder for this kind of file (archive entries);
   * `expectedBytes`: the size the source declares, when it does (a larger file skips memory).
   */
  spool(
    source: Readable,
    maxBytes: number,
    opts: { folder?: string; expectedBytes?: number } = {},
  ): Promise<SpooledFile> {
    return spool(source, {
      dir: opts.folder ? join(this.dir, opts.folder) : this.dir,
      maxBytes,
      memory: this.memory,
      memoryPerFile: this.config.UPLOAD_MEMORY_FILE_BYTES,
      expectedBytes: opts.expectedBytes,
    });
  }
}
