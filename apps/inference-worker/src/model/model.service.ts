import { Inject, Injectable, Logger, OnApplicationShutdown, Optional } from '@nestjs/common';
import type { InferenceEngine } from '@dg/inference';
import { METRICS_REGISTRY } from '@dg/observability';
import { Registry } from 'prom-client';
import { engineMetrics } from './engine-metrics';
import { ENGINE_FACTORY } from '../infrastructure/tokens';
import type { EngineFactory } from '../infrastructure/infrastructure.module';

/**
 * Owns the one engine of this process: loaded once, at start, under a single promise (never per
 * job), reported through readiness, released on shutdown.
 */
@Injectable()
export class ModelService implements OnApplicationShutdown {
  private readonly logger = new Logger(ModelService.name);
  private engine?: InferenceEngine;
  private loading?: Promise<InferenceEngine>;
  private failure?: Error;

  private readonly metrics: ReturnType<typeof engineMetrics>;

  constructor(
    @Inject(ENGINE_FACTORY) private readonly factory: EngineFactory,
    @Optional() @Inject(METRICS_REGISTRY) registry: Registry = new Registry(),
  ) {
    this.metrics = engineMetrics(registry);
  }

  load(): Promise<InferenceEngine> {
    this.loading ??= this.factory((msg) => this.logger.warn(msg), this.metrics).then(
      (engine) => {
        this.engine = engine;
        this.metrics.modelLoaded(engine.info);
        this.logger.log({ ...engine.info }, 'model loaded');
        return engine;
      },
      (error: Error) => {
        this.failure = error;
        this.logger.error({ err: error.message }, 'model failed to load');
        throw error;
      },
    );
    return this.loading;
  }

  get(): InferenceEngine {
    if (!this.engine) throw new Error('model not loaded yet');
    return this.engine;
  }

  /** Readiness: false (with the reason) until the weights are loaded and verified. */
  async check(): Promise<void> {
    if (this.engine) return;
    throw this.failure ?? new Error('model is loading');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.engine?.dispose();
  }
}
