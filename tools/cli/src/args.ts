import { parseArgs } from 'node:util';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export type OptionSpec = { type: 'string' | 'boolean'; short?: string };

/** Accepted by every command. */
export const GLOBAL_OPTIONS = {
  url: { type: 'string' },
  'api-key': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Record<string, OptionSpec>;

export const GLOBAL_HELP = `Connection (every command):
  --url URL        the ingestion service (default $DG_INGESTION_URL, else http://127.0.0.1:3001)
  --api-key KEY    API key (default $DG_API_KEY; prefer the variable: flags show up in ps)
  -h, --help       this help`;

type Values<O extends Record<string, OptionSpec>> = {
  [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string;
};

/** node:util parseArgs, strict, with the global options added; its complaints become usage errors. */
export function parseCommand<O extends Record<string, OptionSpec>>(
  argv: string[],
  options: O,
): { values: Values<O & typeof GLOBAL_OPTIONS>; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...GLOBAL_OPTIONS, ...options },
      allowPositionals: true,
      strict: true,
    });
    return { values: values as Values<O & typeof GLOBAL_OPTIONS>, positionals };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export interface Connection {
  url: string;
  apiKey: string;
}

export const DEFAULT_URL = 'http://127.0.0.1:3001';

export function connection(
  values: { url?: string; 'api-key'?: string },
  env: Record<string, string | undefined>,
): Connection {
  const raw = values.url ?? env['DG_INGESTION_URL'] ?? DEFAULT_URL;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--url: "${raw}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--url: "${raw}" is not an http or https URL`);
  }
  const apiKey = values['api-key'] ?? env['DG_API_KEY'];
  if (!apiKey) throw new UsageError('no API key: set DG_API_KEY (or pass --api-key)');
  return { url: url.href.replace(/\/+$/, ''), apiKey };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The one positional an id command takes, checked before anything is sent. */
export function importIdArgument(positionals: string[], command: string): string {
  if (positionals.length !== 1) throw new UsageError(`${command} takes one import id`);
  const id = positionals[0]!;
  if (!UUID.test(id)) throw new UsageError(`"${id}" is not an import id (a UUID)`);
  return id;
}
