import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client';

export { PrismaClient, Prisma } from './generated/prisma/client';
export type {
  ArchiveImport,
  Assessment,
  Case,
  Clinic,
  Image,
  ImportItem,
  Organization,
  Patient,
} from './generated/prisma/client';
export { AssessmentStatus, CaseStatus, Modality } from './generated/prisma/enums';

/**
 * Prisma 7 with the pg driver adapter and the query compiler: no native query engine to download
 * (ENVIRONMENT.md). One client per process; its pool size follows the connection string.
 */
export function createPrismaClient(databaseUrl: string, poolMax = 10): PrismaClient {
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: poolMax });
  // Prisma's defaults (2 s to get a connection for a transaction, 5 s to finish it) turn a busy
  // moment (every pooled connection in use, a saturated CPU) into 500s; waiting longer is what a
  // client would rather have.
  return new PrismaClient({ adapter, transactionOptions: { maxWait: 10_000, timeout: 30_000 } });
}

/** Prisma's code for a unique-constraint violation: the row exists already (idempotent retries). */
export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string })?.code === 'P2002';
}
