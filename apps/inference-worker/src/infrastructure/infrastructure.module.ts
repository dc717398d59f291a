import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import type { WorkerConfig } from '@dg/config';
import { SharpImageCodec } from '@dg/imaging';
import {
  OnnxDentalGemmaEngine,
  readManifest,
  resolveModelDir,
  type EngineLoadOptions,
  type EngineObserver,
  type InferenceEngine,
} from '@dg/inference';
import { JobProducer, queueConnection } from '@dg/queue';
import { createObjectStore, S3ObjectStore } from '@dg/storage';
import { ModelService } from '../model/model.service';
import { CONFIG, ENGINE_FACTORY, IMAGE_CODEC, OBJECT_STORE, QUEUE_CONNECTION, RESULTS_PRODUCER } from './tokens';

/** How the worker's configuration loads the engine (bench:pipeline's baseline loads it the same way). */
export function engineSettings(config: WorkerConfig, dir: string): EngineLoadOptions {
  return {
    dir,
    modelId: config.MODEL_ID,
    variant: config.MODEL_VARIANT,
    session: {
      providers: config.EXECUTION_PROVIDERS,
      intraOpThreads: config.INTRA_OP_THREADS,
      graphOptimizationLevel: config.GRAPH_OPTIMIZATION_LEVEL,
      enableCpuMemArena: config.ENABLE_CPU_MEM_ARENA,
      deviceCache: config.DEVICE_KV_CACHE,
    },
    batching: { maxBatchSize: config.BATCH_MAX_SIZE, maxWaitMs: config.BATCH_MAX_WAIT_MS },
  };
}

export type EngineFactory = (log: (msg: string) => void, observer: EngineObserver) => Promise<InferenceEngine>;

@Global()
@Module({})
export class InfrastructureModule implements OnApplicationShutdown {
  constructor(@Inject(RESULTS_PRODUCER) private readonly results: JobProducer<'results'>) {}

  static forRoot(config: WorkerConfig, override?: EngineFactory) {
    const conn = queueConnection(config);
    const onnxEngine: EngineFactory = async (log, observer) => {
      const dir = await resolveModelDir(config.MODEL_DIR, {
        cacheDir: config.MODEL_CACHE_DIR,
        // The model bucket is named by the URI; endpoint and credentials are the deployment's.
        openBucket: (bucket) =>
          new S3ObjectStore({
            bucket,
            region: config.S3_REGION,
            endpoint: config.S3_ENDPOINT,
            accessKeyId: config.S3_ACCESS_KEY_ID,
            secretAccessKey: config.S3_SECRET_ACCESS_KEY,
            forcePathStyle: config.S3_FORCE_PATH_STYLE,
          }),
        log,
      });
      // The generated test model loads like the real one; in production that would be a silent disaster.
      if (config.NODE_ENV === 'production' && !config.MODEL_ALLOW_TINY && (await readManifest(dir))?.tiny) {
        throw new Error(
          `${config.MODEL_DIR} is the tiny test model (manifest.json "tiny": true): refused in production`,
        );
      }
      return OnnxDentalGemmaEngine.load({ ...engineSettings(config, dir), observer, log });
    };
    return {
      module: InfrastructureModule,
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: QUEUE_CONNECTION, useValue: conn },
        { provide: OBJECT_STORE, useFactory: () => createObjectStore(config) },
        { provide: IMAGE_CODEC, useFactory: () => new SharpImageCodec() },
        { provide: ENGINE_FACTORY, useValue: override ?? onnxEngine },
        // The one model of this process; global so readiness can report on it.
        ModelService,
        {
          provide: RESULTS_PRODUCER,
          // Results must survive a case-api or Postgres outage: many attempts, growing backoff.
          useFactory: () =>
            new JobProducer('results', conn, {
              attempts: 12,
              backoff: { type: 'exponential', delay: 1000 },
              removeOnComplete: { age: 3600, count: 10_000 },
              removeOnFail: false,
            }),
        },
      ],
      exports: [CONFIG, QUEUE_CONNECTION, OBJECT_STORE, IMAGE_CODEC, ENGINE_FACTORY, RESULTS_PRODUCER, ModelService],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.results.close();
  }
}
