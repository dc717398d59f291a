import 'reflect-metadata';
import { IngestionEnvSchema, loadConfig, WorkerEnvSchema } from '@dg/config';
import { createPrismaClient, type PrismaClient } from '@dg/db';
import { MODEL_INPUT_SIZE, SharpImageCodec } from '@dg/imaging';
import {
  OnnxDentalGemmaEngine,
  SYSTEM_PROMPT,
  taskDefinition,
  toPixelValues,
  type InferenceEngine,
} from '@dg/inference';
import { createObjectStore } from '@dg/storage';
import { profiled } from '../../shared/profile';
import { bareLoop } from './bare-loop';
import { bareWork } from './bare-work';
import { BenchClient, distinctImages, percentile, pool } from './client';
import { NOOP_REPORT, NoopEngine } from './noop-engine';
import { engineSettings } from '../../../../apps/inference-worker/src/app';
import { startPlatform } from './platform';
import { startStack, type BenchStack } from './stack';

const JOBS = Number(process.env['BENCH_JOBS'] ?? 400);
const TINY_JOBS = Number(process.env['BENCH_TINY_JOBS'] ?? 48);
const SAMPLES = Number(process.env['BENCH_SAMPLES'] ?? 100);
const CLIENTS = Number(process.env['BENCH_CLIENTS'] ?? 16);
const CONCURRENCY = Number(process.env['BENCH_WORKER_CONCURRENCY'] ?? 8);

/**
 * `npm run bench:pipeline`: the assessment pipeline (case-api request -> outbox -> BullMQ -> worker
 * -> results queue -> case-api store) against a bare BullMQ add-and-process loop on the same Redis in
 * the same run, first with a no-op engine (the pipeline alone), then with the tiny model on ONNX
 * Runtime; then the pipeline's own latency, upload accepted to assessment stored minus engine time.
 * Prints figures; asserts nothing.
 */
async function main(): Promise<void> {
  const stack = await startStack();
  const prisma = createPrismaClient(stack.env['DATABASE_URL']!, 2);
  try {
    const images = await distinctImages(JOBS + 2 * SAMPLES);
    const env = { ...stack.env, WORKER_CONCURRENCY: String(CONCURRENCY) };
    console.log(
      `${JOBS} jobs (tiny model: ${TINY_JOBS}), ${CLIENTS} clients, worker concurrency ${CONCURRENCY}, task radiographic-report`,
    );

    // 1. No-op engine: the pipeline alone.
    const platform = await startPlatform(env, async () => new NoopEngine(NOOP_REPORT));
    const client = new BenchClient(platform, stack.key, stack.caseId);
    const imageIds = await pool(images.slice(0, JOBS), 4, (b) => client.upload(b));
    await throughput(prisma, client, imageIds.slice(0, 20)); // warm-up: JIT, pools, connections
    const noopE2e = await profiled('pipeline-noop', () => throughput(prisma, client, imageIds));
    const noopOverhead = await overhead(prisma, client, images.slice(JOBS, JOBS + SAMPLES));
    await platform.close();
    const noopBare = await bareLoop({
      redisUrl: stack.redisUrl,
      jobs: JOBS,
      producers: CLIENTS,
      concurrency: CONCURRENCY,
      work: async () => undefined,
    });
    // The same empty work in the pipeline's queue shape: a job, then "started" and "completed" on a
    // results queue a second consumer drains (the three BullMQ hops every assessment makes).
    const shapedBare = await bareLoop({
      redisUrl: stack.redisUrl,
      jobs: JOBS,
      producers: CLIENTS,
      concurrency: CONCURRENCY,
      work: async () => undefined,
      resultEvents: 2,
    });
    const keys = (
      await prisma.image.findMany({ where: { id: { in: imageIds } }, select: { normalizedKey: true } })
    ).map((i) => i.normalizedKey);
    const work = await bareWork(stack.env, keys, MODEL_INPUT_SIZE);
    const workBare = await bareLoop({
      redisUrl: stack.redisUrl,
      jobs: JOBS,
      producers: CLIENTS,
      concurrency: CONCURRENCY,
      prepare: work.prepare,
      work: work.work,
    });
    await work.close();
    const noopRatio = noopE2e / noopBare;
    row('no-op engine', noopE2e, noopBare);
    console.log(
      `${''.padEnd(28)} bare BullMQ in the pipeline's queue shape (job + 2 result events, no other work): ` +
        `${shapedBare.toFixed(1)} jobs/s, so even a pipeline that cost nothing else would score ` +
        `${(shapedBare / noopBare).toFixed(2)} against the empty loop; ratio to it ${(noopE2e / shapedBare).toFixed(2)}`,
    );
    console.log(
      `${''.padEnd(28)} against bare BullMQ + the same per-job work (row insert, S3 GET, decode to pixel ` +
        `values, row update): ${workBare.toFixed(1)} jobs/s, ratio ${(noopE2e / workBare).toFixed(2)}`,
    );
    latency('no-op engine', noopOverhead);

    // 2. The tiny model on ONNX Runtime: the same pipeline with a real engine in it.
    if (TINY_JOBS > 0) await tinyModel(stack, env, prisma, imageIds, images.slice(JOBS + SAMPLES));

    console.log(
      `pipeline overhead p50: ${percentile(noopOverhead, 50).toFixed(1)} ms with the no-op engine (target < 25)`,
    );
    console.log(`pipeline: ${noopRatio.toFixed(2)} (target >= 0.8)`);
  } finally {
    await prisma.$disconnect();
    await stack.stop();
  }
}

async function tinyModel(
  stack: BenchStack,
  env: Record<string, string>,
  prisma: PrismaClient,
  imageIds: string[],
  fresh: Buffer[],
): Promise<void> {
  {
    const platform = await startPlatform({ ...env, WORKER_CONCURRENCY: '8' }, undefined);
    const client = new BenchClient(platform, stack.key, stack.caseId);
    const tinyE2e = await throughput(prisma, client, imageIds.slice(0, TINY_JOBS));
    const tinyOverhead = await overhead(prisma, client, fresh);
    await platform.close();
    const engine = await loadTiny(stack);
    const pixels = await derivativePixels(prisma, stack, imageIds[0]!, engine.info.imageSize);
    const task = taskDefinition('radiographic-report');
    const prompt = { system: SYSTEM_PROMPT, user: task.buildPrompt({ modality: 'panoramic' }), pixelValues: pixels };
    const maxNewTokens = Number(stack.env['MAX_NEW_TOKENS_IMAGE']);
    const tinyBare = await bareLoop({
      redisUrl: stack.redisUrl,
      jobs: TINY_JOBS,
      producers: CLIENTS,
      concurrency: 8,
      work: () => engine.generate(prompt, { maxNewTokens }),
    });
    await engine.dispose();
    row('tiny model (ONNX Runtime)', tinyE2e, tinyBare);
    latency('tiny model (ONNX Runtime)', tinyOverhead);
  }
}

/** Jobs per second from the first request to the last assessment stored, `clients` at a time. */
async function throughput(prisma: PrismaClient, client: BenchClient, imageIds: string[]): Promise<number> {
  const started = Date.now();
  const ids = await pool(imageIds, CLIENTS, (id) => client.requestAssessment(id));
  for (;;) {
    const done = await prisma.assessment.aggregate({
      where: { id: { in: ids }, status: { in: ['completed', 'failed'] } },
      _count: { _all: true },
      _max: { updatedAt: true },
    });
    if (done._count._all === ids.length) {
      const failed = await prisma.assessment.count({ where: { id: { in: ids }, status: 'failed' } });
      if (failed) throw new Error(`${failed} assessments failed`);
      await stages(prisma, ids);
      return ids.length / ((done._max.updatedAt!.getTime() - started) / 1000);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * One chairside request at a time: upload, request the assessment as soon as the upload is
 * accepted, wait until it is stored. From the rows: stored (the completed row's last write) minus
 * accepted (the image row's insert) minus the engine's own time (stats.totalMs).
 */
async function overhead(prisma: PrismaClient, client: BenchClient, images: Buffer[]): Promise<number[]> {
  const out: number[] = [];
  const ids: string[] = [];
  for (const bytes of images) {
    const imageId = await client.upload(bytes);
    const id = await client.requestAssessment(imageId);
    ids.push(id);
    for (;;) {
      // Timed from the rows, not from this loop: polling more often would only take CPU from the
      // services measured (they share this event loop) and make the figure worse than it is.
      await new Promise((r) => setTimeout(r, 15));
      const a = await prisma.assessment.findUniqueOrThrow({ where: { id }, include: { image: true } });
      if (a.status === 'failed') throw new Error(`assessment failed: ${a.error}`);
      if (a.status === 'completed') {
        out.push(a.updatedAt.getTime() - a.image!.createdAt.getTime() - (a.totalMs ?? 0));
        break;
      }
    }
  }
  await stages(prisma, ids);
  return out;
}

/** Where an assessment's time went: waiting for a worker, in the worker, waiting to be stored. */
async function stages(prisma: PrismaClient, ids: string[]): Promise<void> {
  const rows = await prisma.assessment.findMany({ where: { id: { in: ids } }, include: { image: true } });
  const gap = (pick: (a: (typeof rows)[number]) => number) => `p50 ${percentile(rows.map(pick), 50).toFixed(0)} ms`;
  console.log(
    `  stages: upload accepted -> request ${gap((a) => a.createdAt.getTime() - a.image!.createdAt.getTime())}, request -> worker start ${gap((a) => a.startedAt!.getTime() - a.createdAt.getTime())}, ` +
      `worker ${gap((a) => a.completedAt!.getTime() - a.startedAt!.getTime())}, ` +
      `worker done -> stored ${gap((a) => a.updatedAt.getTime() - a.completedAt!.getTime())}`,
  );
}

/** The tiny model with the worker's own settings (same config defaults, same batcher). */
function loadTiny(stack: BenchStack): Promise<InferenceEngine> {
  return OnnxDentalGemmaEngine.load(engineSettings(loadConfig(WorkerEnvSchema, stack.env), stack.modelDir));
}

async function derivativePixels(prisma: PrismaClient, stack: BenchStack, imageId: string, size: number) {
  const image = await prisma.image.findUniqueOrThrow({ where: { id: imageId } });
  const store = createObjectStore(loadConfig(IngestionEnvSchema, stack.env));
  return toPixelValues(await new SharpImageCodec().decodePixels(await store.get(image.normalizedKey)), size);
}

function row(title: string, e2e: number, bare: number): void {
  console.log(
    `${title.padEnd(28)} pipeline ${e2e.toFixed(1).padStart(7)} jobs/s   bare BullMQ ${bare.toFixed(1).padStart(7)} jobs/s   ratio ${(e2e / bare).toFixed(2)}`,
  );
}

function latency(title: string, ms: number[]): void {
  console.log(
    `${title.padEnd(28)} overhead (upload accepted -> stored, minus engine) p50 ${percentile(ms, 50).toFixed(1)} ms   p99 ${percentile(ms, 99).toFixed(1)} ms`,
  );
}

main().catch((error) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
