import { GLOBAL_HELP, connection, importIdArgument } from '../args';
import { EXIT, line } from '../cli-io';
import { defineCommand, type Command } from '../command';
import { IngestionClient } from '../http-client';

const OPTIONS = { json: { type: 'boolean' } } as const;

const WHAT = {
  pause: {
    summary: 'pause an import',
    help: 'Pauses an import after the items in flight; nothing is lost, resume goes on from there.',
  },
  resume: {
    summary: 'resume a paused or failed import',
    help: 'Resumes a paused (or failed) import where it stopped.',
  },
  cancel: {
    summary: 'cancel an import',
    help: 'Cancels an import: items not yet imported are cancelled; images already stored stay.',
  },
} as const;

/** `dg pause|resume|cancel <id>`. */
function controlCommand(action: keyof typeof WHAT): Command {
  const help = `Usage: dg ${action} <import id> [--json]

${WHAT[action].help}

Options:
  --json     the import as JSON

${GLOBAL_HELP}`;
  return defineCommand(
    { name: action, summary: WHAT[action].summary, help: help, options: OPTIONS },
    async ({ values, positionals }, io) => {
      const id = importIdArgument(positionals, action);
      const client = new IngestionClient(connection(values, io.env));
      try {
        const view = await client.control(id, action, io.interrupt);
        line(io.stdout, values.json ? JSON.stringify(view, null, 2) : `Import ${view.id}: ${view.status}.`);
        return EXIT.ok;
      } finally {
        client.close();
      }
    },
  );
}

export const pauseCommand = controlCommand('pause');
export const resumeCommand = controlCommand('resume');
export const cancelCommand = controlCommand('cancel');
