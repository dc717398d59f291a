import type { TenantId } from '@dg/contracts';
import type { Prisma } from '@dg/db';
import type { PlannedFollowUp } from './follow-up-rules';

/**
 * Makes the stored follow-ups of an assessment equal the plan, inside the review's transaction:
 * planned ones are upserted by (assessment, ruleKey); open or booked ones the plan no longer has are
 * cancelled; done ones are history and stay. Running it twice with the same plan changes nothing.
 */
export async function syncFollowUps(
  tx: Prisma.TransactionClient,
  tenant: TenantId,
  a: { id: string; caseId: string; clinicId: string | null },
  plan: PlannedFollowUp[],
): Promise<void> {
  const existing = await tx.followUp.findMany({ where: { assessmentId: a.id, organizationId: tenant } });
  const byKey = new Map(existing.map((f) => [f.ruleKey, f]));
  for (const p of plan) {
    const old = byKey.get(p.ruleKey);
    if (!old) {
      await tx.followUp.create({
        data: {
          organizationId: tenant,
          clinicId: a.clinicId,
          caseId: a.caseId,
          assessmentId: a.id,
          findingId: p.findingId,
          ruleKey: p.ruleKey,
          reason: p.reason,
          urgency: p.urgency,
          dueAt: p.dueAt,
        },
      });
      continue;
    }
    const changed = old.reason !== p.reason || old.urgency !== p.urgency || old.dueAt.getTime() !== p.dueAt.getTime();
    if (changed || old.status === 'cancelled') {
      await tx.followUp.update({
        where: { id: old.id },
        data: {
          reason: p.reason,
          urgency: p.urgency,
          dueAt: p.dueAt,
          ...(old.status === 'cancelled' ? { status: 'open' } : {}),
          ...(old.dueAt.getTime() !== p.dueAt.getTime() ? { dueNotifiedAt: null } : {}),
        },
      });
    }
  }
  const keep = new Set(plan.map((p) => p.ruleKey));
  const drop = existing.filter((f) => !keep.has(f.ruleKey) && (f.status === 'open' || f.status === 'booked'));
  if (drop.length) {
    await tx.followUp.updateMany({ where: { id: { in: drop.map((f) => f.id) } }, data: { status: 'cancelled' } });
  }
}
