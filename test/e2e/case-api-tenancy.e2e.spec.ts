import type { AssessmentView, CaseDetail, FollowUpView } from '@dg/contracts';
import { DeadLetterQueue, queueConnection } from '@dg/queue';
import { Queue } from 'bullmq';
import { ROUTES } from '../../apps/case-api/src/docs/routes';
import { waitFor } from '../support/platform';
import {
  client,
  completedResult,
  createTenant,
  keyFor,
  startCaseApi,
  type RunningCaseApi,
  type TestTenant,
} from '../support/case-api';

/**
 * Tenancy as a matrix: every route that names a resource, with every verb it serves, called with
 * another organization's admin key (and with a key restricted to another clinic), answers 404 and
 * changes nothing. Lists never show another organization's rows.
 */
describe('case-api: another tenant’s data is a 404, on every endpoint and verb', () => {
  let api: RunningCaseApi;
  let a: TestTenant;
  let b: TestTenant;
  const ids: Record<string, string> = {};
  let etag = '';
  let snapshot: unknown;

  const state = async () => {
    const p = api.prisma;
    return {
      case: await p.case.findUniqueOrThrow({ where: { id: ids['case'] } }),
      assessment: await p.assessment.findUniqueOrThrow({ where: { id: ids['assessment'] } }),
      findings: await p.finding.findMany({ where: { assessmentId: ids['assessment'] }, orderBy: { id: 'asc' } }),
      reviews: await p.review.count({ where: { assessmentId: ids['assessment'] } }),
      followUps: await p.followUp.findMany({ where: { caseId: ids['case'] }, orderBy: { id: 'asc' } }),
      webhook: await p.webhookSubscription.findUniqueOrThrow({ where: { id: ids['webhook'] } }),
      key: await p.apiKey.findUniqueOrThrow({ where: { id: ids['apiKey'] } }),
      assessments: await p.assessment.count({ where: { caseId: ids['case'] } }),
    };
  };

  beforeAll(async () => {
    api = await startCaseApi();
    a = await createTenant(api.prisma, 'owner');
    b = await createTenant(api.prisma, 'intruder');
    const owner = client(api.url, a.key);
    const created = await owner('POST', '/v1/cases', {
      clinicId: a.clinicId,
      patient: { externalId: 'A-1', age: 30 },
      chiefComplaint: 'pain',
    });
    ids['case'] = created.body.id;
    ids['patient'] = created.body.patientId;
    ids['clinic'] = a.clinicId;
    ids['assessment'] = (
      await owner('POST', `/v1/cases/${ids['case']}/assessments`, { task: 'case-analysis' })
    ).body.id;
    await api.publishResult(
      completedResult(a.tenant, ids['assessment'], [{ condition: 'caries', teeth: [16], urgency: 'soon' }]),
    );
    await waitFor('completed', async () => {
      const r = await owner<AssessmentView>('GET', `/v1/assessments/${ids['assessment']}`);
      return r.body.status === 'completed' ? r : undefined;
    });
    const detail = (await owner<CaseDetail>('GET', `/v1/cases/${ids['case']}`)).body;
    ids['finding'] = detail.findings[0]!.id;
    const read = await owner('GET', `/v1/assessments/${ids['assessment']}`);
    await owner(
      'POST',
      `/v1/assessments/${ids['assessment']}/reviews`,
      { clinicianId: 'dr-a', decision: 'accepted', findings: [{ findingId: ids['finding'], decision: 'accepted' }] },
      { 'if-match': read.headers.get('etag')! },
    );
    etag = (await owner('GET', `/v1/assessments/${ids['assessment']}`)).headers.get('etag')!;
    ids['followUp'] = (await owner<FollowUpView[]>('GET', `/v1/cases/${ids['case']}/follow-ups`)).body[0]!.id;
    ids['webhook'] = (
      await owner('POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/x', events: ['assessment.reviewed'] })
    ).body.id;
    ids['apiKey'] = (await owner('POST', '/v1/api-keys', { name: 'pms', scopes: ['read'] })).body.id;
    // A dead-lettered job of the owner's: the assessment's own job, parked as if it had failed.
    const conn = queueConnection({
      QUEUE_BACKEND: 'redis',
      REDIS_URL: api.env['REDIS_URL']!,
      QUEUE_PREFIX: api.env['QUEUE_PREFIX']!,
    });
    const inference = new Queue('inference', { connection: conn.connection as never, prefix: conn.prefix });
    const dead = new DeadLetterQueue(conn);
    await dead.bury(
      (await waitFor('the job', async () => (await inference.getJob(ids['assessment']!)) ?? undefined))!,
      'boom',
    );
    ids['deadLetter'] = (await owner<{ items: { id: string }[] }>('GET', '/v1/admin/dead-letters')).body.items[0]!.id;
    await Promise.all([inference.close(), dead.close()]);
    snapshot = await state();
  });

  afterAll(async () => {
    await api?.close();
  });

  /** Every route with a path parameter, the parameter filled with the owner's resource. */
  const matrix: [string, string, unknown?][] = [
    ['GET', '/v1/cases/{id}'],
    ['PATCH', '/v1/cases/{id}', { status: 'closed' }],
    ['GET', '/v1/cases/{id}/fhir'],
    ['GET', '/v1/cases/{id}/follow-ups'],
    ['POST', '/v1/cases/{caseId}/assessments', { task: 'case-analysis' }],
    ['POST', '/v1/cases/{caseId}/assessments/defaults', {}],
    ['GET', '/v1/assessments/{id}'],
    ['GET', '/v1/assessments/{id}/reviews'],
    ['POST', '/v1/assessments/{id}/reviews', { clinicianId: 'x', decision: 'rejected' }],
    ['POST', '/v1/assessments/{id}/sign', { clinicianId: 'x' }],
    ['POST', '/v1/assessments/{id}/findings', { clinicianId: 'x', condition: 'fracture', urgency: 'emergency' }],
    ['GET', '/v1/findings/{id}'],
    ['GET', '/v1/patients/{id}'],
    ['GET', '/v1/clinics/{clinicId}/worklist'],
    ['GET', '/v1/follow-ups/{id}'],
    ['PATCH', '/v1/follow-ups/{id}', { status: 'done' }],
    ['GET', '/v1/webhooks/{id}'],
    ['DELETE', '/v1/webhooks/{id}'],
    ['POST', '/v1/webhooks/{id}/rotate-secret'],
    ['GET', '/v1/webhooks/{id}/deliveries'],
    ['POST', '/v1/webhooks/{id}/deliveries/redeliver', {}],
    ['DELETE', '/v1/api-keys/{id}'],
    ['GET', '/v1/admin/dead-letters/{id}'],
    ['POST', '/v1/admin/dead-letters/{id}/retry'],
    ['DELETE', '/v1/admin/dead-letters/{id}'],
  ];
  const resourceOf = (path: string) => {
    const seg = path.split('/')[2]!;
    return {
      cases: 'case',
      assessments: 'assessment',
      findings: 'finding',
      patients: 'patient',
      clinics: 'clinic',
      'follow-ups': 'followUp',
      webhooks: 'webhook',
      'api-keys': 'apiKey',
      admin: 'deadLetter',
    }[seg]!;
  };
  const fill = (path: string) => path.replace(/\{\w+\}/, ids[resourceOf(path)]!);

  it('covers every route and verb that names a resource', () => {
    const withParam = ROUTES.filter((r) => r.path.includes('{')).map((r) => `${r.method} ${r.path}`);
    expect(matrix.map(([m, p]) => `${m} ${p}`).sort()).toEqual(withParam.sort());
  });

  // Rest parameters: a 3-parameter function on 2-element rows would make Jest wait for `done`.
  it.each(matrix)("%s %s with another organization's key: 404, nothing changed", async (...[method, path, body]) => {
    const res = await client(api.url, b.key)(method, fill(path), body, { 'if-match': etag });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 404, code: expect.stringMatching(/_not_found$/) });
    expect(await state()).toEqual(snapshot);
  });

  const clinicBound = matrix.filter(([, p]) =>
    /^\/v1\/(cases|assessments|findings|patients|clinics|follow-ups)\//.test(p),
  );
  it.each(clinicBound)('%s %s with a key restricted to another clinic: 404', async (...[method, path, body]) => {
    const other = await api.prisma.clinic.create({
      data: { organizationId: a.tenant, name: `other-${Math.random()}` },
    });
    const restricted = await keyFor(api.prisma, a, ['read', 'write', 'review'], other.id);
    const res = await client(api.url, restricted)(method, fill(path), body, { 'if-match': etag });
    expect(res.status).toBe(404);
    expect(await state()).toEqual(snapshot);
  });

  it("lists never show another organization's rows, and references to them are refused", async () => {
    const intruder = client(api.url, b.key);
    for (const path of ['/v1/cases', '/v1/patients', '/v1/clinics', '/v1/webhooks', '/v1/api-keys']) {
      const res = await intruder('GET', path);
      expect(res.status).toBe(200);
      const text = JSON.stringify(res.body);
      for (const id of Object.values(ids)) expect(text).not.toContain(id);
    }
    // The intruder's audit log holds its own (failed) probes and nothing the owner did.
    const audit = await intruder('GET', '/v1/audit?limit=500');
    const ownerKeys = await api.prisma.apiKey.findMany({ where: { organizationId: a.tenant }, select: { id: true } });
    expect(audit.body.items.length).toBeGreaterThan(20);
    for (const entry of audit.body.items) expect(ownerKeys.map((k) => k.id)).not.toContain(entry.apiKeyId);
    expect(
      audit.body.items.some(
        (e: { method: string; route: string }) => e.route === '/v1/webhooks' && e.method === 'POST',
      ),
    ).toBe(false);
    const steal = await intruder('POST', '/v1/cases', { clinicId: a.clinicId, patient: { externalId: 'A-1' } });
    expect(steal.status).toBe(422);
    const keyForTheirClinic = await intruder('POST', '/v1/api-keys', {
      name: 'x',
      scopes: ['read'],
      clinicId: a.clinicId,
    });
    expect(keyForTheirClinic.status).toBe(422);
    // The same external id in another organization is another patient.
    const mine = await intruder('POST', '/v1/cases', { patient: { externalId: 'A-1' } });
    expect(mine.status).toBe(201);
    expect(mine.body.patientId).not.toBe(ids['patient']);
    expect(await state()).toEqual(snapshot);
  });
});
