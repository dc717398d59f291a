/** Where a command writes, what it reads from its environment, and how it learns of Ctrl-C. */
export interface Output extends NodeJS.WritableStream {
  isTTY?: boolean;
  columns?: number;
}

export interface CliIo {
  stdout: Output;
  stderr: Output;
  env: Record<string, string | undefined>;
  cwd: string;
  /** Aborted on Ctrl-C: a command stops waiting (the import goes on server-side). */
  interrupt?: AbortSignal;
}

/** Exit codes: documented in the README, relied on by scripts. */
export const EXIT = {
  ok: 0,
  /** The import failed or was cancelled, the server refused the request, or it could not be reached. */
  failed: 1,
  usage: 2,
  /** The import is paused: nothing more will happen until someone resumes it. */
  paused: 3,
  /** Ctrl-C: stopped waiting. */
  interrupted: 130,
} as const;

export const write = (out: Output, text: string): void => void out.write(text);
export const line = (out: Output, text = ''): void => void out.write(`${text}\n`);
