import { Inject, Injectable } from '@nestjs/common';
import {
  CLINICAL_DISCLAIMER,
  type AssessmentCompleted,
  type AssessmentView,
  type Modality,
  type TaskName,
  type TenantId,
} from '@dg/contracts';
import type { Assessment, PrismaClient } from '@dg/db';
import { PRISMA } from '../infrastructure/tokens';

export interface ImageForAssessment {
  id: string;
  caseId: string;
  normalizedKey: string;
  modality: Modality;
}

@Injectable()
export class AssessmentRepository {
  constructor(@Inject(PRISMA) private readonly prisma: PrismaClient) {}

  createQueued(tenant: TenantId, input: { caseId: string; imageId?: string; task: TaskName }): Promise<Assessment> {
    return this.prisma.assessment.create({
      data: {
        organizationId: tenant,
        caseId: input.caseId,
        imageId: input.imageId,
        task: input.task,
        status: 'queued',
      },
    });
  }

  async findById(tenant: TenantId, id: string): Promise<AssessmentView | undefined> {
    const row = await this.prisma.assessment.findFirst({ where: { id, organizationId: tenant } });
    return row ? toView(row) : undefined;
  }

  /** Images are ingestion's table; case-api only reads the fields a job needs, scoped by tenant. */
  async findImage(tenant: TenantId, imageId: string): Promise<ImageForAssessment | undefined> {
    const row = await this.prisma.image.findFirst({
      where: { id: imageId, organizationId: tenant },
      select: { id: true, caseId: true, normalizedKey: true, modality: true },
    });
    return row ? { ...row, modality: row.modality.replace('_', '-') as Modality } : undefined;
  }

  /** queued -> running; a late or repeated "started" never moves a finished assessment back. */
  async markRunning(tenant: TenantId, id: string, startedAt: Date): Promise<void> {
    await this.prisma.assessment.updateMany({
      where: { id, organizationId: tenant, status: 'queued' },
      data: { status: 'running', startedAt },
    });
  }

  /**
   * Stores a result once: only an assessment not yet completed takes it, so a duplicate delivery of
   * the same result changes nothing. Returns whether this call stored it.
   */
  async complete(tenant: TenantId, r: AssessmentCompleted): Promise<boolean> {
    const { count } = await this.prisma.assessment.updateMany({
      where: { id: r.assessmentId, organizationId: tenant, status: { in: ['queued', 'running', 'failed'] } },
      data: {
        status: 'completed',
        modelId: r.provenance.modelId,
        weightsDigest: r.provenance.weightsDigest,
        promptVersion: r.provenance.promptVersion,
        contractVersion: r.provenance.contractVersion,
        rawText: r.rawText,
        output: r.output as object,
        error: null,
        promptTokens: r.stats.promptTokens,
        completionTokens: r.stats.completionTokens,
        stopReason: r.stats.stopReason,
        timeToFirstTokenMs: r.stats.timeToFirstTokenMs,
        visionMs: r.stats.visionMs,
        totalMs: r.stats.totalMs,
        completedAt: new Date(r.completedAt),
      },
    });
    return count === 1;
  }

  async fail(tenant: TenantId, id: string, error: string, at: Date): Promise<void> {
    await this.prisma.assessment.updateMany({
      where: { id, organizationId: tenant, status: { in: ['queued', 'running'] } },
      data: { status: 'failed', error, completedAt: at },
    });
  }
}

function toView(row: Assessment): AssessmentView {
  const completed = row.status === 'completed';
  return {
    id: row.id,
    caseId: row.caseId,
    imageId: row.imageId,
    task: row.task as TaskName,
    status: row.status,
    modelId: row.modelId,
    weightsDigest: row.weightsDigest,
    promptVersion: row.promptVersion ?? '',
    contractVersion: row.contractVersion ?? '',
    rawText: row.rawText,
    output: row.output ?? null,
    error: row.error,
    stats:
      completed && row.promptTokens !== null
        ? {
            promptTokens: row.promptTokens,
            completionTokens: row.completionTokens ?? 0,
            stopReason: (row.stopReason ?? 'max-new-tokens') as 'stop-token' | 'max-new-tokens',
            timeToFirstTokenMs: row.timeToFirstTokenMs ?? 0,
            totalMs: row.totalMs ?? 0,
            visionMs: row.visionMs ?? 0,
          }
        : null,
    disclaimer: CLINICAL_DISCLAIMER,
    reviewRequired: true,
    createdAt: row.createdAt.toISOString(),
    startedAt: row.startedAt?.toISOString() ?? null,
    completedAt: row.completedAt?.toISOString() ?? null,
  };
}
