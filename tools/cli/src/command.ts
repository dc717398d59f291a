import type { CliIo } from './cli-io';

export interface Command {
  name: string;
  /** One line for `dg --help`. */
  summary: string;
  /** The whole of `dg <name> --help`. */
  help: string;
  /** Resolves to the exit code; throws UsageError, HttpError or ConnectionError for the caller to report. */
  run(argv: string[], io: CliIo): Promise<number>;
}
