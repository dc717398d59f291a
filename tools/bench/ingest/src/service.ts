import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from '@dg/devstack';

export interface RunningService {
  url: string;
  child: ChildProcess;
  /** Peak resident set size of the service process so far (VmHWM), in bytes. */
  peakRss(): Promise<number>;
  /** CPU seconds (user + system) the service process has used so far. */
  cpuSeconds(): Promise<number>;
  /** The same, per thread name (main thread, libuv pool, libvips workers...). */
  cpuByThread(): Promise<Map<string, number>>;
  stop(): Promise<void>;
}

/**
 * The ingestion service as its own process, so its memory is measured alone: main.ts through
 * swc-node, or with `built` the production build (`npm run build`: dist/, no TypeScript compiler in
 * the process, as the container image runs it).
 */
export async function startService(
  env: Record<string, string>,
  opts: { built?: boolean } = {},
): Promise<RunningService> {
  const port = await freePort();
  const root = join(__dirname, '../../../..');
  // BENCH_CPU_PROF=<dir> writes a V8 CPU profile of the service on exit, to see where time goes.
  const prof = process.env['BENCH_CPU_PROF'] ? ['--cpu-prof', '--cpu-prof-dir', process.env['BENCH_CPU_PROF']] : [];
  const child = spawn(
    process.execPath,
    opts.built
      ? [...prof, join(root, 'dist/apps/ingestion/src/main.js')]
      : [...prof, '-r', '@swc-node/register', join(root, 'apps/ingestion/src/main.ts')],
    {
      cwd: root,
      // MALLOC_ARENA_MAX=2: glibc otherwise gives each libvips worker thread its own arena and RSS
      // grows with fragmentation (sharp's documented advice); production images should set it too.
      env: {
        MALLOC_ARENA_MAX: '2',
        ...process.env,
        ...env,
        PORT: String(port),
        LOG_LEVEL: 'warn',
        NODE_NO_WARNINGS: '1',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const res = await fetch(`${url}/health/ready`).catch(() => undefined);
    if (res?.status === 200) break;
    if (child.exitCode !== null || Date.now() > deadline) throw new Error('ingestion did not become ready');
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    child,
    peakRss: async () => {
      const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
      return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
    },
    cpuSeconds: async () => cpuOf(`/proc/${child.pid}/stat`),
    cpuByThread: async () => {
      const out = new Map<string, number>();
      for (const tid of await readdir(`/proc/${child.pid}/task`).catch(() => [])) {
        const comm = (await readFile(`/proc/${child.pid}/task/${tid}/comm`, 'utf8').catch(() => '?')).trim();
        // Node's main thread and libuv's pool (where sharp drives its pipelines) share one name.
        const name = tid === String(child.pid) ? 'main' : comm;
        const cpu = await cpuOf(`/proc/${child.pid}/task/${tid}/stat`).catch(() => 0);
        out.set(name, (out.get(name) ?? 0) + cpu);
      }
      return out;
    },
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

/** utime + stime of a /proc stat file, in seconds (USER_HZ is 100/s). */
async function cpuOf(statPath: string): Promise<number> {
  const fields = (await readFile(statPath, 'utf8')).split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
