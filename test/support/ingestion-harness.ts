import { CreateBucketCommand, ListObjectsCommand, S3Client } from '@aws-sdk/client-s3';
import { IngestionEnvSchema, loadConfig } from '@dg/config';
import type { TenantId } from '@dg/contracts';
import { createPrismaClient, ensureOrganization, issueApiKey, type PrismaClient } from '@dg/db';
import { listen } from '@dg/http';
import type { ObjectStore } from '@dg/storage';
import { testEnv, uniqueName } from '@dg/testing';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createIngestion } from '../../apps/ingestion/src/app';

/**
 * The ingestion service alone, on the real PostgreSQL and S3 server of the global setup, with a
 * bucket of its own so a spec can count every object the service wrote.
 */
export interface IngestionHarness {
  url: string;
  app: NestFastifyApplication;
  bucket: string;
  env: Record<string, string>;
  close(): Promise<void>;
}

export const s3Client = () => {
  const t = testEnv();
  return new S3Client({
    region: 'us-east-1',
    endpoint: t.S3_ENDPOINT,
    forcePathStyle: true,
    credentials: { accessKeyId: t.S3_ACCESS_KEY_ID, secretAccessKey: t.S3_SECRET_ACCESS_KEY },
  });
};

export async function freshBucket(): Promise<string> {
  const bucket = uniqueName('ing').toLowerCase();
  await s3Client().send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

export async function startIngestion(
  overrides: Record<string, string> = {},
  infra: { objectStore?: ObjectStore } = {},
): Promise<IngestionHarness> {
  const t = testEnv();
  const bucket = overrides['S3_BUCKET'] ?? (await freshBucket());
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env['DG_TEST_LOG_LEVEL'] ?? 'warn',
    PORT: '0',
    DATABASE_URL: t.DATABASE_URL,
    REDIS_URL: t.REDIS_URL,
    // Each harness its own queues: an import job is taken only by the service that accepted it.
    QUEUE_PREFIX: uniqueName('q'),
    STORAGE_DRIVER: 's3',
    S3_ENDPOINT: t.S3_ENDPOINT,
    S3_BUCKET: bucket,
    S3_ACCESS_KEY_ID: t.S3_ACCESS_KEY_ID,
    S3_SECRET_ACCESS_KEY: t.S3_SECRET_ACCESS_KEY,
    S3_FORCE_PATH_STYLE: 'true',
    SWEEP_INTERVAL_MS: '0',
    ...overrides,
  };
  const app = await createIngestion(loadConfig(IngestionEnvSchema, env), infra);
  const url = await listen(app, 0, '127.0.0.1');
  return { url, app, bucket, env, close: () => app.close() };
}

export async function listBucket(bucket: string): Promise<string[]> {
  const out = await s3Client().send(new ListObjectsCommand({ Bucket: bucket }));
  return (out.Contents ?? []).map((o) => o.Key!).sort();
}

export interface SeededTenant {
  slug: string;
  id: TenantId;
  caseId: string;
  patientExternalId: string;
}

/** A tenant with one patient and one open case, written straight to the tables case-api owns. */
export async function seedTenant(prisma: PrismaClient, patientExternalId = 'PMS-1001'): Promise<SeededTenant> {
  const slug = uniqueName('org').toLowerCase();
  const { tenantId: id } = await ensureOrganization(prisma, slug, 'Ingestion Spec Chain');
  const caseId = await seedCase(prisma, id, patientExternalId);
  keys.set(
    slug,
    (await issueApiKey(prisma, id, { name: 'ingestion spec', scopes: ['read', 'write', 'originals'] })).key,
  );
  return { slug, id, caseId, patientExternalId };
}

/** The API key issued for a seeded tenant's slug (specs name tenants by slug). */
const keys = new Map<string, string>();
export function authFor(slug: string): Record<string, string> {
  // An unseeded name is sent as a key of its own: the service must refuse it (401).
  return { authorization: `Bearer ${keys.get(slug) ?? slug}` };
}

export async function seedCase(prisma: PrismaClient, tenant: TenantId, patientExternalId: string): Promise<string> {
  const patient = await prisma.patient.upsert({
    where: { organizationId_pms_externalId: { organizationId: tenant, pms: 'default', externalId: patientExternalId } },
    create: { organizationId: tenant, externalId: patientExternalId },
    update: {},
  });
  const c = await prisma.case.create({ data: { organizationId: tenant, patientId: patient.id } });
  return c.id;
}

export const testPrisma = () => createPrismaClient(testEnv().DATABASE_URL, 2);

export interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

export async function call(url: string, init: RequestInit & { tenant: string }): Promise<Answer> {
  const { tenant, ...rest } = init;
  const res = await fetch(url, { ...rest, headers: { ...authFor(tenant), ...rest.headers } });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON
  }
  return { status: res.status, headers: res.headers, body };
}

export function uploadImage(
  h: { url: string },
  tenant: string,
  bytes: Buffer,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob([new Uint8Array(bytes)]), 'upload.bin');
  return call(`${h.url}/v1/images`, { method: 'POST', body: form, tenant, headers });
}
