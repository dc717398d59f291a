import { parseCommand, type OptionSpec } from './args';
import { EXIT, line, type CliIo } from './cli-io';

export interface Command {
  name: string;
  /** One line for `dg --help`. */
  summary: string;
  /** The whole of `dg <name> --help`. */
  help: string;
  /** Resolves to the exit code; throws UsageError, HttpError or ConnectionError for the caller to report. */
  run(argv: string[], io: CliIo): Promise<number>;
}

/**
 * A command from its options and body: `--help` is answered here, once for every command, and the
 * body gets the parsed arguments.
 */
export function defineCommand<O extends Record<string, OptionSpec>>(
  spec: { name: string; summary: string; help: string; options: O },
  body: (args: ReturnType<typeof parseCommand<O>>, io: CliIo) => Promise<number>,
): Command {
  return {
    name: spec.name,
    summary: spec.summary,
    help: spec.help,
    async run(argv, io) {
      const args = parseCommand(argv, spec.options);
      if (args.values.help) {
        line(io.stdout, spec.help);
        return EXIT.ok;
      }
      return body(args, io);
    },
  };
}
