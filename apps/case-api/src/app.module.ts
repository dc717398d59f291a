import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import type { CaseApiConfig } from '@dg/config';
import { PgAuditWriter, type PgPool, type PrismaClient } from '@dg/db';
import { ApiKeyGuard, AUDIT_SINK, AuditInterceptor, retentionTaskFor } from '@dg/http';
import { METRICS_REGISTRY, ObservabilityModule } from '@dg/observability';
import { LANE_BACKLOG, ScaleController, type InferenceLanes, type LaneBacklog } from '@dg/queue';
import type { Registry } from 'prom-client';
import { AssessmentRepository } from './assessments/assessment.repository';
import { AssessmentsController } from './assessments/assessments.controller';
import { RequestAssessmentService } from './assessments/request-assessment.service';
import { ResultRepository } from './assessments/result.repository';
import { IntakeProcessor } from './assessments/intake.processor';
import { ResultsProcessor } from './assessments/results.processor';
import { AuditController } from './audit/audit.controller';
import { AuditRepository } from './audit/audit.repository';
import { ApiKeyRepository } from './auth/api-key.repository';
import { ApiKeysController } from './auth/api-keys.controller';
import { ClinicRepository } from './auth/clinic.repository';
import { ClinicsController } from './auth/clinics.controller';
import { CaseDetailRepository } from './cases/case-detail.repository';
import { CaseRepository } from './cases/case.repository';
import { CasesController } from './cases/cases.controller';
import { IdempotencyInterceptor } from './common/idempotency.interceptor';
import { IdempotencyRepository } from './common/idempotency.repository';
import { FhirController } from './fhir/fhir.controller';
import { FollowUpRepository } from './follow-ups/follow-up.repository';
import { FollowUpsController } from './follow-ups/follow-ups.controller';
import { InfrastructureModule } from './infrastructure/infrastructure.module';
import { INFERENCE_LANES, PG_POOL, PRISMA } from './infrastructure/tokens';
import { DeadLettersController } from './admin/dead-letters.controller';
import { JobOutboxRepository } from './outbox/job-outbox.repository';
import { JobReconciler } from './outbox/job-reconciler';
import { OutboxRelay } from './outbox/outbox.relay';
import type { CaseApiOptions } from './options';
import { PatientRepository } from './patients/patient.repository';
import { PatientsController } from './patients/patients.controller';
import { AddFindingService } from './reviews/add-finding.service';
import { ReviewRepository } from './reviews/review.repository';
import { SignAssessmentService } from './reviews/sign-assessment.service';
import { SubmitReviewService } from './reviews/submit-review.service';
import { WebhookDispatcher } from './webhooks/webhook-dispatcher.service';
import { WebhookRepository } from './webhooks/webhook.repository';
import { WebhooksController } from './webhooks/webhooks.controller';

@Module({})
export class CaseApiModule {
  static forRoot(config: CaseApiConfig, options: CaseApiOptions): DynamicModule {
    return {
      module: CaseApiModule,
      imports: [
        InfrastructureModule.forRoot(config, options),
        ObservabilityModule.forRoot({
          service: 'case-api',
          logLevel: config.LOG_LEVEL,
          readiness: {
            inject: [PRISMA, INFERENCE_LANES],
            useFactory: (prisma: PrismaClient, queue: InferenceLanes) => [
              { name: 'database', check: async () => void (await prisma.$queryRaw`SELECT 1`) },
              { name: 'queue', check: () => queue.ping() },
            ],
          },
        }),
      ],
      controllers: [
        CasesController,
        FhirController,
        AssessmentsController,
        PatientsController,
        ClinicsController,
        FollowUpsController,
        WebhooksController,
        ApiKeysController,
        AuditController,
        ScaleController,
        DeadLettersController,
      ],
      providers: [
        // Guard first (who), then audit (outermost interceptor, sees every outcome), then idempotency.
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_INTERCEPTOR, useClass: AuditInterceptor },
        { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
        JobOutboxRepository,
        OutboxRelay,
        JobReconciler,
        {
          // dentalgemma_queue_backlog{lane}: the metric the Helm chart's KEDA ScaledObject reads.
          provide: 'BACKLOG_GAUGE',
          inject: [LANE_BACKLOG, METRICS_REGISTRY],
          useFactory: (backlog: LaneBacklog, registry: Registry) => backlog.register(registry),
        },
        CaseRepository,
        CaseDetailRepository,
        PatientRepository,
        ClinicRepository,
        ApiKeyRepository,
        AssessmentRepository,
        ResultRepository,
        ReviewRepository,
        FollowUpRepository,
        WebhookRepository,
        AuditRepository,
        { provide: AUDIT_SINK, inject: [PG_POOL], useFactory: (pool: PgPool) => new PgAuditWriter(pool) },
        IdempotencyRepository,
        retentionTaskFor('idempotency records', IdempotencyRepository, config.IDEMPOTENCY_RETENTION_HOURS),
        RequestAssessmentService,
        SubmitReviewService,
        SignAssessmentService,
        AddFindingService,
        WebhookDispatcher,
        ResultsProcessor,
        IntakeProcessor,
      ],
    };
  }
}
