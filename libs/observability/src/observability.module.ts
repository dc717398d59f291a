import { DynamicModule, FactoryProvider, Module, Provider } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import { HealthController } from './health.controller';
import { httpLoggerParams } from './logger';
import { createMetricsRegistry, METRICS_REGISTRY, MetricsController } from './metrics';
import { READINESS_CHECKS, ReadinessCheck } from './readiness';

export interface ObservabilityOptions {
  service: string;
  logLevel: string;
  /** Built from the app's own providers, so readiness checks exactly what this app uses. */
  readiness: { inject: FactoryProvider['inject']; useFactory: (...deps: any[]) => ReadinessCheck[] };
}

/** Logs, `/health/live`, `/health/ready` and `/metrics` for one app. */
@Module({})
export class ObservabilityModule {
  static forRoot(opts: ObservabilityOptions): DynamicModule {
    const registry: Provider = { provide: METRICS_REGISTRY, useValue: createMetricsRegistry(opts.service) };
    const readiness: Provider = { provide: READINESS_CHECKS, ...opts.readiness };
    return {
      module: ObservabilityModule,
      global: true,
      imports: [LoggerModule.forRoot(httpLoggerParams(opts.service, opts.logLevel)), TerminusModule],
      controllers: [HealthController, MetricsController],
      providers: [registry, readiness],
      exports: [registry],
    };
  }
}
