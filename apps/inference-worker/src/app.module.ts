import { DynamicModule, Module } from '@nestjs/common';
import type { WorkerConfig } from '@dg/config';
import { ObservabilityModule } from '@dg/observability';
import type { JobProducer } from '@dg/queue';
import type { ObjectStore } from '@dg/storage';
import { RunAssessmentProcessor } from './assessments/run-assessment.processor';
import { RunAssessmentService } from './assessments/run-assessment.service';
import { InfrastructureModule, type EngineFactory } from './infrastructure/infrastructure.module';
import { OBJECT_STORE, RESULTS_PRODUCER } from './infrastructure/tokens';
import { ModelService } from './model/model.service';

export interface WorkerOptions {
  /**
   * Replaces the ONNX Runtime engine, for measuring the pipeline alone (bench:pipeline's no-op
   * engine). Never set by main.ts.
   */
  engineFactory?: EngineFactory;
}

/** The GPU worker: no public HTTP beyond health and metrics. */
@Module({})
export class InferenceWorkerModule {
  static forRoot(config: WorkerConfig, options: WorkerOptions = {}): DynamicModule {
    return {
      module: InferenceWorkerModule,
      imports: [
        InfrastructureModule.forRoot(config, options.engineFactory),
        ObservabilityModule.forRoot({
          service: 'inference-worker',
          logLevel: config.LOG_LEVEL,
          readiness: {
            inject: [ModelService, RESULTS_PRODUCER, OBJECT_STORE],
            useFactory: (model: ModelService, results: JobProducer<'results'>, store: ObjectStore) => [
              { name: 'model', check: () => model.check() },
              { name: 'queue', check: () => results.ping() },
              { name: 'storage', check: () => store.ping() },
            ],
          },
        }),
      ],
      providers: [RunAssessmentService, RunAssessmentProcessor],
    };
  }
}
