import { createHash } from 'node:crypto';
import { RetentionTask } from '@dg/http';
import { ROUTES } from '../../apps/case-api/src/docs/routes';
import {
  caseApiWith,
  client,
  createTenant,
  keyFor,
  startCaseApi,
  type RunningCaseApi,
  type TestTenant,
} from '../support/case-api';

/**
 * API conventions on the real app: API keys (hashed, scoped, revocable), RFC 9457 errors,
 * Idempotency-Key, cursor pagination with filters and sorting, rate limits per key, OpenAPI at
 * /docs, and an audit log the database itself keeps append-only.
 */
describe('case-api: keys, errors, idempotency, pagination, rate limits, docs, audit', () => {
  let api: RunningCaseApi;
  let org: TestTenant;
  let admin: ReturnType<typeof client>;

  beforeAll(async () => {
    api = await startCaseApi();
    org = await createTenant(api.prisma, 'conv');
    admin = client(api.url, org.key);
  });

  afterAll(async () => {
    await api?.close();
  });

  it('stores keys hashed, shows them once, enforces scopes, accepts x-api-key, and revokes at once', async () => {
    const created = await admin('POST', '/v1/api-keys', { name: 'pms reader', scopes: ['read'] });
    expect(created.status).toBe(201);
    const { key, id, prefix } = created.body;
    expect(key).toMatch(/^dgk_[a-z0-9]{12}_/);
    const row = await api.prisma.apiKey.findUniqueOrThrow({ where: { id } });
    expect(row.hash).toMatch(/^scrypt\$/);
    // The secret part may itself contain '_' (base64url): cut it by position, not by splitting.
    expect(JSON.stringify(row)).not.toContain(key.slice('dgk_'.length + 13));
    expect(JSON.stringify((await admin('GET', '/v1/api-keys')).body)).not.toContain(key);

    const reader = client(api.url, undefined);
    const viaHeader = await reader('GET', '/v1/cases', undefined, { 'x-api-key': key });
    expect(viaHeader.status).toBe(200);
    const write = await reader('POST', '/v1/cases', { patient: { externalId: 'X' } }, { 'x-api-key': key });
    expect(write.status).toBe(403);
    expect(write.body.code).toBe('insufficient_scope');
    const reviewer = client(api.url, await keyFor(api.prisma, org, ['review']));
    expect(
      (await reviewer('POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/', events: ['followup.due'] })).status,
    ).toBe(403);

    expect((await admin('DELETE', `/v1/api-keys/${id}`)).body.revokedAt).not.toBeNull();
    const revoked = await reader('GET', '/v1/cases', undefined, { 'x-api-key': key });
    expect(revoked.status).toBe(401);
    expect(revoked.body.code).toBe('invalid_api_key');
    expect(prefix).toBe(key.split('_')[1]);
    expect((await client(api.url, 'dgk_nope')('GET', '/v1/cases')).status).toBe(401);
  });

  it('answers errors as RFC 9457 problem details, keeping statusCode, code and message', async () => {
    const res = await admin('POST', '/v1/cases', { chiefComplaint: 'pain' });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({
      type: 'https://dentalgemma.dev/problems/validation_failed',
      title: 'Bad Request',
      status: 400,
      detail: expect.stringMatching(/patient/),
      instance: '/v1/cases',
      statusCode: 400,
      code: 'validation_failed',
      message: expect.stringMatching(/patient/),
    });
    const unauth = await client(api.url, undefined)('GET', '/v1/cases');
    expect(unauth.status).toBe(401);
    expect(unauth.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('replays a POST with the same Idempotency-Key instead of running it twice', async () => {
    const body = { patient: { externalId: 'IDEM-1' }, chiefComplaint: 'chipped incisor' };
    const key = { 'idempotency-key': `k-${Date.now()}` };
    const [first, second] = [await admin('POST', '/v1/cases', body, key), await admin('POST', '/v1/cases', body, key)];
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body.id).toBe(first.body.id);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(
      await api.prisma.case.count({ where: { patient: { externalId: 'IDEM-1', organizationId: org.tenant } } }),
    ).toBe(1);
    const reused = await admin('POST', '/v1/cases', { ...body, chiefComplaint: 'other' }, key);
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe('idempotency_key_reused');
    // Without a key, two POSTs are two cases.
    await admin('POST', '/v1/cases', body);
    expect(
      await api.prisma.case.count({ where: { patient: { externalId: 'IDEM-1', organizationId: org.tenant } } }),
    ).toBe(2);
  });

  it('forgets Idempotency-Keys after IDEMPOTENCY_RETENTION_HOURS, a claim a crash left behind included', async () => {
    const svc = await caseApiWith({
      IDEMPOTENCY_RETENTION_HOURS: '1',
      REDIS_URL: api.env['REDIS_URL']!,
      QUEUE_PREFIX: api.env['QUEUE_PREFIX']!,
    });
    try {
      const c = client(svc.url, org.key);
      const body = { patient: { externalId: 'RET-1' } };
      const [done, crashed, fresh] = ['done', 'crashed', 'fresh'].map((k) => `${k}-${Date.now()}`) as [
        string,
        string,
        string,
      ];
      const first = await c('POST', '/v1/cases', body, { 'idempotency-key': done });
      expect(first.status).toBe(201);
      await c('POST', '/v1/cases', { patient: { externalId: 'RET-2' } }, { 'idempotency-key': fresh });
      // The same request's claim, left unanswered by a process that died mid-request.
      const requestHash = createHash('sha256')
        .update(`POST /v1/cases\n${JSON.stringify(body)}`)
        .digest('hex');
      await api.prisma.idempotencyRecord.create({ data: { organizationId: org.tenant, key: crashed, requestHash } });
      expect((await c('POST', '/v1/cases', body, { 'idempotency-key': crashed })).body.code).toBe(
        'idempotency_in_progress',
      );

      const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
      await api.prisma.idempotencyRecord.updateMany({
        where: { organizationId: org.tenant, key: { in: [done, crashed] } },
        data: { createdAt: twoHoursAgo },
      });
      await svc.app.get(RetentionTask).runOnce();
      const left = await api.prisma.idempotencyRecord.findMany({
        where: { organizationId: org.tenant, key: { in: [done, crashed, fresh] } },
      });
      expect(left.map((r) => r.key)).toEqual([fresh]);
      // Forgotten: each key's request runs anew.
      expect((await c('POST', '/v1/cases', body, { 'idempotency-key': crashed })).status).toBe(201);
      const again = await c('POST', '/v1/cases', body, { 'idempotency-key': done });
      expect(again.status).toBe(201);
      expect(again.body.id).not.toBe(first.body.id);
    } finally {
      await svc.app.close();
    }
  });

  it("never replays one clinic's stored answer to another clinic's key reusing its Idempotency-Key", async () => {
    const clinic = async (name: string) => (await admin('POST', '/v1/clinics', { name })).body.id as string;
    const [north, south] = [await clinic(`Nord ${Date.now()}`), await clinic(`Sued ${Date.now()}`)];
    const [a, b] = [
      client(api.url, await keyFor(api.prisma, org, ['read', 'write'], north)),
      client(api.url, await keyFor(api.prisma, org, ['read', 'write'], south)),
    ];
    const idem = { 'idempotency-key': `clinics-${Date.now()}` };
    const body = { patient: { externalId: 'IDEM-CLINIC' } };
    const made = await a('POST', '/v1/cases', body, idem);
    expect(made.status).toBe(201);
    expect((await a('POST', '/v1/cases', body, idem)).headers.get('idempotent-replayed')).toBe('true');
    const reused = await b('POST', '/v1/cases', body, idem);
    expect(reused).toMatchObject({ status: 422, body: { code: 'idempotency_key_reused' } });
    expect(JSON.stringify(reused.body)).not.toContain(made.body.id);
  });

  it('keeps no secret shown once for a replay: a retried key or webhook creation is a 409 naming it', async () => {
    const idem = (name: string) => ({ 'idempotency-key': `${name}-${Date.now()}` });
    const [keyIdem, hookIdem, rotateIdem] = [idem('key'), idem('hook'), idem('rotate')];
    const keyBody = { name: 'retried', scopes: ['read'] };
    const created = await admin('POST', '/v1/api-keys', keyBody, keyIdem);
    expect(created.status).toBe(201);
    const retried = await admin('POST', '/v1/api-keys', keyBody, keyIdem);
    expect(retried).toMatchObject({
      status: 409,
      body: { code: 'secret_shown_once', message: expect.stringContaining(created.body.id) },
    });
    expect(retried.body.key).toBeUndefined();
    expect(await api.prisma.apiKey.count({ where: { organizationId: org.tenant, name: 'retried' } })).toBe(1);

    const hookBody = { url: 'http://127.0.0.1:9/', events: ['followup.due'] };
    const hook = await admin('POST', '/v1/webhooks', hookBody, hookIdem);
    expect(hook.status).toBe(201);
    expect((await admin('POST', '/v1/webhooks', hookBody, hookIdem)).body.code).toBe('secret_shown_once');
    const rotated = await admin('POST', `/v1/webhooks/${hook.body.id}/rotate-secret`, undefined, rotateIdem);
    expect(rotated.status).toBe(200);
    const again = await admin('POST', `/v1/webhooks/${hook.body.id}/rotate-secret`, undefined, rotateIdem);
    expect(again).toMatchObject({ status: 409, body: { code: 'secret_shown_once' } });

    // What is kept for the replay: the answers without their secrets.
    const records = await api.prisma.idempotencyRecord.findMany({
      where: {
        organizationId: org.tenant,
        key: { in: [keyIdem, hookIdem, rotateIdem].map((h) => h['idempotency-key']) },
      },
    });
    expect(records).toHaveLength(3);
    const kept = JSON.stringify(records.map((r) => r.response));
    for (const secret of [created.body.key, hook.body.secret, rotated.body.secret]) {
      expect(typeof secret).toBe('string');
      expect(kept).not.toContain(secret);
    }
    expect(kept).toContain(created.body.id);
  });

  it('pages lists with opaque cursors, filters and sorts', async () => {
    const own = await createTenant(api.prisma, 'pages');
    const c = client(api.url, own.key);
    const made: string[] = [];
    for (let i = 0; i < 5; i++)
      made.push((await c('POST', '/v1/cases', { patient: { externalId: `PG-${i}` } })).body.id);
    await c('PATCH', `/v1/cases/${made[1]}`, { status: 'closed' });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await c('GET', `/v1/cases?limit=2&sort=createdAt${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((x: { id: string }) => x.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(made);
    const desc = await c('GET', '/v1/cases?sort=-createdAt');
    expect(desc.body.items.map((x: { id: string }) => x.id)).toEqual([...made].reverse());
    const closed = await c('GET', '/v1/cases?status=closed');
    expect(closed.body.items.map((x: { id: string }) => x.id)).toEqual([made[1]]);
    const patients = await c('GET', '/v1/patients?externalId=PG-3');
    expect(patients.body.items).toHaveLength(1);
    expect((await c('GET', '/v1/cases?cursor=garbage')).status).toBe(400);
  });

  it('serves the OpenAPI 3.1 document generated from the contracts, and Swagger UI, at /docs', async () => {
    const doc = await client(api.url, undefined)('GET', '/docs/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    const operations = Object.values(doc.body.paths as Record<string, object>).flatMap((p) => Object.keys(p));
    expect(operations).toHaveLength(ROUTES.length);
    const create = doc.body.paths['/v1/cases'].post;
    expect(create.requestBody.content['application/json'].schema.required).toContain('patient');
    expect(doc.body.paths['/v1/assessments/{id}/reviews'].post.responses).toHaveProperty('412');
    const ui = await fetch(`${api.url}/docs`);
    expect(await ui.text()).toContain('swagger-ui-bundle.js');
    expect((await fetch(`${api.url}/docs/swagger-ui-bundle.js`)).status).toBe(200);
  });

  it('audits reads of patient data and writes (key, route, resource, IP), and the database refuses to change the log', async () => {
    const made = await admin(
      'POST',
      '/v1/cases',
      { patient: { externalId: 'AUD-1' } },
      { 'x-clinician-id': 'dr-audit' },
    );
    // Not behind a trusted proxy (TRUSTED_PROXIES empty): a forwarded-for header is not believed.
    await admin('GET', `/v1/cases/${made.body.id}`, undefined, { 'x-forwarded-for': '203.0.113.9' });
    const log = await admin('GET', `/v1/audit?resourceId=${made.body.id}`);
    expect(log.status).toBe(200);
    // Newest first: the read, then the creation (filed under the id it answered with).
    expect(log.body.items).toEqual([
      expect.objectContaining({ method: 'GET', route: '/v1/cases/:id', statusCode: 200, ip: '127.0.0.1' }),
      expect.objectContaining({ method: 'POST', route: '/v1/cases', statusCode: 201, clinicianId: 'dr-audit' }),
    ]);
    const posts = await admin('GET', '/v1/audit?method=POST&limit=500');
    expect(posts.body.items.find((e: { clinicianId: string }) => e.clinicianId === 'dr-audit')).toMatchObject({
      route: '/v1/cases',
      statusCode: 201,
    });
    const row = log.body.items[0];
    expect(row.actor).toContain('test admin');

    const id = BigInt(row.id);
    await expect(api.prisma.$executeRaw`UPDATE "AuditLog" SET "statusCode" = 500 WHERE id = ${id}`).rejects.toThrow(
      /append-only/,
    );
    await expect(api.prisma.$executeRaw`DELETE FROM "AuditLog" WHERE id = ${id}`).rejects.toThrow(/append-only/);
    await expect(api.prisma.$executeRawUnsafe('TRUNCATE "AuditLog"')).rejects.toThrow(/append-only/);
    expect((await admin('GET', `/v1/audit?resourceId=${made.body.id}`)).body.items[0]).toEqual(row);

    const reader = client(api.url, await keyFor(api.prisma, org, ['read']));
    expect((await reader('GET', '/v1/audit')).status).toBe(403);
  });

  it("records the client's address from the ingress controller's X-Forwarded-For when told to trust it", async () => {
    const behindIngress = await caseApiWith({
      TRUSTED_PROXIES: '127.0.0.1',
      REDIS_URL: api.env['REDIS_URL']!,
      QUEUE_PREFIX: api.env['QUEUE_PREFIX']!,
    });
    try {
      const viaIngress = client(behindIngress.url, org.key);
      const made = await viaIngress('POST', '/v1/cases', { patient: { externalId: 'AUD-2' } });
      // What a client sent itself, then what the controller appended (the client's real address).
      await viaIngress('GET', `/v1/cases/${made.body.id}`, undefined, { 'x-forwarded-for': '10.9.9.9, 198.51.100.23' });
      const log = await admin('GET', `/v1/audit?resourceId=${made.body.id}`);
      expect(log.body.items[0]).toMatchObject({ route: '/v1/cases/:id', ip: '198.51.100.23' });
    } finally {
      await behindIngress.app.close();
    }
  });

  it('rate-limits per API key, with a problem+json 429, leaving other keys alone', async () => {
    const limited = await startCaseApi({ rateLimitMax: 3, rateLimitWindowMs: 60_000 });
    try {
      const one = client(limited.url, org.key);
      const other = client(limited.url, await keyFor(limited.prisma, org, ['read']));
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await one('GET', '/v1/clinics')).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const res = await one('GET', '/v1/clinics');
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ status: 429, code: 'too_many_requests', detail: /rate limit of 3/ });
      expect(res.headers.get('retry-after')).not.toBeNull();
      expect((await other('GET', '/v1/clinics')).status).toBe(200);
      expect((await fetch(`${limited.url}/health/live`)).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});
