import { GLOBAL_HELP, connection, importIdArgument } from '../args';
import { EXIT, line } from '../cli-io';
import { defineCommand } from '../command';
import { statusText } from '../format';
import { IngestionClient } from '../http-client';
import { progressRenderer } from '../progress';
import { finish, stoppedWatching, watchImport } from '../watch';

const OPTIONS = { json: { type: 'boolean' }, watch: { type: 'boolean' } } as const;

const HELP = `Usage: dg status <import id> [--json] [--watch]

Shows an import's state: items done, their outcomes, rate and ETA, the analysis of what was
imported, a dry run's summary.

Options:
  --json     the import as JSON
  --watch    follow it with a progress line until it is over (exit code as dg import's)

${GLOBAL_HELP}`;

export const statusCommand = defineCommand(
  { name: 'status', summary: "show an import's state (--watch to follow it)", help: HELP, options: OPTIONS },
  async ({ values, positionals }, io) => {
    const id = importIdArgument(positionals, 'status');
    const json = Boolean(values.json);
    const client = new IngestionClient(connection(values, io.env));
    try {
      if (!values.watch) {
        const view = await client.get(id, io.interrupt);
        line(io.stdout, json ? JSON.stringify(view, null, 2) : statusText(view));
        return EXIT.ok;
      }
      const out = json ? io.stderr : io.stdout;
      const end = await watchImport(client, id, io, progressRenderer(out, { tty: Boolean(out.isTTY) }));
      if (end.interrupted) return stoppedWatching(io.stderr, id);
      return finish(io, end.view, json);
    } finally {
      client.close();
    }
  },
);
