import { randomUUID } from 'node:crypto';
import { CaseApiEnvSchema, loadConfig } from '@dg/config';
import {
  asTenantId,
  type ApiScope,
  type AssessmentCompleted,
  type AssessmentFailed,
  type FindingInput,
  type TenantId,
} from '@dg/contracts';
import { createPrismaClient, ensureOrganization, issueApiKey, type PrismaClient } from '@dg/db';
import { listen } from '@dg/http';
import { JobProducer, queueConnection } from '@dg/queue';
import { testEnv, uniqueName } from '@dg/testing';
import type { INestApplication } from '@nestjs/common';
import { createCaseApi } from '../../apps/case-api/src/app';
import type { CaseApiOptions } from '../../apps/case-api/src/options';

export interface TestTenant {
  slug: string;
  tenant: TenantId;
  clinicId: string;
  /** An admin key (every scope). */
  key: string;
}

/** An organization with a clinic and an admin key, straight in the database (the bootstrap path). */
export async function createTenant(prisma: PrismaClient, name = 'org'): Promise<TestTenant> {
  const slug = uniqueName(name).toLowerCase();
  const { tenantId, clinicId } = await ensureOrganization(prisma, slug, `${name} dental chain`);
  const { key } = await issueApiKey(prisma, tenantId, { name: 'test admin', scopes: ['admin'] });
  return { slug, tenant: tenantId, clinicId, key };
}

export async function keyFor(
  prisma: PrismaClient,
  t: TestTenant,
  scopes: ApiScope[],
  clinicId?: string,
): Promise<string> {
  return (await issueApiKey(prisma, t.tenant, { name: `test ${scopes.join('+')}`, scopes, clinicId })).key;
}

export interface RunningCaseApi {
  url: string;
  prisma: PrismaClient;
  env: Record<string, string>;
  /** Sends a worker result the way the worker does: a job on the results queue. */
  publishResult(result: AssessmentCompleted, jobId?: string): Promise<void>;
  publishFailure(failure: AssessmentFailed, jobId?: string): Promise<void>;
  close(): Promise<void>;
}

/** case-api alone on the suite's real Postgres and Redis, with its own queue prefix. */
export async function startCaseApi(options: Partial<CaseApiOptions> = {}): Promise<RunningCaseApi> {
  const t = testEnv();
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env['DG_TEST_LOG_LEVEL'] ?? 'warn',
    DATABASE_URL: t.DATABASE_URL,
    QUEUE_BACKEND: 'redis',
    REDIS_URL: t.REDIS_URL,
    QUEUE_PREFIX: uniqueName('q'),
  };
  const config = loadConfig(CaseApiEnvSchema, env);
  const app: INestApplication = await createCaseApi(config, { webhookPollMs: 100, ...options });
  const url = await listen(app, 0, '127.0.0.1');
  const prisma = createPrismaClient(t.DATABASE_URL, 4);
  const results = new JobProducer('results', queueConnection(config));
  return {
    url,
    prisma,
    env,
    publishResult: (r, jobId = randomUUID()) => results.add('assessment.completed', r, { jobId }),
    publishFailure: (f, jobId = randomUUID()) => results.add('assessment.failed', f, { jobId }),
    close: async () => {
      await results.close();
      await app.close();
      await prisma.$disconnect();
    },
  };
}

/** A worker result for an assessment, optionally with structured findings. */
export function completedResult(tenant: TenantId | string, assessmentId: string, findings?: FindingInput[]) {
  return {
    assessmentId,
    tenantId: asTenantId(tenant),
    provenance: {
      modelId: 'tiny-dentalgemma',
      weightsDigest: `sha256:${'a'.repeat(64)}`,
      promptVersion: 'pathology-classification@1',
      contractVersion: findings ? 'findings@1' : 'text@1',
    },
    rawText: 'Periapical radiolucency at 46, consistent with infection.',
    output: findings ? { findings } : { text: 'Periapical radiolucency at 46.' },
    stats: {
      promptTokens: 300,
      completionTokens: 20,
      stopReason: 'stop-token' as const,
      timeToFirstTokenMs: 5,
      totalMs: 50,
      visionMs: 10,
    },
    completedAt: new Date().toISOString(),
  } satisfies AssessmentCompleted;
}

export interface Answer<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** fetch with a key, JSON in and out. */
export function client(base: string, key: string | undefined) {
  return async <T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON (docs HTML)
    }
    return { status: res.status, headers: res.headers, body: parsed as T } satisfies Answer<T>;
  };
}

export { createPrismaClient };

/** case-api built as main.ts builds it, on the suite's Postgres unless `env` says otherwise. */
export async function caseApiWith(env: Record<string, string>): Promise<{ app: INestApplication; url: string }> {
  const app = await createCaseApi(
    loadConfig(CaseApiEnvSchema, {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      DATABASE_URL: testEnv().DATABASE_URL,
      ...env,
    }),
  );
  return { app, url: await listen(app, 0, '127.0.0.1') };
}
