import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunAssessmentJob } from '@dg/contracts';
import { loadConfig, WorkerEnvSchema } from '@dg/config';
import { SharpImageCodec } from '@dg/imaging';
import sharp from 'sharp';
import {
  taskDefinition,
  type ChatPrompt,
  type GenerateOptions,
  type Generation,
  type InferenceEngine,
} from '@dg/inference';
import { PermanentJobError } from '@dg/queue';
import { FsObjectStore } from '@dg/storage';
import { ModelService } from '../model/model.service';
import { JobTimeoutError, RunAssessmentService } from './run-assessment.service';

// The use case with its ports filled by in-memory stand-ins: this spec is about what gets
// published when, not about inference (the e2e spec runs the real engine).
const generation: Generation = {
  text: 'Findings consistent with caries.',
  tokenIds: [1, 2, 3],
  stats: {
    promptTokens: 40,
    completionTokens: 3,
    stopReason: 'stop-token',
    timeToFirstTokenMs: 5,
    totalMs: 9,
    visionMs: 0,
  },
};

function setup(generate: (p: ChatPrompt, o: GenerateOptions) => Promise<Generation>, env: Record<string, string> = {}) {
  const engine: InferenceEngine = {
    info: {
      modelId: 'dentalgemma-test',
      weightsDigest: `sha256:${'a'.repeat(64)}`,
      variant: 'fp32',
      executionProvider: 'cpu',
      loadMs: 1,
      imageSize: 896,
    },
    generate: jest.fn(generate),
    scoreCandidates: jest.fn(async (_p: ChatPrompt, candidates: string[]) =>
      candidates.map((candidate, i) => ({
        candidate,
        tokenIds: [i],
        logProb: -i,
        probability: i === 0 ? 0.9 : 0.1 / (candidates.length - 1),
      })),
    ),
    dispose: async () => undefined,
  };
  const published: { name: string; payload: any; jobId: string }[] = [];
  const results = {
    add: async (name: string, payload: unknown, opts: { jobId: string }) =>
      void published.push({ name, payload, jobId: opts.jobId }),
  };
  const config = loadConfig(WorkerEnvSchema, { MODEL_DIR: '/m', REDIS_URL: 'redis://x:1', ...env });
  return { engine, published, results, config };
}

async function service(s: ReturnType<typeof setup>, store?: FsObjectStore) {
  const model = new ModelService(async () => s.engine);
  await model.load();
  store ??= new FsObjectStore(await mkdtemp(join(tmpdir(), 'dg-worker-spec-')));
  return new RunAssessmentService(model, store, new SharpImageCodec(), s.results as never, s.config);
}

/** An image task on a panoramic whose derivative is at `key`. */
const imageJob = (task: RunAssessmentJob['task'], key: string): RunAssessmentJob => ({
  ...textJob(),
  task,
  input: { kind: 'image', imageId: '33333333-3333-4333-8333-333333333333', normalizedKey: key, modality: 'panoramic' },
});

const textJob = (lane: 'interactive' | 'batch' = 'interactive'): RunAssessmentJob => ({
  assessmentId: '11111111-1111-4111-8111-111111111111',
  tenantId: '22222222-2222-4222-8222-222222222222' as never,
  task: 'case-analysis',
  input: { kind: 'text', caseText: { age: 40, chiefComplaint: 'pain' } },
  lane,
});

describe('RunAssessmentService', () => {
  it('publishes started, then the result with its provenance', async () => {
    const s = setup(async () => generation);
    const id = '11111111-1111-4111-8111-111111111111';
    await (await service(s)).run(textJob(), { jobId: id, attempt: 1, maxAttempts: 3 });
    expect(s.published.map((p) => p.name)).toEqual(['assessment.started', 'assessment.completed']);
    expect(s.published[1]!.payload).toMatchObject({
      rawText: generation.text,
      provenance: {
        modelId: 'dentalgemma-test',
        weightsDigest: `sha256:${'a'.repeat(64)}`,
        promptVersion: 'case-analysis@1',
      },
      stats: generation.stats,
    });
    expect(s.published.map((p) => p.jobId)).toEqual([`${id}.started.1`, `${id}.completed`]);
    const [prompt, opts] = (s.engine.generate as jest.Mock).mock.calls[0];
    expect(prompt.user).toMatch(/40-year-old/);
    expect(opts).toMatchObject({ maxNewTokens: 512, priority: 0 });
  });

  it('fills class fields by candidate scoring on the same image, and keeps the distribution', async () => {
    const s = setup(async () => ({ ...generation, text: 'mumble' }));
    const store = new FsObjectStore(await mkdtemp(join(tmpdir(), 'dg-worker-spec-')));
    const png = await sharp({ create: { width: 896, height: 896, channels: 3, background: '#808080' } })
      .png()
      .toBuffer();
    await store.put('derivatives/x.png', png);
    const job = imageJob('pathology-classification', 'derivatives/x.png');
    await (await service(s, store)).run(job, { jobId: 'j', attempt: 1, maxAttempts: 3 });
    const specs = taskDefinition('pathology-classification').scoring!;
    expect(s.engine.scoreCandidates).toHaveBeenCalledTimes(specs.length);
    const [prompt, candidates, scoreOpts] = (s.engine.scoreCandidates as jest.Mock).mock.calls[0];
    expect(scoreOpts).toEqual({ priority: 0 }); // the interactive lane's scoring goes first too
    expect(prompt.pixelValues).toHaveLength(3 * 896 * 896);
    expect(candidates).toEqual(specs[0]!.candidates.map((c) => c.text));
    const output = s.published.at(-1)!.payload.output;
    expect(output.scores[specs[0]!.field][0]).toEqual({ value: specs[0]!.candidates[0]!.value, probability: 0.9 });
    expect(output.rawText ?? output.text).toBe('mumble');
  });

  it("reuses an image job's pixel buffer only once the engine is done with it, even after a time-out", async () => {
    let release!: () => void;
    const seen: Float32Array[] = [];
    const s = setup(
      (prompt) => {
        seen.push(prompt.pixelValues!);
        // The first generation hangs past the job's time-out; the others answer at once.
        return seen.length === 1
          ? new Promise<Generation>((resolve) => (release = () => resolve(generation)))
          : Promise.resolve(generation);
      },
      // The deadline covers the image read too: room for a slow decode on a busy CI machine, where
      // the runs after the first must finish in time.
      { JOB_TIMEOUT_MS: '5000' },
    );
    const store = new FsObjectStore(await mkdtemp(join(tmpdir(), 'dg-worker-spec-')));
    await store.put(
      'derivatives/g.png',
      await sharp({ create: { width: 896, height: 896, channels: 3, background: '#404040' } })
        .png()
        .toBuffer(),
    );
    const job = imageJob('radiographic-report', 'derivatives/g.png');
    const svc = await service(s, store);
    const ctx = { jobId: 'j', attempt: 1, maxAttempts: 3 };
    await expect(svc.run(job, ctx)).rejects.toBeInstanceOf(JobTimeoutError);
    await svc.run(job, ctx); // while the first engine call still holds its buffer
    expect(seen[1]).not.toBe(seen[0]);
    release();
    await new Promise((r) => setImmediate(r));
    await svc.run(job, ctx);
    expect(seen[2]).toBe(seen[0]); // given back once its engine call settled
    expect(seen[2]![0]).toBeCloseTo(0x40 / 127.5 - 1, 6);
  });

  it('asks the engine to serve the batch lane after the interactive one', async () => {
    const s = setup(async () => generation);
    await (await service(s)).run(textJob('batch'), { jobId: 'j', attempt: 1, maxAttempts: 3 });
    expect((s.engine.generate as jest.Mock).mock.calls[0][1]).toMatchObject({ priority: 1 });
  });

  it('fails at once, as permanent, when the image is gone', async () => {
    const s = setup(async () => generation);
    const job = imageJob('pathology-classification', 'derivatives/missing.png');
    await expect((await service(s)).run(job, { jobId: 'j', attempt: 1, maxAttempts: 3 })).rejects.toBeInstanceOf(
      PermanentJobError,
    );
    expect(s.published.at(-1)).toMatchObject({ name: 'assessment.failed', payload: { permanent: true } });
    expect(s.engine.generate).not.toHaveBeenCalled();
  });

  it('leaves a transient failure to the retries, and reports it on the last attempt', async () => {
    const s = setup(async () => {
      throw new Error('CUDA out of memory');
    });
    const svc = await service(s);
    await expect(svc.run(textJob(), { jobId: 'j', attempt: 1, maxAttempts: 3 })).rejects.toThrow('CUDA out of memory');
    expect(s.published.map((p) => p.name)).toEqual(['assessment.started']);
    await expect(svc.run(textJob(), { jobId: 'j', attempt: 3, maxAttempts: 3 })).rejects.toThrow('CUDA out of memory');
    expect(s.published.at(-1)).toMatchObject({
      name: 'assessment.failed',
      payload: { permanent: false, error: 'CUDA out of memory' },
    });
  });

  it("gives a dead-letter retry's reports ids of their own, so none is dropped as the first run's", async () => {
    const s = setup(async () => {
      throw new Error('CUDA out of memory');
    });
    const svc = await service(s);
    const id = '11111111-1111-4111-8111-111111111111';
    await expect(svc.run(textJob(), { jobId: id, attempt: 1, maxAttempts: 1 })).rejects.toThrow();
    await expect(svc.run(textJob(), { jobId: `${id}.retry.1`, attempt: 1, maxAttempts: 1 })).rejects.toThrow();
    expect(s.published.map((p) => p.jobId)).toEqual([
      `${id}.started.1`,
      `${id}.failed`,
      `${id}.retry.1.started.1`,
      `${id}.retry.1.failed`,
    ]);
  });

  it('times a hanging image read out as a transient failure, within the same job deadline', async () => {
    const s = setup(async () => generation, { JOB_TIMEOUT_MS: '30' });
    const hanging = { get: () => new Promise<Buffer>(() => undefined) } as unknown as FsObjectStore;
    const job = imageJob('radiographic-report', 'd/x.png');
    await expect(
      (await service(s, hanging)).run(job, { jobId: 'j', attempt: 1, maxAttempts: 3 }),
    ).rejects.toBeInstanceOf(JobTimeoutError);
    expect(s.engine.generate).not.toHaveBeenCalled();
  });

  it('times a wedged generation out as a transient failure', async () => {
    const s = setup(() => new Promise<Generation>(() => undefined), { JOB_TIMEOUT_MS: '30' });
    await expect((await service(s)).run(textJob(), { jobId: 'j', attempt: 1, maxAttempts: 3 })).rejects.toBeInstanceOf(
      JobTimeoutError,
    );
  });
});
