import type { AssessmentView, CaseDetail, FollowUpView, Modality } from '@dg/contracts';

/**
 * A case as a FHIR R4 Bundle (type collection). Pure mapping, no I/O. Resources reference each other
 * by `urn:uuid:` full URLs, so the bundle stands alone. Tooth codes use FHIR's ISO 3950 (FDI) code
 * system `http://terminology.hl7.org/CodeSystem/ex-tooth`.
 */
export const TOOTH_SYSTEM = 'http://terminology.hl7.org/CodeSystem/ex-tooth';
const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
const PATIENT_ID_SYSTEM = 'urn:dentalgemma:pms:';

const DICOM_MODALITY: Record<Modality, { code: string; display: string }> = {
  panoramic: { code: 'PX', display: 'Panoramic X-Ray' },
  periapical: { code: 'IO', display: 'Intra-Oral Radiography' },
  bitewing: { code: 'IO', display: 'Intra-Oral Radiography' },
  'intraoral-photo': { code: 'XC', display: 'External-camera Photography' },
  other: { code: 'OT', display: 'Other' },
};

const PRIORITY = { routine: 'routine', soon: 'routine', urgent: 'urgent', emergency: 'stat' } as const;
const SR_STATUS = { open: 'active', booked: 'active', done: 'completed', cancelled: 'revoked' } as const;

type Resource = Record<string, unknown> & { resourceType: string; id: string };
const urn = (id: string) => `urn:uuid:${id}`;

function reportStatus(a: AssessmentView): string {
  if (a.status !== 'completed') return a.status === 'failed' ? 'cancelled' : 'registered';
  if (a.reviewState === 'signed') return 'final';
  return a.reviewState === 'reviewed' ? 'amended' : 'preliminary';
}

export function caseToFhirBundle(
  c: CaseDetail,
  followUps: FollowUpView[],
  patient: { age: number | null; sex: string | null },
  now: Date,
) {
  const subject = { reference: urn(c.patientId) };
  const resources: Resource[] = [];

  resources.push({
    resourceType: 'Patient',
    id: c.patientId,
    identifier: [{ system: `${PATIENT_ID_SYSTEM}${c.patientPms}`, value: c.patientExternalId }],
    // Our sex values are FHIR's administrative gender codes (female, male, other, unknown).
    ...(patient.sex ? { gender: patient.sex } : {}),
  });

  for (const img of c.images) {
    const m = DICOM_MODALITY[img.modality];
    resources.push({
      resourceType: 'ImagingStudy',
      id: img.id,
      status: 'available',
      subject,
      started: img.createdAt,
      modality: [{ system: DCM, code: m.code, display: m.display }],
      numberOfSeries: 1,
      numberOfInstances: 1,
      series: [{ uid: img.id, modality: { system: DCM, code: m.code, display: m.display }, numberOfInstances: 1 }],
    });
  }

  for (const f of c.findings) {
    const a = c.assessments.find((x) => x.id === f.assessmentId);
    resources.push({
      resourceType: 'Observation',
      id: f.id,
      status: f.decision === 'rejected' ? 'cancelled' : a?.reviewState === 'signed' ? 'final' : 'preliminary',
      category: [{ text: 'dental finding' }],
      code: { text: f.condition },
      subject,
      issued: f.createdAt,
      ...(f.teeth.length
        ? {
            bodySite: {
              coding: f.teeth.map((t) => ({ system: TOOTH_SYSTEM, code: String(t) })),
              text: f.region ?? undefined,
            },
          }
        : f.region
          ? { bodySite: { text: f.region } }
          : {}),
      interpretation: [{ text: `urgency: ${f.urgency}` }],
      ...(f.confidence !== null ? { note: [{ text: `model confidence ${f.confidence}` }] } : {}),
      ...(a?.imageId ? { derivedFrom: [{ reference: urn(a.imageId) }] } : {}),
    });
  }

  for (const a of c.assessments) {
    const results = c.findings.filter((f) => f.assessmentId === a.id).map((f) => ({ reference: urn(f.id) }));
    resources.push({
      resourceType: 'DiagnosticReport',
      id: a.id,
      status: reportStatus(a),
      code: { text: `DentalGemma ${a.task}` },
      subject,
      issued: a.completedAt ?? a.createdAt,
      ...(a.imageId ? { imagingStudy: [{ reference: urn(a.imageId) }] } : {}),
      ...(results.length ? { result: results } : {}),
      ...(a.rawText ? { conclusion: `${a.rawText}\n\n${a.disclaimer}` } : {}),
    });
  }

  for (const fu of followUps) {
    resources.push({
      resourceType: 'ServiceRequest',
      id: fu.id,
      status: SR_STATUS[fu.status],
      intent: 'plan',
      priority: PRIORITY[fu.urgency],
      code: { text: 'Dental follow-up' },
      subject,
      occurrenceDateTime: fu.dueAt,
      reasonCode: [{ text: fu.reason }],
      ...(fu.findingId ? { reasonReference: [{ reference: urn(fu.findingId) }] } : {}),
    });
  }

  return {
    resourceType: 'Bundle',
    id: c.id,
    type: 'collection',
    timestamp: now.toISOString(),
    entry: resources.map((r) => ({ fullUrl: urn(r.id), resource: JSON.parse(JSON.stringify(r)) as Resource })),
  };
}
