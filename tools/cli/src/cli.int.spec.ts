import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { IMPORT_REPORT_COLUMNS, type ImportReportRow, type ImportView } from '@dg/contracts';
import type { PrismaClient } from '@dg/db';
import { buildZip } from '../../../libs/archive/src/testing/build-zip';
import { smallPng } from '../../../test/support/images';
import { importReport, importView } from '../../../test/support/imports';
import {
  authFor,
  call,
  freshBucket,
  s3Client,
  seedTenant,
  startIngestion,
  testPrisma,
  type IngestionHarness,
  type SeededTenant,
} from '../../../test/support/ingestion-harness';
import { IngestionClient } from './http-client';
import { multipartBody } from './multipart';
import { run } from './run';
import { capture } from './testing/capture';

const ROOT = resolve(__dirname, '../../..');

describe('dg, the archive-import CLI, against a real ingestion service', () => {
  let h: IngestionHarness;
  let prisma: PrismaClient;
  let a: SeededTenant;
  let apiKey: string;
  let work: string;
  let stateDir: string;
  let sourceBucket: string;
  let png: Buffer[];

  beforeAll(async () => {
    prisma = testPrisma();
    a = await seedTenant(prisma);
    apiKey = authFor(a.slug).authorization!.replace(/^Bearer /, '');
    sourceBucket = await freshBucket();
    h = await startIngestion({ IMPORT_S3_BUCKETS: sourceBucket });
    work = await mkdtemp(join(tmpdir(), 'dg-cli-'));
    stateDir = join(work, 'state');
    png = await Promise.all([1, 2, 3, 4, 5, 6].map((seed) => smallPng(100 + seed)));
  });
  afterAll(async () => {
    await h?.close();
    await prisma?.$disconnect();
    if (work) await rm(work, { recursive: true, force: true });
  });

  /** The CLI in-process, configured through its environment as a user would. */
  async function dg(argv: string[], opts: { env?: Record<string, string>; interrupt?: AbortSignal } = {}) {
    const stdout = capture();
    const stderr = capture();
    const code = await run(argv, {
      stdout,
      stderr,
      cwd: work,
      interrupt: opts.interrupt,
      env: {
        DG_INGESTION_URL: h.url,
        DG_API_KEY: apiKey,
        DG_STATE_DIR: stateDir,
        DG_POLL_INTERVAL_MS: '100',
        ...opts.env,
      },
    });
    console.log(`$ dg ${argv.join(' ')}\n${stdout.text()}${stderr.text()}exit ${code}`);
    return { code, out: stdout.text(), err: stderr.text() };
  }

  const imports = async (): Promise<ImportView[]> =>
    (await call(`${h.url}/v1/imports`, { tenant: a.slug })).body as ImportView[];
  const idIn = (text: string) => /import ([0-9a-f-]{36})/i.exec(text)?.[1];

  it('imports a folder: regular files packed on the fly, the symlink skipped, waits until completed', async () => {
    const dir = join(work, 'pano-folder');
    await mkdir(join(dir, 'sub'), { recursive: true });
    await writeFile(join(dir, 'a.png'), png[0]!);
    await writeFile(join(dir, 'b.png'), png[1]!);
    await writeFile(join(dir, 'sub', 'c.png'), png[2]!);
    await writeFile(join(dir, 'sub', 'copy-of-a.png'), png[0]!);
    await symlink(join(dir, 'a.png'), join(dir, 'link.png'));

    const r = await dg(['import', 'pano-folder', '--case', a.caseId]);

    expect(r.code).toBe(0);
    expect(r.err).toMatch(/link\.png \(symbolic link, not followed\)/);
    expect(r.out).toMatch(/: completed/);
    const view = await importView(h.url, a.slug, idIn(r.out)!);
    expect(view).toMatchObject({ status: 'completed', format: 'tar', source: 'pano-folder.tar' });
    expect(view.counts).toEqual({
      total: 4,
      pending: 0,
      imported: 3,
      duplicate: 1,
      refused: 0,
      failed: 0,
      cancelled: 0,
    });
    const files = (await importReport(h.url, a.slug, view.id)).map((x) => x.file).sort();
    expect(files).toEqual(['a.png', 'b.png', 'sub/c.png', 'sub/copy-of-a.png']);
  });

  describe('a zip with a manifest', () => {
    let zipPath: string;
    let argv: string[];
    let id: string;

    beforeAll(async () => {
      zipPath = join(work, 'scans.zip');
      await writeFile(
        zipPath,
        await buildZip([
          { name: 'scans/p1-a.png', data: png[3]! },
          { name: 'scans/p1-b.png', data: png[4]! },
          { name: 'scans/unlisted.png', data: png[5]! },
        ]),
      );
      await writeFile(
        join(work, 'manifest.csv'),
        'file,patient_external_id\nscans/p1-a.png,PMS-7001\nscans/p1-b.png,PMS-7001\n',
      );
      argv = ['import', 'scans.zip', '--manifest', 'manifest.csv', '--case', a.caseId];
    });

    it('streams the zip with the manifest: listed files go to their patient, the rest to --case', async () => {
      const r = await dg(argv);
      expect(r.code).toBe(0);
      id = idIn(r.out)!;
      const view = await importView(h.url, a.slug, id);
      expect(view).toMatchObject({ status: 'completed', format: 'zip' });
      expect(view.counts).toMatchObject({ total: 3, imported: 3 });
      const by = (file: string) => report.find((x) => x.file === file)!;
      const report: ImportReportRow[] = await importReport(h.url, a.slug, id);
      expect(by('scans/unlisted.png').caseId).toBe(a.caseId);
      expect(by('scans/p1-a.png').caseId).not.toBe(a.caseId);
      expect(by('scans/p1-b.png').caseId).toBe(by('scans/p1-a.png').caseId);
      const c = await prisma.case.findUniqueOrThrow({
        where: { id: by('scans/p1-a.png').caseId! },
        include: { patient: true },
      });
      expect(c.patient.externalId).toBe('PMS-7001');
    });

    it('re-running the same import re-attaches to it: same id, nothing uploaded, one import on the server', async () => {
      const r = await dg(argv);
      expect(r.code).toBe(0);
      expect(r.out).toContain(`Re-attached to import ${id} (completed): nothing uploaded again.`);
      expect((await imports()).filter((v) => v.source === 'scans.zip')).toHaveLength(1);
    });

    it('without the state file, the Idempotency-Key still finds the same import', async () => {
      await rm(join(stateDir, 'imports.json'));
      const r = await dg(argv);
      expect(r.code).toBe(0);
      expect(r.out).toContain(`The server already had this import: re-attached to ${id}`);
      expect((await imports()).filter((v) => v.source === 'scans.zip')).toHaveLength(1);
      const state = JSON.parse(await readFile(join(stateDir, 'imports.json'), 'utf8'));
      expect(Object.values(state.imports).map((x: any) => x.id)).toEqual([id]);
    });

    it('an answer that comes before the body is all sent stops the upload (a known key, a refused key)', async () => {
      const state = JSON.parse(await readFile(join(stateDir, 'imports.json'), 'utf8'));
      const key = Object.entries(state.imports).find(([, r]: [string, any]) => r.id === id)![0];
      const MB = 1024 * 1024;
      let produced = 0;
      async function* gigabyte() {
        for (let i = 0; i < 1024; i++) {
          produced += MB;
          yield Buffer.alloc(MB, 0x50);
        }
      }
      const upload = (client: IngestionClient) => {
        produced = 0;
        const body = multipartBody({}, [
          { name: 'archive', fileName: 'big.zip', contentType: 'application/octet-stream', content: gigabyte() },
        ]);
        return client.upload(body.stream, body.contentType, key);
      };
      const client = new IngestionClient({ url: h.url, apiKey });
      const stranger = new IngestionClient({ url: h.url, apiKey: 'not-a-key' });
      try {
        expect(await upload(client)).toMatchObject({ replayed: true, view: { id } });
        expect(produced).toBeLessThan(256 * MB);
        await expect(upload(stranger)).rejects.toMatchObject({ status: 401 });
        expect(produced).toBeLessThan(256 * MB);
      } finally {
        client.close();
        stranger.close();
      }
    });

    it('re-running an import that failed resumes it', async () => {
      await prisma.archiveImport.update({
        where: { id },
        data: { status: 'failed', error: 'spec: storage went away' },
      });
      const r = await dg(argv);
      expect(r.code).toBe(0);
      expect(r.out).toContain(`Resumed import ${id} (it was failed).`);
      expect(r.out).toMatch(/: completed/);
      expect((await importView(h.url, a.slug, id)).status).toBe('completed');
    });

    it('report --format csv --out writes the CSV', async () => {
      const r = await dg(['report', id, '--format', 'csv', '--out', 'report.csv']);
      expect(r.code).toBe(0);
      expect(r.err).toContain('report.csv');
      const lines = (await readFile(join(work, 'report.csv'), 'utf8')).trim().split(/\r?\n/);
      expect(lines[0]).toBe(IMPORT_REPORT_COLUMNS.join(','));
      expect(lines).toHaveLength(4);
      expect(lines.slice(1).every((l) => l.includes(',imported,'))).toBe(true);
    });

    it('report streams JSON to stdout', async () => {
      const r = await dg(['report', id]);
      expect(r.code).toBe(0);
      expect((JSON.parse(r.out) as ImportReportRow[]).map((x) => x.state)).toEqual([
        'imported',
        'imported',
        'imported',
      ]);
    });

    it('status --json prints the import; status prints it for people', async () => {
      const j = await dg(['status', id, '--json']);
      expect(j.code).toBe(0);
      expect(JSON.parse(j.out)).toMatchObject({ id, status: 'completed', counts: { total: 3, imported: 3 } });
      const t = await dg(['status', id]);
      expect(t.out).toContain(`import ${id}: completed`);
      expect(t.out).toMatch(/items\s+3\/3 done: 3 imported, 0 duplicate, 0 refused, 0 failed, 0 pending/);
    });

    it('a refused control request exits 1 with the server code and message', async () => {
      const r = await dg(['pause', id]);
      expect(r.code).toBe(1);
      expect(r.err).toContain('409 import_state_conflict: cannot pause an import that is completed');
    });

    it('Ctrl-C while watching stops watching only, and says how to watch again', async () => {
      // A run that never ends: the import looks busy, but no job is working on it.
      await prisma.archiveImport.update({ where: { id }, data: { status: 'running', finishedAt: null } });
      try {
        const interrupt = new AbortController();
        const watching = dg(['status', id, '--watch'], { interrupt: interrupt.signal });
        setTimeout(() => interrupt.abort(), 400);
        const r = await watching;
        expect(r.code).toBe(130);
        expect(r.err).toContain(`dg status ${id} --watch`);
        expect((await importView(h.url, a.slug, id)).status).toBe('running');
      } finally {
        await prisma.archiveImport.update({ where: { id }, data: { status: 'completed', finishedAt: new Date() } });
      }
    });
  });

  it('--dry-run prints the summary: files, sizes, duplicates, what would be analyzed, GPU time', async () => {
    await writeFile(
      join(work, 'dry.zip'),
      await buildZip([
        { name: 'one.png', data: png[0]! }, // already imported by the folder spec
        { name: 'new.png', data: await smallPng(900) },
        { name: 'new-again.png', data: await smallPng(900) },
        { name: 'notes.txt', data: Buffer.from('hello') },
      ]),
    );
    const r = await dg(['import', 'dry.zip', '--dry-run', '--case', a.caseId]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/: scanned \(dry run\)/);
    expect(r.out).toMatch(/files\s+4 \(/);
    expect(r.out).toMatch(/duplicates\s+1 within the archive, 1 already stored/);
    expect(r.out).toMatch(/to analyze\s+\d+/);
    expect(r.out).toMatch(/GPU time\s+\S/);
    expect(r.out).not.toContain('Per-item report');
  });

  it('imports from S3 with the JSON form', async () => {
    await s3Client().send(
      new PutObjectCommand({
        Bucket: sourceBucket,
        Key: 'archive/s3-scans.zip',
        Body: await buildZip([{ name: 's3-one.png', data: await smallPng(700) }]),
      }),
    );
    const r = await dg(['import', `s3://${sourceBucket}/archive/s3-scans.zip`, '--case', a.caseId, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ status: 'completed', format: 'zip', counts: { imported: 1 } });
  });

  it('--no-wait prints the id and exits', async () => {
    await writeFile(join(work, 'later.zip'), await buildZip([{ name: 'later.png', data: await smallPng(800) }]));
    const r = await dg(['import', 'later.zip', '--case', a.caseId, '--no-wait']);
    expect(r.code).toBe(0);
    expect(r.out.trim()).toMatch(/^[0-9a-f-]{36}$/);
    expect((await importView(h.url, a.slug, r.out.trim())).id).toBe(r.out.trim());
  });

  it('a 4xx answer (an unknown --case) exits 1 with the server code and message', async () => {
    await writeFile(join(work, 'orphan.zip'), await buildZip([{ name: 'x.png', data: png[1]! }]));
    const unknown = '00000000-0000-4000-8000-000000000000';
    const r = await dg(['import', 'orphan.zip', '--case', unknown]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`404 case_not_found: case ${unknown} not found`);
  });

  it('usage errors exit 2 before anything is sent', async () => {
    const before = (await imports()).length;
    for (const argv of [
      ['import'],
      ['import', 'dry.zip', '--bogus'],
      ['import', 'dry.zip', '--modality', 'x-ray'],
      ['import', 'dry.zip', '--tasks', 'caries,telepathy'],
      ['import', 'missing.zip'],
      ['status', 'not-an-id'],
      ['report', '00000000-0000-4000-8000-000000000000', '--format', 'xml'],
      ['frobnicate'],
    ]) {
      const r = await dg(argv);
      expect({ argv, code: r.code }).toEqual({ argv, code: 2 });
      expect(r.err).not.toBe('');
    }
    expect(await dg(['import', 'dry.zip'], { env: { DG_API_KEY: '' } })).toMatchObject({
      code: 2,
      err: expect.stringContaining('DG_API_KEY'),
    });
    expect((await imports()).length).toBe(before);
  });

  it('--help for the CLI and each command', async () => {
    expect((await dg(['--help'])).out).toContain('Commands:');
    for (const c of ['import', 'status', 'report', 'pause', 'resume', 'cancel', 'list']) {
      const r = await dg([c, '--help']);
      expect({ c, code: r.code }).toEqual({ c, code: 0 });
      expect(r.out).toContain(`Usage: dg ${c}`);
    }
  });

  it('the entry point runs as a process: node -r @swc-node/register tools/cli/src/main.ts', async () => {
    const id = (await imports())[0]!.id;
    const child = spawn(
      process.execPath,
      ['-r', '@swc-node/register', 'tools/cli/src/main.ts', 'status', id, '--json'],
      {
        cwd: ROOT,
        env: { ...process.env, DG_INGESTION_URL: h.url, DG_API_KEY: apiKey, DG_STATE_DIR: stateDir },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const code = await new Promise<number | null>((done) => child.on('close', done));
    expect({ code, err }).toEqual({ code: 0, err: '' });
    expect(JSON.parse(out)).toMatchObject({ id });
  });
});
