import 'reflect-metadata';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPrismaClient, ensureOrganization, issueApiKey } from '@dg/db';
import { startPostgres, startS3 } from '@dg/devstack';
import { SharpImageCodec } from '@dg/imaging';
import { migrateDeploy } from '../../../db/src/migrate-deploy';
import { largeSet, throughputSet } from './fixtures';
import { timedPool } from './pool';
import { startService } from './service';

const FILES = Number(process.env['BENCH_FILES'] ?? 24);
const HTTP_CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 8);
const NORMALIZE_CONCURRENCY = Number(process.env['BENCH_NORMALIZE_CONCURRENCY'] ?? 2);
const LARGE_UPLOADS = 50;
const LARGE_BYTES = 10 * 1024 * 1024;
const MB = 1024 * 1024;

/**
 * Ingestion throughput through HTTP (multipart upload, spool + SHA-256, normalization, three S3
 * puts to s3rver, the Postgres row) against the same normalization called directly on the same files,
 * then the service's peak RSS under 50 concurrent 10 MB uploads. Prints figures; asserts nothing.
 */
async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'dg-bench-ingest-'));
  // PostgreSQL runs as its own user when this runs as root: let it into the folder.
  await chmod(root, 0o755);
  const [pg, s3] = await Promise.all([
    startPostgres({ dataDir: join(root, 'pg'), persistent: false }),
    startS3({ dataDir: join(root, 's3'), bucket: 'bench' }),
  ]);
  try {
    await migrateDeploy({ databaseUrl: pg.url, migrationsDir: join(__dirname, '../../../../prisma/migrations') });
    const prisma = createPrismaClient(pg.url, 2);
    const { tenantId } = await ensureOrganization(prisma, 'bench', 'Bench Dental');
    const patient = await prisma.patient.create({ data: { organizationId: tenantId, externalId: 'BENCH-1' } });
    const caseId = (await prisma.case.create({ data: { organizationId: tenantId, patientId: patient.id } })).id;
    const { key } = await issueApiKey(prisma, tenantId, { name: 'bench', scopes: ['write'] });
    await prisma.$disconnect();
    const env = {
      DATABASE_URL: pg.url,
      REDIS_URL: 'redis://127.0.0.1:1',
      STORAGE_DRIVER: 's3',
      S3_ENDPOINT: s3.endpoint,
      S3_BUCKET: s3.bucket,
      S3_ACCESS_KEY_ID: s3.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      S3_FORCE_PATH_STYLE: 'true',
      NORMALIZE_CONCURRENCY: String(NORMALIZE_CONCURRENCY),
      UPLOAD_TMP_DIR: join(root, 'spool'),
    };
    const upload = async (url: string, bytes: Buffer) => {
      const form = new FormData();
      form.append('caseId', caseId);
      form.append('file', new Blob([new Uint8Array(bytes)]), 'bench.jpg');
      const res = await fetch(`${url}/v1/images`, {
        method: 'POST',
        body: form,
        headers: { authorization: `Bearer ${key}` },
      });
      if (res.status !== 201) throw new Error(`upload answered ${res.status}: ${await res.text()}`);
    };

    console.log(`generating ${FILES} distinct ~2400x1200 JPEGs...`);
    const files = await throughputSet(FILES);
    const avg = files.reduce((n, f) => n + f.length, 0) / files.length / MB;

    const codec = new SharpImageCodec({ maxPixels: 100_000_000 });
    await codec.normalize(files[0]!); // warm libvips up, as the service is warm
    const cpu0 = process.cpuUsage();
    const bareS = await timedPool(files, NORMALIZE_CONCURRENCY, async (f) => void (await codec.normalize(f)));
    const bareCpu = process.cpuUsage(cpu0);
    const bare = files.length / bareS;
    const perImage = (us: number) => `${(us / 1000 / files.length).toFixed(0)} ms CPU/image`;
    console.log(
      `bare normalize (sharp, in-process, concurrency ${NORMALIZE_CONCURRENCY}): ${bare.toFixed(2)} images/s, ` +
        perImage(bareCpu.user + bareCpu.system),
    );

    const service = await startService(env);
    let http: number;
    try {
      await upload(service.url, (await throughputSet(1, 1000))[0]!); // warm-up, with a file of its own
      const serviceCpu0 = await service.cpuSeconds();
      const benchCpu0 = process.cpuUsage();
      const httpS = await timedPool(files, HTTP_CONCURRENCY, (f) => upload(service.url, f));
      const benchCpu = process.cpuUsage(benchCpu0);
      const serviceCpu = (await service.cpuSeconds()) - serviceCpu0;
      http = files.length / httpS;
      console.log(
        `HTTP ingest (multipart -> spool+sha256 -> normalize -> 3 puts to s3rver -> Postgres row, ` +
          `${HTTP_CONCURRENCY} clients): ${http.toFixed(2)} images/s, files ${avg.toFixed(2)} MB on average`,
      );
      console.log(
        `  CPU: service ${perImage(serviceCpu * 1e6)}; client + s3rver (this process) ${perImage(benchCpu.user + benchCpu.system)}`,
      );
    } finally {
      await service.stop();
    }

    console.log(`generating ${LARGE_UPLOADS} distinct files of ~${LARGE_BYTES / MB} MB...`);
    const large = await largeSet(LARGE_UPLOADS, LARGE_BYTES);
    const fresh = await startService(env);
    try {
      const before = await fresh.peakRss();
      const s = await timedPool(large, LARGE_UPLOADS, (f) => upload(fresh.url, f));
      const peak = await fresh.peakRss();
      console.log(
        `peak RSS of the ingestion process, ${LARGE_UPLOADS} concurrent uploads of ${(large[0]!.length / MB).toFixed(1)} MB: ` +
          `${(peak / MB).toFixed(0)} MB (idle ${(before / MB).toFixed(0)} MB; target < 400 MB; ${s.toFixed(1)} s)`,
      );
    } finally {
      await fresh.stop();
    }
    console.log(`ingest: ${(http / bare).toFixed(2)} (target >= 0.7)`);
  } finally {
    await Promise.allSettled([pg.stop(), s3.stop()]);
    await rm(root, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
