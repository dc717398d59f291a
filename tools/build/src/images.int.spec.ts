/**
 * Runs what the images run. `npm run build` (the build stage's command) compiles to dist/; each
 * runtime stage's file system is then staged from its own COPY --from lines, and its exact CMD and
 * HEALTHCHECK are executed from its WORKDIR with its ENV, against the real PostgreSQL, Redis and S3
 * of the integration setup. Also the migrations command (the Helm hook and the compose job) and the
 * model puller of the S3 init container. What cannot run here: the CUDA base image and the GPU
 * (the worker runs its CMD with EXECUTION_PROVIDERS=cpu), and the node:22 runtime (this runs on the
 * CI's Node).
 */
import { createHash } from 'node:crypto';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Client } from 'pg';
import { parse } from 'yaml';
import { freePort } from '@dg/devstack';
import { testEnv, uniqueName } from '@dg/testing';
import { copiesFrom, envOf, finalStage, readDockerfile, runtimeCommands, type App } from './dockerfile';
import { REPO_ROOT } from './k8s-tools';

const staged: string[] = [];

beforeAll(() => {
  execFileSync('npm', ['run', 'build'], { cwd: REPO_ROOT, stdio: 'pipe' });
}, 120_000);

afterAll(() => {
  for (const dir of staged) rmSync(dir, { recursive: true, force: true });
});

/** The runtime image's files: what its COPY --from lines take from the build and deps stages. */
function stageImage(app: App): { workdir: string; root: string } {
  const df = readDockerfile(app);
  const root = mkdtempSync(join(tmpdir(), `dg-image-${app}-`));
  staged.push(root);
  const workdir = join(root, runtimeCommands(df).workdir);
  mkdirSync(workdir, { recursive: true });
  for (const copy of copiesFrom(finalStage(df))) {
    // The Node.js binary copied onto the CUDA base: here the test's own node runs instead.
    if (copy.from === 'node') continue;
    if (!copy.src.startsWith('/app/')) throw new Error(`unexpected COPY source ${copy.src}`);
    const rel = copy.src.slice('/app/'.length);
    const dest = resolve(workdir, copy.dest);
    // node_modules: the deps stage (npm ci --omit=dev); production-only is checked in build.spec.ts.
    if (rel === 'node_modules') symlinkSync(join(REPO_ROOT, 'node_modules'), dest, 'dir');
    else cpSync(join(REPO_ROOT, rel), dest, { recursive: true });
  }
  return { workdir, root };
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => !e.isDirectory() && !join(e.parentPath, e.name).includes('node_modules'))
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

function serviceEnv(): Record<string, string> {
  const t = testEnv();
  return {
    LOG_LEVEL: 'warn',
    DATABASE_URL: t.DATABASE_URL,
    QUEUE_BACKEND: 'redis',
    REDIS_URL: t.REDIS_URL,
    QUEUE_PREFIX: uniqueName('img'),
    STORAGE_DRIVER: 's3',
    S3_ENDPOINT: t.S3_ENDPOINT,
    S3_BUCKET: t.S3_BUCKET,
    S3_ACCESS_KEY_ID: t.S3_ACCESS_KEY_ID,
    S3_SECRET_ACCESS_KEY: t.S3_SECRET_ACCESS_KEY,
    S3_FORCE_PATH_STYLE: 'true',
  };
}

async function status(url: string): Promise<number> {
  try {
    return (await fetch(url)).status;
  } catch {
    return 0;
  }
}

async function waitStatus(url: string, want: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode} before ${url} answered ${want}`);
    if ((await status(url)) === want) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer ${want} within ${timeoutMs} ms`);
}

/** Exit code, or the signal name: Nest's shutdown hooks re-raise SIGTERM after closing cleanly. */
function exitOf(child: ChildProcess): Promise<number | string | null> {
  return new Promise((res) => child.once('exit', (code, signal) => res(code ?? signal)));
}

/**
 * Like spawnSync but asynchronous: a single spec file runs in Jest's main process, where the
 * global setup's in-process S3 server lives, and a synchronous wait would starve it.
 */
function runAsync(
  args: string[],
  opts: { cwd: string; env: Record<string, string> },
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += String(c)));
    child.stderr.on('data', (c) => (stderr += String(c)));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('error', rej);
    child.once('close', (status) => {
      clearTimeout(timer);
      res({ status, stdout, stderr });
    });
  });
}

describe.each<[App, Record<string, string>]>([
  ['case-api', {}],
  ['ingestion', {}],
  // No GPU in CI: the CUDA image's EXECUTION_PROVIDERS=cuda,cpu becomes cpu; the tiny model is mounted.
  ['inference-worker', { EXECUTION_PROVIDERS: 'cpu', MODEL_ID: 'tiny-dentalgemma' }],
])('the %s image', (app, overrides) => {
  it('starts with its CMD from its WORKDIR, is live and ready, passes its HEALTHCHECK, writes nothing and stops on SIGTERM', async () => {
    const df = readDockerfile(app);
    const { cmd, healthcheck } = runtimeCommands(df);
    const { workdir, root } = stageImage(app);
    const before = listFiles(root);
    const port = await freePort();
    const env: Record<string, string> = {
      PATH: process.env['PATH']!,
      ...envOf(finalStage(df)),
      ...serviceEnv(),
      // The image runs with NODE_ENV=production, where the tiny model needs an explicit opt-in.
      ...(app === 'inference-worker' ? { MODEL_DIR: testEnv().TINY_MODEL_DIR, MODEL_ALLOW_TINY: 'true' } : {}),
      ...overrides,
      PORT: String(port),
    };
    expect(env['NODE_ENV']).toBe('production');
    expect(env['HOST']).toBe('0.0.0.0');
    // cmd[0] is `node`: the image's node; here the same node that runs the tests.
    expect(cmd[0]).toBe('node');
    const child = spawn(process.execPath, cmd.slice(1), { cwd: workdir, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (c) => (stderr += String(c)));
    try {
      const base = `http://127.0.0.1:${port}`;
      await waitStatus(`${base}/health/live`, 200, child, 60_000);
      await waitStatus(`${base}/health/ready`, 200, child, 60_000);
      expect(healthcheck[0]).toBe('node');
      const healthy = spawnSync(process.execPath, healthcheck.slice(1), { cwd: workdir, env, timeout: 10_000 });
      expect(healthy.status).toBe(0);

      const exited = exitOf(child);
      child.kill('SIGTERM');
      expect([0, 'SIGTERM']).toContain(await exited);
      const unhealthy = spawnSync(process.execPath, healthcheck.slice(1), { cwd: workdir, env, timeout: 10_000 });
      expect(unhealthy.status).toBe(1);
      // A read-only root file system: the process wrote nothing next to its code.
      expect(listFiles(root)).toEqual(before);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- ${app} stderr ---\n${stderr}`);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 120_000);
});

describe('the migrations command', () => {
  it('is the same in the Helm hook and the compose job, and migrates a new database from the case-api image', async () => {
    const compose = parse(readFileSync(join(REPO_ROOT, 'docker', 'docker-compose.yml'), 'utf8')) as {
      services: Record<string, { command?: string[]; build?: { dockerfile: string } }>;
    };
    const command = compose.services['migrate']!.command!;
    expect(compose.services['migrate']!.build!.dockerfile).toBe('docker/case-api/Dockerfile');
    const hook = readFileSync(join(REPO_ROOT, 'k8s/helm/dentalgemma/templates/migrations-job.yaml'), 'utf8');
    expect(hook).toContain(`command: [${command.join(', ')}]`);

    const { workdir } = stageImage('case-api');
    const url = new URL(testEnv().DATABASE_URL);
    url.pathname = `/${uniqueName('migrate').replace(/-/g, '_')}`;
    const migrations = readdirSync(join(REPO_ROOT, 'prisma', 'migrations'), { withFileTypes: true }).filter((d) =>
      d.isDirectory(),
    ).length;
    const run = () =>
      spawnSync(process.execPath, command.slice(1), {
        cwd: workdir,
        env: { PATH: process.env['PATH']!, ...envOf(finalStage(readDockerfile('case-api'))), DATABASE_URL: url.href },
        encoding: 'utf8',
        timeout: 60_000,
      });
    const first = run();
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.stdout).toContain(`migrate-deploy: ${migrations} applied`);
    const second = run();
    expect(second.stdout).toContain('migrate-deploy: 0 applied');

    const db = new Client({ connectionString: url.href });
    await db.connect();
    try {
      const { rows } = await db.query(
        'SELECT count(*)::int AS n FROM _prisma_migrations WHERE finished_at IS NOT NULL',
      );
      expect(rows[0].n).toBe(migrations);
    } finally {
      await db.end();
    }
    expect(
      spawnSync(process.execPath, command.slice(1), { cwd: workdir, env: { PATH: process.env['PATH']! } }).status,
    ).toBe(1);
  }, 60_000);
});

describe('the model init container', () => {
  it('pulls the model from S3 into MODEL_DIR, verified against manifest.json, and fails on a tampered file', async () => {
    const t = testEnv();
    const prefix = `models/${uniqueName('tiny')}`;
    const manifest = JSON.parse(readFileSync(join(t.TINY_MODEL_DIR, 'manifest.json'), 'utf8')) as {
      files: { path: string }[];
    };
    const s3 = new S3Client({
      endpoint: t.S3_ENDPOINT,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: t.S3_ACCESS_KEY_ID, secretAccessKey: t.S3_SECRET_ACCESS_KEY },
    });
    const put = (rel: string, body: Buffer) =>
      s3.send(new PutObjectCommand({ Bucket: t.S3_BUCKET, Key: `${prefix}/${rel}`, Body: body }));
    for (const rel of [...manifest.files.map((f) => f.path), 'manifest.json'])
      await put(rel, readFileSync(join(t.TINY_MODEL_DIR, rel)));

    const hook = readFileSync(join(REPO_ROOT, 'k8s/helm/dentalgemma/templates/worker.yaml'), 'utf8');
    const command = ['node', 'dist/tools/build/src/pull-model.js'];
    expect(hook).toContain(`command: [${command.join(', ')}]`);
    const { workdir, root } = stageImage('inference-worker');
    const modelDir = join(root, 'models', 'dentalgemma');
    const pull = (extra: Record<string, string>) =>
      runAsync(command.slice(1), {
        cwd: workdir,
        env: {
          PATH: process.env['PATH']!,
          ...envOf(finalStage(readDockerfile('inference-worker'))),
          ...serviceEnv(),
          MODEL_DIR: modelDir,
          MODEL_S3_BUCKET: t.S3_BUCKET,
          MODEL_S3_PREFIX: prefix,
          ...extra,
        },
      });

    // The tiny model must be allowed explicitly.
    const refused = await pull({});
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/tiny test model/);

    const manifestSha = createHash('sha256')
      .update(readFileSync(join(t.TINY_MODEL_DIR, 'manifest.json')))
      .digest('hex');
    const ok = await pull({ MODEL_ALLOW_TINY: 'true', MODEL_MANIFEST_SHA256: manifestSha });
    expect([ok.status, ok.stderr]).toEqual([0, expect.not.stringContaining('pull-model:')]);
    for (const rel of [...manifest.files.map((f) => f.path), 'manifest.json'])
      expect(readFileSync(join(modelDir, rel)).equals(readFileSync(join(t.TINY_MODEL_DIR, rel)))).toBe(true);

    // A pinned manifest digest that does not match fails before any download.
    const pinned = await pull({ MODEL_ALLOW_TINY: 'true', MODEL_MANIFEST_SHA256: '0'.repeat(64) });
    expect(pinned.status).toBe(1);
    expect(pinned.stderr).toMatch(/does not match MODEL_MANIFEST_SHA256/);

    // A file changed in the bucket is caught by its digest, in a fresh directory.
    const victim = manifest.files.find((f) => f.path.endsWith('.json'))!.path;
    await put(victim, Buffer.from('{"tampered": true}'));
    const tampered = await pull({ MODEL_ALLOW_TINY: 'true', MODEL_DIR: join(root, 'models', 'fresh') });
    expect(tampered.status).toBe(1);
    expect(tampered.stderr).toContain(`${victim}: got`);
    s3.destroy();
  }, 60_000);
});

describe('the deps stage (npm ci --omit=dev)', () => {
  it('holds every package the built entrypoints require', () => {
    const { dependencies } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const entries = [
      ...(['case-api', 'ingestion', 'inference-worker'] as const).map((a) => `dist/apps/${a}/src/main.js`),
      'dist/tools/db/src/migrate-deploy.js',
      'dist/tools/build/src/pull-model.js',
    ];
    // Follows relative requires through dist/ and collects the bare package names.
    const seen = new Set<string>();
    const packages = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const source = readFileSync(file, 'utf8');
      for (const [, id] of source.matchAll(/require\("([^"]+)"\)/g)) {
        if (id!.startsWith('.')) {
          const base = resolve(join(file, '..'), id!);
          const candidates = [`${base}.js`, join(base, 'index.js'), base];
          const target = candidates.find(
            (c) => c.endsWith('.js') && readdirSync(join(c, '..')).includes(c.split('/').pop()!),
          );
          if (!target) throw new Error(`${file} requires ${id}, which is not in dist/`);
          visit(target);
        } else if (!id!.startsWith('node:')) {
          packages.add(id!.startsWith('@') ? id!.split('/').slice(0, 2).join('/') : id!.split('/')[0]!);
        }
      }
    };
    for (const e of entries) visit(join(REPO_ROOT, e));
    expect(seen.size).toBeGreaterThan(50);
    const builtins = new Set(require('node:module').builtinModules as string[]);
    const missing = [...packages].filter((p) => !builtins.has(p) && !(p in dependencies));
    expect(missing).toEqual([]);
    expect(packages).toContain('@nestjs/core');
  });
});
