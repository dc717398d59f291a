import { setTimeout as sleep } from 'node:timers/promises';
import { FINAL_IMPORT_STATUSES, type ImportView } from '@dg/contracts';
import { EXIT, line, type CliIo, type Output } from './cli-io';
import { statusText } from './format';
import type { IngestionClient } from './http-client';
import type { Progress } from './progress';

export const pollInterval = (env: Record<string, string | undefined>) => {
  const ms = Number(env['DG_POLL_INTERVAL_MS']);
  return Number.isFinite(ms) && ms > 0 ? ms : 1000;
};

export type WatchEnd = { view: ImportView; interrupted: false } | { view?: ImportView; interrupted: true };

/** Polls the import, drawing progress, until it is over or paused, or Ctrl-C. */
export async function watchImport(
  client: IngestionClient,
  id: string,
  io: CliIo,
  progress: Progress,
  first?: ImportView,
): Promise<WatchEnd> {
  const signal = io.interrupt;
  let view = first;
  try {
    for (;;) {
      if (signal?.aborted) return { view, interrupted: true };
      if (!view) view = await client.get(id, signal);
      progress.update(view);
      if (FINAL_IMPORT_STATUSES.includes(view.status) || view.status === 'paused') return { view, interrupted: false };
      await sleep(pollInterval(io.env), undefined, { signal });
      view = undefined;
    }
  } catch (error) {
    if ((error as Error).name === 'AbortError') return { view, interrupted: true };
    throw error;
  } finally {
    progress.end();
  }
}

/** What Ctrl-C while waiting says: the import goes on, and how to look at it again. */
export function stoppedWatching(out: Output, id: string): number {
  line(out, `Stopped watching. Import ${id} goes on on the server.`);
  line(out, `Watch it again with: dg status ${id} --watch   (or run the same dg import command again)`);
  return EXIT.interrupted;
}

/** The end of a watched import: its summary (or its JSON), and the exit code its state gives. */
export function finish(io: CliIo, view: ImportView, json: boolean): number {
  if (json) line(io.stdout, JSON.stringify(view, null, 2));
  else {
    line(io.stdout, statusText(view));
    if (!view.dryRun && view.status !== 'paused') {
      line(io.stdout, `Per-item report: dg report ${view.id} --format csv --out import-${view.id}.csv`);
    }
  }
  const hint = json ? io.stderr : io.stdout;
  switch (view.status) {
    case 'completed':
    case 'scanned':
      return EXIT.ok;
    case 'paused':
      line(hint, `Import ${view.id} is paused. Resume it with: dg resume ${view.id}`);
      return EXIT.paused;
    default:
      if (view.status === 'failed') line(hint, `Import ${view.id} failed. Try again with: dg resume ${view.id}`);
      return EXIT.failed;
  }
}
