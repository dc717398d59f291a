import type { FindingView } from '@dg/contracts';
import type { Prisma } from '@dg/db';

export type FindingRow = Prisma.FindingGetPayload<object>;

export function toFindingView(row: FindingRow): FindingView {
  return {
    id: row.id,
    assessmentId: row.assessmentId,
    caseId: row.caseId,
    source: row.source,
    condition: row.condition,
    region: row.region,
    teeth: row.teeth,
    urgency: row.urgency,
    confidence: row.confidence,
    decision: row.decision,
    createdAt: row.createdAt.toISOString(),
  };
}
