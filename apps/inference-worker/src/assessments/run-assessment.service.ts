import { hostname } from 'node:os';
import { Inject, Injectable } from '@nestjs/common';
import type { RunAssessmentJob } from '@dg/contracts';
import type { WorkerConfig } from '@dg/config';
import { CorruptImageError, type ImageCodec } from '@dg/imaging';
import {
  mergeScores,
  PromptTooLongError,
  SYSTEM_PROMPT,
  taskDefinition,
  PixelBufferPool,
  toPixelValues,
  type ChatPrompt,
  type InferenceEngine,
  type TaskDefinition,
} from '@dg/inference';
import { PermanentJobError, type JobContext, type JobProducer } from '@dg/queue';
import { ObjectNotFoundError, type ObjectStore } from '@dg/storage';
import { CONFIG, IMAGE_CODEC, OBJECT_STORE, RESULTS_PRODUCER } from '../infrastructure/tokens';
import { ModelService } from '../model/model.service';

/** Errors no retry can fix: the job is failed at once and the failure is reported as permanent. */
const PERMANENT = [CorruptImageError, ObjectNotFoundError, PromptTooLongError];

/**
 * One assessment: load the normalized image, build the task's prompt, generate, parse, and publish
 * the result with its provenance. The worker owns no table; case-api stores what is published.
 */
@Injectable()
export class RunAssessmentService {
  private readonly workerName = `${hostname()}:${process.pid}`;
  private readonly buffers: PixelBufferPool;

  constructor(
    private readonly model: ModelService,
    @Inject(OBJECT_STORE) private readonly store: ObjectStore,
    @Inject(IMAGE_CODEC) private readonly codec: ImageCodec,
    @Inject(RESULTS_PRODUCER) private readonly results: Pick<JobProducer<'results'>, 'add'>,
    @Inject(CONFIG) private readonly config: WorkerConfig,
  ) {
    this.buffers = new PixelBufferPool(config.WORKER_CONCURRENCY ?? config.BATCH_MAX_SIZE);
  }

  async run(job: RunAssessmentJob, ctx: JobContext): Promise<void> {
    const ids = { assessmentId: job.assessmentId, tenantId: job.tenantId };
    // Result ids derive from this job's id (the assessment id, or a dead-letter retry's own id), so
    // a retried assessment's reports are never taken for the earlier run's and dropped.
    // Sent while the image is fetched and decoded; case-api applies it only to a queued assessment,
    // so arriving after the outcome changes nothing.
    const startedAt = new Date().toISOString();
    const started = this.results.add(
      'assessment.started',
      { ...ids, startedAt, worker: this.workerName },
      { jobId: `${ctx.jobId}.started.${ctx.attempt}` },
    );
    started.catch(() => undefined); // awaited below; never an unhandled rejection meanwhile
    // One deadline for the whole job: a hanging image read counts as much as a wedged generation.
    const deadline = Date.now() + this.config.JOB_TIMEOUT_MS;
    try {
      const engine = this.model.get();
      const task = taskDefinition(job.task);
      const prompt: ChatPrompt = {
        system: SYSTEM_PROMPT,
        user: task.buildPrompt({
          modality: job.input.kind === 'image' ? job.input.modality : undefined,
          caseText: job.input.caseText,
        }),
        pixelValues:
          job.input.kind === 'image'
            ? await withTimeout(this.pixels(job.input.normalizedKey, engine.info.imageSize), deadline)
            : undefined,
      };
      await started;
      const maxNewTokens =
        task.maxNewTokens === 'image' ? this.config.MAX_NEW_TOKENS_IMAGE : this.config.MAX_NEW_TOKENS_TEXT;
      const priority = job.lane === 'interactive' ? 0 : 1;
      const inference = this.infer(engine, task, prompt, maxNewTokens, priority);
      // The pixel buffer goes back to the pool when the engine is done with it, which after a
      // time-out is later than this job.
      const pixels = prompt.pixelValues;
      if (pixels)
        inference.then(
          () => this.buffers.give(pixels),
          () => this.buffers.give(pixels),
        );
      const { generation, output } = await withTimeout(inference, deadline);
      await this.results.add(
        'assessment.completed',
        {
          ...ids,
          provenance: {
            modelId: engine.info.modelId,
            weightsDigest: engine.info.weightsDigest,
            promptVersion: task.promptVersion,
            contractVersion: task.contractVersion,
          },
          rawText: generation.text,
          output,
          stats: generation.stats,
          startedAt,
          completedAt: new Date().toISOString(),
        },
        { jobId: `${ctx.jobId}.completed` },
      );
    } catch (error) {
      const permanent = PERMANENT.some((type) => error instanceof type) || error instanceof PermanentJobError;
      if (permanent || ctx.attempt >= ctx.maxAttempts)
        await this.reportFailure(job, ctx.jobId, (error as Error).message, permanent);
      throw permanent ? new PermanentJobError((error as Error).message) : error;
    }
  }

  /**
   * The assessment's final failure, for case-api to record. run() sends it when it gives up; the
   * processor sends it for failures run() never sees (BullMQ fails a job that stalled too often
   * before any handler runs). One id per job, so a second report of the same failure is dropped.
   */
  reportFailure(
    job: Pick<RunAssessmentJob, 'assessmentId' | 'tenantId'>,
    jobId: string,
    error: string,
    permanent: boolean,
  ): Promise<unknown> {
    return this.results.add(
      'assessment.failed',
      {
        assessmentId: job.assessmentId,
        tenantId: job.tenantId,
        error,
        permanent,
        failedAt: new Date().toISOString(),
      },
      { jobId: `${jobId}.failed` },
    );
  }

  /**
   * The answer, parsed into the task's contract, with each class field's score distribution from
   * candidate scoring merged in (the text's own value always wins; see the tasks README).
   */
  private async infer(
    engine: InferenceEngine,
    task: TaskDefinition,
    prompt: ChatPrompt,
    maxNewTokens: number,
    priority: number,
  ) {
    const generation = await engine.generate(prompt, { maxNewTokens, priority });
    let output = task.parse(generation.text, {
      stopReason: generation.stats.stopReason,
      assessmentDate: new Date().toISOString(),
    });
    for (const spec of task.scoring ?? []) {
      const scores = await engine.scoreCandidates(
        { system: prompt.system, user: spec.question, pixelValues: prompt.pixelValues },
        spec.candidates.map((c) => c.text),
        { priority },
      );
      output = mergeScores(output, spec, scores);
    }
    const valid = task.outputSchema?.safeParse(output);
    if (valid && !valid.success)
      throw new PermanentJobError(`output breaks ${task.contractVersion}: ${valid.error.message}`);
    return { generation, output };
  }

  private async pixels(key: string, size: number): Promise<Float32Array> {
    const image = await this.codec.decodePixels(await this.store.get(key));
    return toPixelValues(image, size, this.buffers.take(3 * size * size));
  }
}

export class JobTimeoutError extends Error {
  override readonly name = 'JobTimeoutError';
}

/**
 * Work still running at the job's deadline (an image read, a generation) fails the attempt, which
 * is retried, so a wedged job cannot hold its slot for ever. Neither can be cancelled; a late result
 * is dropped (a late pixel buffer is left to the garbage collector, not the pool).
 */
function withTimeout<T>(work: Promise<T>, deadline: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new JobTimeoutError('job exceeded its time limit (JOB_TIMEOUT_MS)')),
      Math.max(0, deadline - Date.now()),
    );
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}
