import { DynamicModule, Module } from '@nestjs/common';
import type { IngestionConfig } from '@dg/config';
import type { PrismaClient } from '@dg/db';
import { ObservabilityModule } from '@dg/observability';
import type { ObjectStore } from '@dg/storage';
import { ImageRepository } from './images/image.repository';
import { ImagesController } from './images/images.controller';
import { IngestImageService } from './images/ingest-image.service';
import { InfrastructureModule } from './infrastructure/infrastructure.module';
import { OBJECT_STORE, PRISMA } from './infrastructure/tokens';

@Module({})
export class IngestionModule {
  static forRoot(config: IngestionConfig): DynamicModule {
    return {
      module: IngestionModule,
      imports: [
        InfrastructureModule.forRoot(config),
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
      controllers: [ImagesController],
      providers: [ImageRepository, IngestImageService],
    };
  }
}
