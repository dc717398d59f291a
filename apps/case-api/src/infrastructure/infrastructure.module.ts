import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import type { CaseApiConfig } from '@dg/config';
import { createPgPool, createPrismaClient, PrismaApiKeyVerifier, type PgPool, type PrismaClient } from '@dg/db';
import { API_KEY_VERIFIER } from '@dg/http';
import { DeadLetterQueue, InferenceLanes, LANE_BACKLOG, LaneBacklog, queueConnection } from '@dg/queue';
import type { CaseApiOptions } from '../options';
import { CONFIG, DEAD_LETTERS, INFERENCE_LANES, OPTIONS, PG_POOL, PRISMA, QUEUE_CONNECTION } from './tokens';

/** The app's side-effecting adapters, built once from the validated config and closed on shutdown. */
@Global()
@Module({})
export class InfrastructureModule implements OnApplicationShutdown {
  constructor(
    @Inject(PRISMA) private readonly prisma: PrismaClient,
    @Inject(PG_POOL) private readonly pool: PgPool,
    @Inject(INFERENCE_LANES) private readonly lanes: InferenceLanes,
    @Inject(LANE_BACKLOG) private readonly backlog: LaneBacklog,
    @Inject(DEAD_LETTERS) private readonly dead: DeadLetterQueue,
  ) {}

  static forRoot(config: CaseApiConfig, options: CaseApiOptions) {
    const conn = queueConnection(config);
    return {
      module: InfrastructureModule,
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: OPTIONS, useValue: options },
        { provide: QUEUE_CONNECTION, useValue: conn },
        // One pool for Prisma and the plain-SQL hot reads: one set of connections per replica.
        { provide: PG_POOL, useFactory: () => createPgPool(config.DATABASE_URL) },
        { provide: PRISMA, inject: [PG_POOL], useFactory: (pool: PgPool) => createPrismaClient(pool) },
        {
          provide: API_KEY_VERIFIER,
          inject: [PRISMA],
          useFactory: (prisma: PrismaClient) => new PrismaApiKeyVerifier(prisma, options.apiKeyCacheTtlMs),
        },
        { provide: INFERENCE_LANES, useFactory: () => new InferenceLanes(conn) },
        { provide: LANE_BACKLOG, useFactory: () => new LaneBacklog(conn) },
        { provide: DEAD_LETTERS, useFactory: () => new DeadLetterQueue(conn) },
      ],
      exports: [
        CONFIG,
        OPTIONS,
        QUEUE_CONNECTION,
        PRISMA,
        PG_POOL,
        INFERENCE_LANES,
        LANE_BACKLOG,
        DEAD_LETTERS,
        API_KEY_VERIFIER,
      ],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([
      this.lanes.close(),
      this.backlog.close(),
      this.dead.close(),
      // Prisma leaves a pool it was given open: end it once Prisma is done with it.
      this.prisma.$disconnect().finally(() => this.pool.end()),
    ]);
  }
}
