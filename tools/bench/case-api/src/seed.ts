import type { TenantId } from '@dg/contracts';
import { ensureOrganization, issueApiKey, type PrismaClient } from '@dg/db';

/** One case the way a clinic has it after a visit: an image, three assessments, six findings. */
export async function seedCase(prisma: PrismaClient): Promise<{ tenant: TenantId; caseId: string; key: string }> {
  const { tenantId: tenant, clinicId } = await ensureOrganization(prisma, 'bench', 'Bench Dental');
  const { key } = await issueApiKey(prisma, tenant, { name: 'bench', scopes: ['read'] });
  const patient = await prisma.patient.create({
    data: { organizationId: tenant, externalId: `B-${Date.now()}`, age: 44, sex: 'female' },
  });
  const kase = await prisma.case.create({
    data: {
      organizationId: tenant,
      clinicId,
      patientId: patient.id,
      chiefComplaint: 'Pain lower right for a week',
      clinicalFindings: 'Deep caries on 46',
      radiographicFindings: 'Periapical radiolucency at 46',
      medicalHistory: 'None',
    },
  });
  const image = await prisma.image.create({
    data: {
      organizationId: tenant,
      caseId: kase.id,
      sha256: 'b'.repeat(64),
      dedupKey: 'b'.repeat(64),
      format: 'png',
      modality: 'panoramic',
      width: 1400,
      height: 700,
      sizeBytes: 123456,
      originalKey: 'originals/bench',
      normalizedKey: 'derivatives/bench',
      thumbnailKey: 'thumbnails/seed.png',
      transform: { scale: 0.64, offsetX: 0, offsetY: 224, targetWidth: 896, targetHeight: 896 },
    },
  });
  for (const task of ['pathology-classification', 'radiographic-report', 'case-analysis']) {
    const a = await prisma.assessment.create({
      data: {
        organizationId: tenant,
        caseId: kase.id,
        imageId: task === 'case-analysis' ? null : image.id,
        task,
        status: 'completed',
        modelId: 'tiny-dentalgemma',
        weightsDigest: `sha256:${'c'.repeat(64)}`,
        promptVersion: `${task}@1`,
        contractVersion: 'text@1',
        rawText: 'Periapical radiolucency at the apex of 46 consistent with chronic apical periodontitis. '.repeat(4),
        output: { text: 'x' },
        promptTokens: 300,
        completionTokens: 80,
        stopReason: 'stop-token',
        timeToFirstTokenMs: 40,
        visionMs: 120,
        totalMs: 900,
        completedAt: new Date(),
      },
    });
    for (const [i, condition] of ['caries', 'periapical lesion'].entries()) {
      await prisma.finding.create({
        data: {
          organizationId: tenant,
          caseId: kase.id,
          assessmentId: a.id,
          source: 'model',
          sourceKey: String(i),
          condition,
          region: 'right mandibular region',
          teeth: [46, 47],
          urgency: 'soon',
          confidence: 0.7,
        },
      });
    }
  }
  return { tenant, caseId: kase.id, key };
}
