import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** What `dg import` remembers of an import it started, under its Idempotency-Key. */
export interface ImportRecord {
  id: string;
  /** The service the import lives on. */
  url: string;
  source: string;
  createdAt: string;
}

interface StateShape {
  version: 1;
  imports: Record<string, ImportRecord>;
}

/** Older entries are dropped past this many: the file stays small. */
const MAX_RECORDS = 1000;

/**
 * `{Idempotency-Key -> import}` in `$DG_STATE_DIR/imports.json` (default `~/.dentalgemma`), so
 * running the same import again finds it without uploading. Written whole to a temporary file and
 * renamed, so a crash never leaves half a file; readable by its owner only (paths can name patients).
 */
export class StateFile {
  constructor(readonly path: string) {}

  static locate(env: Record<string, string | undefined>): StateFile {
    const dir = env['DG_STATE_DIR'] || join(env['HOME'] || homedir(), '.dentalgemma');
    return new StateFile(join(dir, 'imports.json'));
  }

  async get(key: string): Promise<ImportRecord | undefined> {
    return (await this.load()).imports[key];
  }

  async put(key: string, record: ImportRecord): Promise<void> {
    const state = await this.load();
    delete state.imports[key];
    state.imports[key] = record;
    const keys = Object.keys(state.imports);
    for (const old of keys.slice(0, Math.max(0, keys.length - MAX_RECORDS))) delete state.imports[old];
    await this.save(state);
  }

  async forget(key: string): Promise<void> {
    const state = await this.load();
    if (!(key in state.imports)) return;
    delete state.imports[key];
    await this.save(state);
  }

  private async load(): Promise<StateShape> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, imports: {} };
      throw error;
    }
    try {
      const parsed = JSON.parse(text) as Partial<StateShape>;
      if (parsed && typeof parsed.imports === 'object' && parsed.imports)
        return { version: 1, imports: parsed.imports };
    } catch {
      // Unreadable: start afresh. The server's Idempotency-Key still stops a second import.
    }
    return { version: 1, imports: {} };
  }

  private async save(state: StateShape): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const tmp = `${this.path}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
    await rename(tmp, this.path);
  }
}
