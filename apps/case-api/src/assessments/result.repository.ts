import { Inject, Injectable } from '@nestjs/common';
import {
  isUrgentFinding,
  StructuredFindingsOutputSchema,
  type AssessmentCompleted,
  type FindingInput,
  type TenantId,
} from '@dg/contracts';
import type { Prisma, PrismaClient } from '@dg/db';
import { PRISMA } from '../infrastructure/tokens';
import { enqueueEvent } from '../webhooks/outbox';

/**
 * Stores a worker result exactly once per job (the job id is the assessment id). Only the
 * transaction that moves the assessment to completed writes its findings and webhook deliveries, so
 * a duplicate delivery of the same result changes nothing; unique keys on findings
 * (assessment, sourceKey) and deliveries (subscription, eventKey) hold even if that guard were bypassed.
 */
@Injectable()
export class ResultRepository {
  constructor(@Inject(PRISMA) private readonly prisma: PrismaClient) {}

  /** Returns whether this call stored the result, and whether an urgent finding was queued. */
  async complete(tenant: TenantId, r: AssessmentCompleted): Promise<{ stored: boolean; urgent: boolean }> {
    return this.prisma.$transaction(async (tx) => {
      // One UPDATE ... RETURNING: the guard and the row the findings need, in a single statement.
      const [assessment] = await tx.assessment.updateManyAndReturn({
        where: { id: r.assessmentId, organizationId: tenant, status: { in: ['queued', 'running', 'failed'] } },
        data: {
          status: 'completed',
          modelId: r.provenance.modelId,
          weightsDigest: r.provenance.weightsDigest,
          promptVersion: r.provenance.promptVersion,
          contractVersion: r.provenance.contractVersion,
          rawText: r.rawText,
          output: r.output as Prisma.InputJsonValue,
          error: null,
          promptTokens: r.stats.promptTokens,
          completionTokens: r.stats.completionTokens,
          stopReason: r.stats.stopReason,
          timeToFirstTokenMs: r.stats.timeToFirstTokenMs,
          visionMs: r.stats.visionMs,
          totalMs: r.stats.totalMs,
          ...(r.startedAt ? { startedAt: new Date(r.startedAt) } : {}),
          completedAt: new Date(r.completedAt),
        },
      });
      if (!assessment) return { stored: false, urgent: false };

      const findings = structuredFindings(r.output);
      let urgent = false;
      for (const [index, f] of findings.entries()) {
        const row = await tx.finding.upsert({
          where: { assessmentId_sourceKey: { assessmentId: assessment.id, sourceKey: String(index) } },
          create: {
            organizationId: tenant,
            caseId: assessment.caseId,
            assessmentId: assessment.id,
            source: 'model',
            sourceKey: String(index),
            condition: f.condition,
            region: f.region,
            teeth: f.teeth,
            urgency: f.urgency,
            confidence: f.confidence,
          },
          update: {},
        });
        if (isUrgentFinding(f)) {
          const queued = await enqueueEvent(tx, tenant, 'finding.urgent', `finding.urgent:${row.id}`, {
            findingId: row.id,
            assessmentId: assessment.id,
            caseId: assessment.caseId,
            condition: f.condition,
            teeth: f.teeth,
            urgency: f.urgency,
          });
          urgent ||= queued > 0;
        }
      }
      await enqueueEvent(tx, tenant, 'assessment.completed', `assessment.completed:${assessment.id}`, {
        assessmentId: assessment.id,
        caseId: assessment.caseId,
        task: assessment.task,
        findings: findings.length,
      });
      return { stored: true, urgent };
    });
  }
}

/** Findings when the task's output carries them (structured contracts); `text@1` output has none. */
export function structuredFindings(output: unknown): FindingInput[] {
  const parsed = StructuredFindingsOutputSchema.safeParse(output);
  return parsed.success ? parsed.data.findings : [];
}
