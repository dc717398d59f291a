import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import type { IngestionConfig } from '@dg/config';
import {
  createPgPool,
  createPrismaClient,
  PgAuditWriter,
  PrismaApiKeyVerifier,
  type PgPool,
  type PrismaClient,
} from '@dg/db';
import { API_KEY_VERIFIER, AUDIT_SINK } from '@dg/http';
import { SharpImageCodec } from '@dg/imaging';
import { JobProducer, queueConnection } from '@dg/queue';
import { createObjectStore, type ObjectStore } from '@dg/storage';
import { SourceStores } from '../imports/import-source';
import {
  CONFIG,
  IMAGE_CODEC,
  IMPORTS_PRODUCER,
  INTAKE_PRODUCER,
  OBJECT_STORE,
  PG_POOL,
  PRISMA,
  QUEUE_CONNECTION,
  SOURCE_STORES,
} from './tokens';

/** Adapters a caller may supply instead of the configured ones (tests inject failing stores). */
export interface InfrastructureOverrides {
  objectStore?: ObjectStore;
}

@Global()
@Module({})
export class InfrastructureModule implements OnApplicationShutdown {
  constructor(
    @Inject(PRISMA) private readonly prisma: PrismaClient,
    @Inject(PG_POOL) private readonly pool: PgPool,
    @Inject(IMPORTS_PRODUCER) private readonly importJobs: JobProducer<'imports'>,
    @Inject(INTAKE_PRODUCER) private readonly intake: JobProducer<'intake'>,
  ) {}

  static forRoot(config: IngestionConfig, overrides: InfrastructureOverrides = {}) {
    const conn = queueConnection(config);
    return {
      module: InfrastructureModule,
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: PG_POOL, useFactory: () => createPgPool(config.DATABASE_URL) },
        { provide: PRISMA, inject: [PG_POOL], useFactory: (pool: PgPool) => createPrismaClient(pool) },
        { provide: AUDIT_SINK, inject: [PG_POOL], useFactory: (pool: PgPool) => new PgAuditWriter(pool) },
        // The same API keys as case-api: one credential per integration for the whole platform.
        {
          provide: API_KEY_VERIFIER,
          inject: [PRISMA],
          useFactory: (prisma: PrismaClient) => new PrismaApiKeyVerifier(prisma),
        },
        { provide: OBJECT_STORE, useFactory: () => overrides.objectStore ?? createObjectStore(config) },
        {
          provide: SOURCE_STORES,
          inject: [OBJECT_STORE],
          useFactory: (store: ObjectStore) => new SourceStores(store, config),
        },
        { provide: QUEUE_CONNECTION, useValue: conn },
        {
          provide: IMPORTS_PRODUCER,
          // A run that fails (storage or database down) is retried; it resumes where it stopped.
          useFactory: () =>
            new JobProducer('imports', conn, {
              attempts: 6,
              backoff: { type: 'exponential', delay: 5000 },
              removeOnComplete: { age: 7 * 86_400 },
              removeOnFail: { age: 30 * 86_400 },
            }),
        },
        {
          provide: INTAKE_PRODUCER,
          // Analysis requests must survive a case-api outage: many attempts, growing backoff.
          useFactory: () =>
            new JobProducer('intake', conn, {
              attempts: 12,
              backoff: { type: 'exponential', delay: 1000 },
              removeOnComplete: { age: 86_400, count: 100_000 },
              removeOnFail: false,
            }),
        },
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
      exports: [
        CONFIG,
        PRISMA,
        AUDIT_SINK,
        API_KEY_VERIFIER,
        OBJECT_STORE,
        IMAGE_CODEC,
        SOURCE_STORES,
        QUEUE_CONNECTION,
        IMPORTS_PRODUCER,
        INTAKE_PRODUCER,
      ],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.importJobs.close(), this.intake.close()]);
    await this.prisma.$disconnect();
    await this.pool.end();
  }
}
