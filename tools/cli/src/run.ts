import { UsageError } from './args';
import { EXIT, line, type CliIo } from './cli-io';
import type { Command } from './command';
import { cancelCommand, pauseCommand, resumeCommand } from './commands/control.command';
import { importCommand } from './commands/import.command';
import { listCommand } from './commands/list.command';
import { reportCommand } from './commands/report.command';
import { statusCommand } from './commands/status.command';
import { ConnectionError, HttpError } from './http-client';

export type { CliIo } from './cli-io';

const COMMANDS: Command[] = [
  importCommand,
  statusCommand,
  reportCommand,
  pauseCommand,
  resumeCommand,
  cancelCommand,
  listCommand,
];

const HELP = `Usage: dg <command> [options]     (npm run dg -- <command> [options])

Archive imports into the DentalGemma ingestion service.

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(8)} ${c.summary}`).join('\n')}

Run 'dg <command> --help' for a command's options. Configuration: DG_INGESTION_URL (default
http://127.0.0.1:3001), DG_API_KEY, DG_STATE_DIR (default ~/.dentalgemma), or --url / --api-key.`;

/**
 * The CLI as a function: argv without the program, the streams and environment to use; resolves to
 * the exit code. main.ts calls it with the process's own; specs call it in-process.
 */
export async function run(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || (name === 'help' && !rest.length)) {
    line(name === undefined ? io.stderr : io.stdout, HELP);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === 'help') return run([rest[0]!, '--help'], io);
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    line(io.stderr, `dg: unknown command "${name}"\n\n${HELP}`);
    return EXIT.usage;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    return failure(error, command, io);
  }
}

function failure(error: unknown, command: Command, io: CliIo): number {
  if (error instanceof UsageError) {
    line(io.stderr, `dg ${command.name}: ${error.message}`);
    line(io.stderr, `Run 'dg ${command.name} --help' for usage.`);
    return EXIT.usage;
  }
  if (error instanceof HttpError) {
    line(
      io.stderr,
      `dg ${command.name}: the ingestion service answered ${error.status} ${error.code}: ${error.message}`,
    );
    for (const issue of error.issues) line(io.stderr, `  ${issue.path || '(body)'}: ${issue.message}`);
    return EXIT.failed;
  }
  if ((error as Error)?.name === 'AbortError') {
    line(io.stderr, `dg ${command.name}: interrupted`);
    return EXIT.interrupted;
  }
  const message = error instanceof ConnectionError ? error.message : String((error as Error)?.message ?? error);
  line(io.stderr, `dg ${command.name}: ${message}`);
  return EXIT.failed;
}
