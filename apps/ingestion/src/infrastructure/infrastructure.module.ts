import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import type { IngestionConfig } from '@dg/config';
import { createPrismaClient, PrismaApiKeyVerifier, type PrismaClient } from '@dg/db';
import { API_KEY_VERIFIER } from '@dg/http';
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
        // The same API keys as case-api: one credential per integration for the whole platform.
        {
          provide: API_KEY_VERIFIER,
          inject: [PRISMA],
          useFactory: (prisma: PrismaClient) => new PrismaApiKeyVerifier(prisma),
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
      ],
      exports: [CONFIG, PRISMA, API_KEY_VERIFIER, OBJECT_STORE, IMAGE_CODEC],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.prisma.$disconnect();
  }
}
