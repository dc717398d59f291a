import { DynamicModule, Module } from '@nestjs/common';
import type { CaseApiConfig } from '@dg/config';
import type { PrismaClient } from '@dg/db';
import { ObservabilityModule } from '@dg/observability';
import type { JobProducer } from '@dg/queue';
import { AssessmentRepository } from './assessments/assessment.repository';
import { AssessmentsController } from './assessments/assessments.controller';
import { RequestAssessmentService } from './assessments/request-assessment.service';
import { ResultsProcessor } from './assessments/results.processor';
import { CaseRepository } from './cases/case.repository';
import { CasesController } from './cases/cases.controller';
import { InfrastructureModule } from './infrastructure/infrastructure.module';
import { INFERENCE_PRODUCER, PRISMA } from './infrastructure/tokens';

@Module({})
export class CaseApiModule {
  static forRoot(config: CaseApiConfig): DynamicModule {
    return {
      module: CaseApiModule,
      imports: [
        InfrastructureModule.forRoot(config),
        ObservabilityModule.forRoot({
          service: 'case-api',
          logLevel: config.LOG_LEVEL,
          readiness: {
            inject: [PRISMA, INFERENCE_PRODUCER],
            useFactory: (prisma: PrismaClient, queue: JobProducer<'inference'>) => [
              { name: 'database', check: async () => void (await prisma.$queryRaw`SELECT 1`) },
              { name: 'queue', check: () => queue.ping() },
            ],
          },
        }),
      ],
      controllers: [CasesController, AssessmentsController],
      providers: [CaseRepository, AssessmentRepository, RequestAssessmentService, ResultsProcessor],
    };
  }
}
