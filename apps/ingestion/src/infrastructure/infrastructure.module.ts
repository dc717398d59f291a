import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import type { IngestionConfig } from '@dg/config';
import { createPrismaClient, PrismaTenantLookup, type PrismaClient } from '@dg/db';
import { ResolveTenantPipe, TENANT_LOOKUP } from '@dg/http';
import { SharpImageCodec } from '@dg/imaging';
import { createObjectStore, type ObjectStore } from '@dg/storage';
import { CONFIG, IMAGE_CODEC, OBJECT_STORE, PRISMA } from './tokens';

/** Adapters a caller may supply instead of the configured ones (tests inject failing stores). */
export interface InfrastructureOverrides {
  objectStore?: ObjectStore;
}

@Global()
@Module({})
export class InfrastructureModule implements OnApplicationShutdown {
  constructor(@Inject(PRISMA) private readonly prisma: PrismaClient) {}

  static forRoot(config: IngestionConfig, overrides: InfrastructureOverrides = {}) {
    return {
      module: InfrastructureModule,
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: PRISMA, useFactory: () => createPrismaClient(config.DATABASE_URL) },
        {
          provide: TENANT_LOOKUP,
          inject: [PRISMA],
          useFactory: (prisma: PrismaClient) => new PrismaTenantLookup(prisma),
        },
        { provide: OBJECT_STORE, useFactory: () => overrides.objectStore ?? createObjectStore(config) },
        {
          provide: IMAGE_CODEC,
          useFactory: () =>
            new SharpImageCodec({
              maxPixels: config.MAX_IMAGE_PIXELS,
              maxDimension: config.MAX_IMAGE_DIMENSION,
              maxDicomBytes: config.MAX_DICOM_BYTES,
            }),
        },
        ResolveTenantPipe,
      ],
      exports: [CONFIG, PRISMA, TENANT_LOOKUP, OBJECT_STORE, IMAGE_CODEC, ResolveTenantPipe],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.prisma.$disconnect();
  }
}
