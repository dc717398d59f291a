import 'reflect-metadata';
import { readFile } from 'node:fs/promises';
import { createPrismaClient } from '@dg/db';
import { largeSet, throughputSet } from '../../ingest/src/fixtures';
import { timedPool } from '../../ingest/src/pool';
import { startService } from '../../ingest/src/service';
import { multipartPost, send } from '../../shared/http-load';
import { benchTenant, startBenchServers } from '../../shared/servers';
import { postImport, streamedTarUpload, waitCompleted } from './tar-upload';

const FILES = Number(process.env['BENCH_FILES'] ?? 48);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 4);
const BIG_GB = Number(process.env['BENCH_ARCHIVE_GB'] ?? 2);
const BIG_ENTRY_BYTES = 10 * 1024 * 1024;
const MB = 1024 * 1024;

/**
 * `npm run bench:archive`: the same files imported as one archive (streamed tar upload, scan,
 * per-item ingestion) against uploaded one by one through `POST /v1/images` (`BENCH_CONCURRENCY`
 * at a time, the same as the import's IMPORT_CONCURRENCY), each into its own tenant so neither
 * deduplicates against the other; then the service's peak RSS while it imports a `BENCH_ARCHIVE_GB`
 * archive of 10 MB images. Prints figures; asserts nothing.
 */
async function main(): Promise<void> {
  const { pg, env: serverEnv, stop } = await startBenchServers('archive');
  try {
    const prisma = createPrismaClient(pg.url, 2);
    const [single, parallel, archive, big] = [
      await benchTenant(prisma, 'single'),
      await benchTenant(prisma, 'parallel'),
      await benchTenant(prisma, 'archive'),
      await benchTenant(prisma, 'big'),
    ];
    await prisma.$disconnect();
    const env = { ...serverEnv, IMPORT_CONCURRENCY: String(CONCURRENCY) };
    let service = await startService(env, { built: true });
    try {
      const files = await throughputSet(FILES);
      const mb = files.reduce((n, f) => n + f.length, 0) / MB;
      console.log(`${FILES} distinct JPEGs (${mb.toFixed(0)} MB); the import ingests ${CONCURRENCY} at a time`);

      // One request per file: one at a time (the issue's "one by one"), and CONCURRENCY at a time
      // (what a busy integration does), each into its own tenant.
      const uploadAll = (t: { caseId: string; key: string }, concurrency: number) =>
        timedPool(files, concurrency, async (bytes) => {
          const res = await send(
            multipartPost(
              `${service.url}/v1/images`,
              { authorization: `Bearer ${t.key}` },
              { caseId: t.caseId },
              { name: 'file', fileName: 'scan.jpg', contentType: 'image/jpeg', bytes },
            ),
          );
          if (res.status !== 201) throw new Error(`upload answered ${res.status}: ${res.text}`);
        });
      const singleRate = FILES / (await uploadAll(single, 1));
      const parallelRate = FILES / (await uploadAll(parallel, CONCURRENCY));

      const started = process.hrtime.bigint();
      const id = await postImport(
        service.url,
        archive.key,
        streamedTarUpload(FILES, (i) => files[i]!, { caseId: archive.caseId }),
      );
      const accepted = process.hrtime.bigint();
      const phases: string[] = [];
      const since = (t: bigint) => `${(Number(process.hrtime.bigint() - t) / 1e9).toFixed(2)} s`;
      const done = await waitCompleted(service.url, archive.key, id, (s) => phases.push(`${s} at ${since(accepted)}`));
      phases.push(`completed at ${since(accepted)}; upload took ${(Number(accepted - started) / 1e9).toFixed(2)} s`);
      if (done.counts['imported'] !== FILES)
        throw new Error(`imported ${done.counts['imported']} of ${FILES}: ${JSON.stringify(done)}`);
      const archiveRate = FILES / (Number(process.hrtime.bigint() - started) / 1e9);
      console.log(`single uploads, 1 at a time  ${singleRate.toFixed(2).padStart(7)} images/s`);
      console.log(`single uploads, ${CONCURRENCY} at a time  ${parallelRate.toFixed(2).padStart(7)} images/s`);
      console.log(`archive import               ${archiveRate.toFixed(2).padStart(7)} images/s (upload, scan, ingest)`);
      console.log(`  after the 202: ${phases.join(', ')}`);

      let rssLine = 'big archive skipped (BENCH_ARCHIVE_GB=0)';
      if (BIG_GB > 0) {
        const count = Math.ceil((BIG_GB * 1024 * MB) / BIG_ENTRY_BYTES);
        const [base] = await largeSet(1, BIG_ENTRY_BYTES);
        // A fresh process, so its memory is this import's alone (glibc keeps what the earlier
        // phases' decodes took).
        await service.stop();
        service = await startService(env, { built: true });
        const t0 = process.hrtime.bigint();
        // Peak resident memory per phase, sampled: where the memory goes, not just how much.
        let phase = 'upload';
        const rssNow = async () =>
          Number(/VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${service.child.pid}/status`, 'utf8'))?.[1] ?? 0) /
          1024;
        const peaks = new Map<string, number>([['idle before', await rssNow()]]);
        const sampler = setInterval(() => {
          void readFile(`/proc/${service.child.pid}/status`, 'utf8').then(
            (st) => {
              const rss = Number(/VmRSS:\s+(\d+) kB/.exec(st)?.[1] ?? 0) / 1024;
              peaks.set(phase, Math.max(peaks.get(phase) ?? 0, rss));
            },
            () => undefined,
          );
        }, 100);
        const bigId = await postImport(
          service.url,
          big.key,
          streamedTarUpload(count, (i) => distinct(base!, i), { caseId: big.caseId }),
        );
        const bigDone = await waitCompleted(service.url, big.key, bigId, (st) => (phase = st));
        clearInterval(sampler);
        console.log(`  peak RSS by phase (MB): ${[...peaks].map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')}`);
        const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
        const peak = (await service.peakRss()) / MB;
        rssLine =
          `${count} x 10 MB (${((count * base!.length) / 1024 / MB).toFixed(2)} GB) archive: ` +
          `${bigDone.counts['imported']} imported in ${seconds.toFixed(0)} s, service peak RSS ${peak.toFixed(0)} MB (target < 300)`;
      }
      console.log(rssLine);
      console.log(`archive / single uploads ${CONCURRENCY} at a time: ${(archiveRate / parallelRate).toFixed(2)}`);
      console.log(`archive: ${(archiveRate / singleRate).toFixed(2)} (target >= 1.0)`);
    } finally {
      await service.stop();
    }
  } finally {
    await stop();
  }
}

/** The same JPEG with a comment segment naming `i` after SOI: other bytes, same picture. */
function distinct(jpeg: Buffer, i: number): Buffer {
  const text = Buffer.from(`big archive entry ${i}`);
  const com = Buffer.from([0xff, 0xfe, 0, 0]);
  com.writeUInt16BE(text.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), com, text, jpeg.subarray(2)]);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
