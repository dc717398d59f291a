import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GLOBAL_HELP, connection, importIdArgument, UsageError } from '../args';
import { EXIT, line, type Output } from '../cli-io';
import { defineCommand } from '../command';
import { formatBytes } from '../format';
import { IngestionClient } from '../http-client';

const OPTIONS = { format: { type: 'string' }, out: { type: 'string' } } as const;

const HELP = `Usage: dg report <import id> [--format csv|json] [--out FILE]

Streams the per-item report (file, state, image id, duplicate-of, case, assessment ids, code, error)
to stdout, or to FILE.

Options:
  --format csv|json   default: from FILE's extension, else json
  --out FILE          write to FILE (replaced only once the whole report has arrived)

${GLOBAL_HELP}`;

export const reportCommand = defineCommand(
  { name: 'report', summary: 'stream the per-item report as CSV or JSON', help: HELP, options: OPTIONS },
  async ({ values, positionals }, io) => {
    const id = importIdArgument(positionals, 'report');
    const format = values.format ?? (values.out && /\.csv$/i.test(values.out) ? 'csv' : 'json');
    if (format !== 'csv' && format !== 'json') throw new UsageError(`--format: "${format}" is not csv or json`);
    const client = new IngestionClient(connection(values, io.env));
    try {
      const report = await client.report(id, format, io.interrupt);
      if (!values.out) {
        await copy(report, io.stdout);
        return EXIT.ok;
      }
      const out = resolve(io.cwd, values.out);
      const bytes = await writeWhole(report, out);
      line(io.stderr, `Wrote the ${format.toUpperCase()} report of import ${id} to ${out} (${formatBytes(bytes)}).`);
      return EXIT.ok;
    } finally {
      client.close();
    }
  },
);

/** Into `path` through a temporary file beside it: a broken download never leaves half a report. */
async function writeWhole(report: Readable, path: string): Promise<number> {
  const tmp = `${path}.part`;
  let bytes = 0;
  report.on('data', (chunk: Buffer) => (bytes += chunk.length));
  try {
    await pipeline(report, createWriteStream(tmp));
    await rename(tmp, path);
    return bytes;
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}

/** To stdout, which is not ours to end. */
async function copy(report: Readable, out: Output): Promise<void> {
  for await (const chunk of report) {
    if (!out.write(chunk as Buffer)) await once(out, 'drain');
  }
}
