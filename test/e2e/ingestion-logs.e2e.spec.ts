import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { PrismaClient } from '@dg/db';
import { testEnv } from '@dg/testing';
import { freePort } from '../../libs/devstack/src';
import { buildDicom, withElementValue } from '../../libs/imaging/src/testing/build-dicom';
import {
  authFor,
  freshBucket,
  seedTenant,
  testPrisma,
  uploadImage,
  type SeededTenant,
} from '../support/ingestion-harness';

const SECRET_ID = 'PMS-SECRET-4711';
const SECRET_NAME = 'Secretperson^Johanna';

/**
 * The real service process (main.ts) at LOG_LEVEL=trace: whatever happens to a DICOM file -
 * matched, mismatched, corrupt - its identifying attributes never reach stdout or stderr.
 */
describe('ingestion never logs DICOM patient attributes', () => {
  let prisma: PrismaClient;
  let t: SeededTenant;
  let child: ChildProcess;
  let output = '';
  let url = '';

  beforeAll(async () => {
    prisma = testPrisma();
    t = await seedTenant(prisma, SECRET_ID);
    const env = testEnv();
    const port = await freePort();
    child = spawn(process.execPath, ['-r', '@swc-node/register', join(__dirname, '../../apps/ingestion/src/main.ts')], {
      cwd: join(__dirname, '../..'),
      env: {
        ...process.env,
        LOG_LEVEL: 'trace',
        PORT: String(port),
        DATABASE_URL: env.DATABASE_URL,
        REDIS_URL: env.REDIS_URL,
        STORAGE_DRIVER: 's3',
        S3_ENDPOINT: env.S3_ENDPOINT,
        S3_BUCKET: await freshBucket(),
        S3_ACCESS_KEY_ID: env.S3_ACCESS_KEY_ID,
        S3_SECRET_ACCESS_KEY: env.S3_SECRET_ACCESS_KEY,
        S3_FORCE_PATH_STYLE: 'true',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const deadline = Date.now() + 45_000;
    for (;;) {
      const live = await fetch(`http://127.0.0.1:${port}/health/live`).catch(() => undefined);
      if (live?.status === 200) break;
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`ingestion did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    url = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    await prisma?.$disconnect();
  });

  it('keeps PatientID and PatientName out of every log line and every answer', async () => {
    const answers: unknown[] = [];
    const mine = await buildDicom({ rows: 64, columns: 128, patientId: SECRET_ID, patientName: SECRET_NAME });
    const matched = await uploadImage({ url }, t.slug, mine, { caseId: t.caseId, matchPatient: 'true' });
    expect(matched.status).toBe(201);
    const other = await buildDicom({ rows: 64, columns: 96, patientId: `${SECRET_ID}-X`, patientName: SECRET_NAME });
    const mismatch = await uploadImage({ url }, t.slug, other, { caseId: t.caseId, matchPatient: 'true' });
    expect(mismatch.status).toBe(409);
    answers.push(mismatch.body);
    const corrupt = await uploadImage({ url }, t.slug, mine.subarray(0, mine.length - 3000), { caseId: t.caseId });
    expect(corrupt.status).toBe(422);
    answers.push(corrupt.body);
    // Over-long values make dcmjs warn "Truncating value <value> of PatientName" on the console
    // while transcoding: the leak this spec exists to catch if the DICOM loggers were not silenced.
    const base = await buildDicom({ rows: 64, columns: 80 });
    const overlong = withElementValue(
      withElementValue(base, 0x0010, 0x0010, `${SECRET_NAME}^${'Q'.repeat(70)}`),
      0x0010,
      0x0020,
      `${SECRET_ID}-${'9'.repeat(70)}`,
    );
    const answer = await uploadImage(
      { url },
      t.slug,
      overlong,
      { caseId: t.caseId, matchPatient: 'true' },
      { 'x-request-id': 'spec-req-4711' },
    );
    expect(answer.status).toBeLessThan(500);
    answers.push(answer.body);
    // Stop the process so every buffered log line is flushed before reading them.
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));

    // The process's output is captured (so a leak would be seen), and it is clean.
    expect(output).toMatch(/"service":"ingestion".*Nest application successfully started/);
    // Every request has its line, under the id the client sent, without the API key.
    expect(output).toMatch(/"req":\{"id":"spec-req-4711","method":"POST","url":"\/v1\/images"/);
    expect(output).toMatch(/"authorization":"\[Redacted\]"/);
    expect(output).not.toContain(authFor(t.slug).authorization.slice('Bearer '.length));
    expect(output).not.toContain(SECRET_ID);
    expect(output).not.toContain('Secretperson');
    expect(output).not.toContain('Johanna');
    expect(JSON.stringify(answers)).not.toMatch(/SECRET|Secretperson|Johanna/);
  });
});
