import { GLOBAL_HELP, connection, UsageError } from '../args';
import { EXIT, line } from '../cli-io';
import { defineCommand } from '../command';
import { doneItems } from '../format';
import { IngestionClient } from '../http-client';

const OPTIONS = { json: { type: 'boolean' } } as const;

const HELP = `Usage: dg list [--json]

Lists the tenant's latest imports (50), newest first.

${GLOBAL_HELP}`;

export const listCommand = defineCommand(
  { name: 'list', summary: 'list the latest imports', help: HELP, options: OPTIONS },
  async ({ values, positionals }, io) => {
    if (positionals.length) throw new UsageError('list takes no arguments');
    const client = new IngestionClient(connection(values, io.env));
    try {
      const views = await client.list(io.interrupt);
      if (values.json) line(io.stdout, JSON.stringify(views, null, 2));
      for (const v of values.json ? [] : views) {
        const items = `${doneItems(v)}/${v.counts.total ?? '?'}`;
        line(io.stdout, `${v.id}  ${v.createdAt}  ${v.status.padEnd(9)} ${items.padStart(11)}  ${v.source}`);
      }
      return EXIT.ok;
    } finally {
      client.close();
    }
  },
);
