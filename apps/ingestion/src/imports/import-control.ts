import type { ImportStatus, TenantId } from '@dg/contracts';
import type { ImportRepository } from './import.repository';

/**
 * Pause and cancel arrive as a status change in the database (any replica may take the request);
 * a running import looks at most every `everyMs`, between items.
 */
export class ImportControl {
  private checkedAt = 0;
  private stopped?: 'paused' | 'cancelled';

  constructor(
    private readonly imports: ImportRepository,
    private readonly tenant: TenantId,
    private readonly importId: string,
    private readonly everyMs = 500,
  ) {}

  async stop(): Promise<'paused' | 'cancelled' | undefined> {
    if (this.stopped) return this.stopped;
    if (Date.now() - this.checkedAt < this.everyMs) return undefined;
    this.checkedAt = Date.now();
    const status: ImportStatus | undefined = await this.imports.status(this.tenant, this.importId);
    if (status === 'paused' || status === 'cancelled') this.stopped = status;
    // Deleted under us: stop as if cancelled.
    if (status === undefined) this.stopped = 'cancelled';
    return this.stopped;
  }
}
