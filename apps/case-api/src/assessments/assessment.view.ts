import { CLINICAL_DISCLAIMER, type AssessmentView, type TaskName } from '@dg/contracts';
import type { Prisma } from '@dg/db';

export type AssessmentRow = Prisma.AssessmentGetPayload<object>;

export function toAssessmentView(row: AssessmentRow): AssessmentView {
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
    reviewState: row.reviewState,
    version: row.version,
    signedAt: row.signedAt?.toISOString() ?? null,
    signedBy: row.signedBy,
    createdAt: row.createdAt.toISOString(),
    startedAt: row.startedAt?.toISOString() ?? null,
    completedAt: row.completedAt?.toISOString() ?? null,
  };
}
