import 'reflect-metadata';
import { cpus } from 'node:os';
import { createPrismaClient } from '@dg/db';
import { SharpImageCodec } from '@dg/imaging';
import { largeSet, throughputSet } from './fixtures';
import { multipartPost, send, type PreparedRequest } from '../../shared/http-load';
import { machineCpuSeconds } from '../../shared/machine-cpu';
import { profiled } from '../../shared/profile';
import { benchTenant, startBenchServers } from '../../shared/servers';
import { timedPool } from './pool';
import { startService } from './service';

const FILES = Number(process.env['BENCH_FILES'] ?? 48);
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
  const servers = await startBenchServers('ingest');
  try {
    const prisma = createPrismaClient(servers.pg.url, 2);
    const { caseId, key } = await benchTenant(prisma, 'bench');
    await prisma.$disconnect();
    const env = { ...servers.env, NORMALIZE_CONCURRENCY: String(NORMALIZE_CONCURRENCY) };
    const prepare = (url: string, bytes: Buffer) =>
      multipartPost(
        `${url}/v1/images`,
        { authorization: `Bearer ${key}` },
        { caseId },
        { name: 'file', fileName: 'bench.jpg', contentType: 'application/octet-stream', bytes },
      );
    const send201 = async (req: PreparedRequest) => {
      const res = await send(req);
      if (res.status !== 201) throw new Error(`upload answered ${res.status}: ${res.text}`);
    };
    const upload = (url: string, bytes: Buffer) => send201(prepare(url, bytes));

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
      const requests = files.map((f) => prepare(service.url, f)); // built before the clock starts
      const serviceCpu0 = await service.cpuSeconds();
      const threads0 = await service.cpuByThread();
      const benchCpu0 = process.cpuUsage();
      const machine0 = await machineCpuSeconds();
      const httpS = await profiled('ingest-client', () => timedPool(requests, HTTP_CONCURRENCY, send201));
      const machineCpu = (await machineCpuSeconds()) - machine0;
      const benchCpu = process.cpuUsage(benchCpu0);
      const serviceCpu = (await service.cpuSeconds()) - serviceCpu0;
      const threads = await service.cpuByThread();
      http = files.length / httpS;
      console.log(
        `HTTP ingest (multipart -> spool+sha256 -> normalize -> 3 puts to s3rver -> Postgres row, ` +
          `${HTTP_CONCURRENCY} clients): ${http.toFixed(2)} images/s, files ${avg.toFixed(2)} MB on average`,
      );
      console.log(
        `  CPU: service ${perImage(serviceCpu * 1e6)}; client + s3rver (this process) ${perImage(benchCpu.user + benchCpu.system)}`,
      );
      const bareCpuS = (bareCpu.user + bareCpu.system) / 1e6;
      const clientCpu = (benchCpu.user + benchCpu.system) / 1e6;
      // What the figures above imply on machines where the clients and S3 are elsewhere (production):
      // throughput then follows CPU per image. Printed to explain the ratio, not instead of it.
      console.log(
        `  bare CPU / service CPU per image: ${(bareCpuS / serviceCpu).toFixed(2)}; ` +
          `CPU share taken by client + s3rver: ${((100 * clientCpu) / (clientCpu + serviceCpu)).toFixed(0)}%`,
      );
      // The rig's share of this machine (CPU seconds over the phase): what a service costing nothing
      // beyond the bare normalization could reach here, where images/s follows CPU per image.
      const rigCpu = clientCpu + Math.max(0, machineCpu - serviceCpu - clientCpu);
      console.log(
        `  rest of the machine (PostgreSQL, Redis, kernel): ${perImage(Math.max(0, machineCpu - serviceCpu - clientCpu) * 1e6)}; ` +
          `machine busy ${((100 * machineCpu) / (httpS * cpus().length)).toFixed(0)}% of ${cpus().length} cores; ` +
          `highest ratio on this machine for a service that did nothing but the bare normalization: ` +
          `${(bareCpuS / (bareCpuS + rigCpu)).toFixed(2)}`,
      );
      const byThread = [...threads].map(([name, s]) => [name, s - (threads0.get(name) ?? 0)] as const);
      console.log(
        `  service CPU by thread: ${byThread
          .filter(([, s]) => s > 0)
          .sort((a, b) => b[1] - a[1])
          .map(([name, s]) => `${name} ${perImage(s * 1e6)}`)
          .join(', ')}`,
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
    await servers.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
