import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { ApiKeyGuard, AuditInterceptor, retentionTaskFor } from '@dg/http';
import { DynamicModule, Module } from '@nestjs/common';
import type { IngestionConfig } from '@dg/config';
import type { PrismaClient } from '@dg/db';
import { ObservabilityModule } from '@dg/observability';
import type { ObjectStore } from '@dg/storage';
import { AnalysisRequests } from './images/analysis-requests';
import { IdempotencyRepository } from './idempotency/idempotency.repository';
import { IdempotencyService } from './idempotency/idempotency.service';
import { ImageBytesService } from './images/image-bytes.service';
import { ImageRepository } from './images/image.repository';
import { ImagesController } from './images/images.controller';
import { IngestImageService } from './images/ingest-image.service';
import { UploadSpool } from './images/upload-spool';
import { CreateImportService } from './imports/create-import.service';
import { ImportAnalysisRepository } from './imports/import-analysis.repository';
import { ImportCasesRepository } from './imports/import-cases.repository';
import { ImportItemService } from './imports/import-item.service';
import { ImportMetrics } from './imports/import-metrics';
import { ImportRunner } from './imports/import-runner.service';
import { ImportScanner } from './imports/import-scanner.service';
import { ImportStatusService } from './imports/import-status.service';
import { ImportSummaryService } from './imports/import-summary.service';
import { ImportProcessor } from './imports/import.processor';
import { ImportRepository } from './imports/import.repository';
import { ImportsController } from './imports/imports.controller';
import { InfrastructureModule, type InfrastructureOverrides } from './infrastructure/infrastructure.module';
import { OBJECT_STORE, PRISMA } from './infrastructure/tokens';
import { ObjectReferencesRepository } from './sweeper/object-references.repository';
import { OrphanSweeperService } from './sweeper/orphan-sweeper.service';
import { DirectUploadService } from './uploads/direct-upload.service';
import { UploadSessionRepository } from './uploads/upload-session.repository';
import { UploadsController } from './uploads/uploads.controller';

@Module({})
export class IngestionModule {
  static forRoot(config: IngestionConfig, overrides: InfrastructureOverrides = {}): DynamicModule {
    return {
      module: IngestionModule,
      imports: [
        InfrastructureModule.forRoot(config, overrides),
        ObservabilityModule.forRoot({
          service: 'ingestion',
          logLevel: config.LOG_LEVEL,
          readiness: {
            inject: [PRISMA, OBJECT_STORE],
            useFactory: (prisma: PrismaClient, store: ObjectStore) => [
              { name: 'database', check: async () => void (await prisma.$queryRaw`SELECT 1`) },
              { name: 'storage', check: () => store.ping() },
            ],
          },
        }),
      ],
      controllers: [ImagesController, UploadsController, ImportsController],
      providers: [
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        // Every authenticated request is audited, as in case-api: uploads, image and original reads, imports.
        { provide: APP_INTERCEPTOR, useClass: AuditInterceptor },
        ImageRepository,
        AnalysisRequests,
        ImageBytesService,
        IngestImageService,
        UploadSpool,
        IdempotencyRepository,
        IdempotencyService,
        retentionTaskFor('idempotency records', IdempotencyRepository, config.IDEMPOTENCY_RETENTION_HOURS),
        UploadSessionRepository,
        DirectUploadService,
        ObjectReferencesRepository,
        OrphanSweeperService,
        ImportRepository,
        ImportCasesRepository,
        ImportAnalysisRepository,
        ImportSummaryService,
        CreateImportService,
        ImportStatusService,
        ImportMetrics,
        ImportScanner,
        ImportItemService,
        ImportRunner,
        ImportProcessor,
      ],
    };
  }
}
