import { GLOBAL_HELP, connection, UsageError } from '../args';
import type { ImportView } from '@dg/contracts';
import { EXIT, line, type CliIo, type Output } from '../cli-io';
import { defineCommand } from '../command';
import { HttpError, IngestionClient, type Created } from '../http-client';
import { idempotencyKey, readManifest, resolveSource, type ImportSource } from '../import-source';
import { progressRenderer } from '../progress';
import { StateFile } from '../state-file';
import { finish, stoppedWatching, watchImport } from '../watch';
import { importOptions } from './import-options';
import { sendImport } from './send-import';

const OPTIONS = {
  clinic: { type: 'string' },
  case: { type: 'string' },
  manifest: { type: 'string' },
  modality: { type: 'string' },
  tasks: { type: 'string' },
  'dry-run': { type: 'boolean' },
  'no-wait': { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

const HELP = `Usage: dg import <archive | folder | s3://bucket/key | s3://bucket/prefix/> [options]

Imports an archive of images (.zip, .tar, .tar.gz, .tgz), a folder (sent as a tar, packed on the
way; symbolic links are skipped), or an archive or prefix in S3. Waits and shows progress, then a
summary. Running the same command again picks up the same import (resuming it if it is paused or
failed); nothing is uploaded twice.

Options:
  --clinic NAME      clinic every case is filed under (a manifest's clinic column wins)
  --case ID          case for files that neither the manifest nor a DICOM header place
  --manifest FILE    CSV or JSON: file, patient_external_id[, clinic, acquisition_date]
                     (an s3:// URI with an s3:// source)
  --modality M       panoramic, intraoral-photo, periapical, bitewing or other
  --tasks a,b        tasks to run on each new image (default: the modality's)
  --dry-run          scan only: counts, sizes, duplicates and the estimated GPU time
  --no-wait          print the import id (or JSON) and exit
  --json             print the import as JSON (progress goes to stderr)

${GLOBAL_HELP}

Exit: 0 completed or scanned, 1 failed, cancelled or refused, 2 usage, 3 paused, 130 Ctrl-C.`;

export const importCommand = defineCommand(
  {
    name: 'import',
    summary: 'import an archive, a folder or an S3 source, and follow it',
    help: HELP,
    options: OPTIONS,
  },
  async ({ values, positionals }, io) => {
    if (positionals.length !== 1) throw new UsageError('import takes one source: an archive, a folder or an s3:// URI');
    const { options, fields } = importOptions(values);
    const conn = connection(values, io.env);
    const source = await resolveSource(positionals[0]!, io.cwd);
    const manifest = values.manifest ? await readManifest(values.manifest, io.cwd, source) : undefined;
    const key = idempotencyKey(source, options, manifest);
    const json = Boolean(values.json);
    const noWait = Boolean(values['no-wait']);
    // stdout carries only the answer (JSON, or the id with --no-wait); the rest goes to stderr then.
    const talk = json || noWait ? io.stderr : io.stdout;
    const progress = progressRenderer(talk, { tty: Boolean(talk.isTTY) });
    reportSkipped(source, io);

    const state = StateFile.locate(io.env);
    const client = new IngestionClient(conn);
    try {
      let view = await reattach(client, state, key, io.interrupt);
      if (view) line(talk, `Re-attached to import ${view.id} (${view.status}): nothing uploaded again.`);
      else {
        let created: Created;
        try {
          created = await sendImport(
            client,
            { source, options, fields, manifest, key, signal: io.interrupt },
            progress,
          );
        } catch (error) {
          if ((error as Error).name !== 'AbortError') throw error;
          line(io.stderr, 'Interrupted before the server answered. Run the same command again to finish or find it.');
          return EXIT.interrupted;
        }
        view = created.view;
        await state.put(key, { id: view.id, url: conn.url, source: describe(source), createdAt: view.createdAt });
        line(
          talk,
          created.replayed
            ? `The server already had this import: re-attached to ${view.id} (${view.status}).`
            : `Import ${view.id} ${view.status}${options.dryRun ? ' (dry run)' : ''}.`,
        );
      }
      view = await resumeIfStopped(client, view, talk);
      if (noWait) {
        line(io.stdout, json ? JSON.stringify(view, null, 2) : view.id);
        return EXIT.ok;
      }
      const end = await watchImport(client, view.id, io, progress, view);
      if (end.interrupted) return stoppedWatching(io.stderr, view.id);
      return finish(io, end.view, json);
    } finally {
      client.close();
    }
  },
);

/** The import this key already started on this service, if the state file knows it and the server still has it. */
async function reattach(
  client: IngestionClient,
  state: StateFile,
  key: string,
  signal?: AbortSignal,
): Promise<ImportView | undefined> {
  const record = await state.get(key);
  if (!record) return undefined;
  try {
    return await client.get(record.id, signal);
  } catch (error) {
    // Another service or tenant, or deleted: start it here (the Idempotency-Key still guards).
    if (error instanceof HttpError && error.status === 404) return undefined;
    throw error;
  }
}

/** A re-attached import that stopped (paused, or failed and worth another try) is set going again. */
async function resumeIfStopped(client: IngestionClient, view: ImportView, talk: Output): Promise<ImportView> {
  if (view.status !== 'paused' && view.status !== 'failed') return view;
  const resumed = await client.control(view.id, 'resume');
  line(talk, `Resumed import ${view.id} (it was ${view.status}).`);
  return resumed;
}

function reportSkipped(source: ImportSource, io: CliIo): void {
  if (source.kind !== 'folder' || !source.listing.skipped.length) return;
  const skipped = source.listing.skipped;
  const what = skipped.length === 1 ? 'entry that is not a regular file' : 'entries that are not regular files';
  line(io.stderr, `Skipped ${skipped.length} ${what}:`);
  for (const s of skipped.slice(0, 20)) line(io.stderr, `  ${s.rel} (${s.kind}, not followed)`);
  if (skipped.length > 20) line(io.stderr, `  … and ${skipped.length - 20} more`);
}

const describe = (source: ImportSource) => (source.kind === 's3' ? source.uri : source.path);
