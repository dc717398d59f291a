import { Inject, Injectable } from '@nestjs/common';
import {
  isUrgentFinding,
  type AddFindingRequest,
  type AssessmentView,
  type FindingView,
  type ReviewView,
  type SubmitReviewRequest,
  type TenantAccess,
  type TenantId,
} from '@dg/contracts';
import type { Prisma, PrismaClient } from '@dg/db';
import { toAssessmentView } from '../assessments/assessment.view';
import { underCase } from '../common/access';
import { planFollowUps } from '../follow-ups/follow-up-rules';
import { syncFollowUps } from '../follow-ups/follow-up.store';
import { PRISMA } from '../infrastructure/tokens';
import { enqueueEvent } from '../webhooks/outbox';
import { toFindingView } from './finding.view';

export class UnknownFindingError extends Error {}
/** The version moved between the precondition check and the write: another clinician won. */
export class VersionConflictError extends Error {}

type Tx = Prisma.TransactionClient;

/**
 * Review writes. Each runs in one transaction that first bumps the assessment's version where it
 * still equals the version the client sent (If-Match), so of two concurrent reviews exactly one
 * commits; the other gets VersionConflictError (412). Reviews are appended, never updated.
 */
@Injectable()
export class ReviewRepository {
  constructor(@Inject(PRISMA) private readonly prisma: PrismaClient) {}

  async current(access: TenantAccess, id: string) {
    return this.prisma.assessment.findFirst({
      where: { id, ...underCase(access) },
      select: { id: true, status: true, reviewState: true, version: true },
    });
  }

  async listReviews(access: TenantAccess, assessmentId: string): Promise<ReviewView[] | undefined> {
    const a = await this.current(access, assessmentId);
    if (!a) return undefined;
    const rows = await this.prisma.review.findMany({
      where: { assessmentId, organizationId: access.tenant },
      orderBy: { createdAt: 'asc' },
    });
    return rows.map((r) => ({
      id: r.id,
      assessmentId: r.assessmentId,
      findingId: r.findingId,
      kind: r.kind,
      decision: r.decision,
      clinicianId: r.clinicianId,
      notes: r.notes,
      edit: r.edit ?? null,
      assessmentVersion: r.assessmentVersion,
      createdAt: r.createdAt.toISOString(),
    }));
  }

  async findFinding(access: TenantAccess, id: string): Promise<FindingView | undefined> {
    const row = await this.prisma.finding.findFirst({ where: { id, ...underCase(access) } });
    return row ? toFindingView(row) : undefined;
  }

  /** Returns the reviewed assessment and whether an urgent finding event was queued. */
  async submit(access: TenantAccess, id: string, version: number, req: SubmitReviewRequest, amendment: boolean) {
    return this.prisma.$transaction(async (tx) => {
      const a = await bump(tx, access, id, version, { reviewState: 'reviewed', signedAt: null, signedBy: null });
      const ids = req.findings.map((f) => f.findingId);
      const known = await tx.finding.findMany({ where: { assessmentId: id, id: { in: ids } }, select: { id: true } });
      if (known.length !== new Set(ids).size) {
        throw new UnknownFindingError(ids.find((x) => !known.some((k) => k.id === x)));
      }
      const kind = amendment ? 'amendment' : 'review';
      const base = { organizationId: access.tenant, assessmentId: id, clinicianId: req.clinicianId, kind } as const;
      await tx.review.create({
        data: { ...base, decision: req.decision, notes: req.notes, assessmentVersion: version },
      });
      let urgent = false;
      for (const f of req.findings) {
        await tx.review.create({
          data: {
            ...base,
            findingId: f.findingId,
            decision: f.decision,
            notes: f.notes,
            edit: f.edit as Prisma.InputJsonValue | undefined,
            assessmentVersion: version,
          },
        });
        const updated = await tx.finding.update({
          where: { id: f.findingId },
          data: { decision: f.decision, ...(f.decision === 'edited' && f.edit ? f.edit : {}) },
        });
        if (f.decision !== 'rejected' && isUrgentFinding(updated)) {
          urgent ||= (await urgentEvent(tx, access.tenant, updated)) > 0;
        }
      }
      const findings = await tx.finding.findMany({ where: { assessmentId: id } });
      const plan = planFollowUps({
        task: a.task,
        completedAt: a.completedAt ?? a.createdAt,
        overall: req.decision,
        findings,
      });
      await syncFollowUps(tx, access.tenant, { id, caseId: a.caseId, clinicId: a.case.clinicId }, plan);
      await enqueueEvent(tx, access.tenant, 'assessment.reviewed', `assessment.reviewed:${id}:v${a.version}`, {
        assessmentId: id,
        caseId: a.caseId,
        decision: req.decision,
        clinicianId: req.clinicianId,
        version: a.version,
        amendment,
      });
      return { assessment: toAssessmentView(a), urgent };
    });
  }

  async sign(access: TenantAccess, id: string, version: number, clinicianId: string): Promise<AssessmentView> {
    return this.prisma.$transaction(async (tx) => {
      const a = await bump(tx, access, id, version, {
        reviewState: 'signed',
        signedAt: new Date(),
        signedBy: clinicianId,
      });
      await tx.review.create({
        data: {
          organizationId: access.tenant,
          assessmentId: id,
          clinicianId,
          kind: 'signature',
          assessmentVersion: version,
        },
      });
      return toAssessmentView(a);
    });
  }

  async addFinding(access: TenantAccess, id: string, version: number, req: AddFindingRequest) {
    return this.prisma.$transaction(async (tx) => {
      const a = await bump(tx, access, id, version, {});
      const { clinicianId, ...input } = req;
      const row = await tx.finding.create({
        data: {
          organizationId: access.tenant,
          caseId: a.caseId,
          assessmentId: id,
          source: 'clinician',
          ...input,
          decision: 'accepted',
        },
      });
      await tx.review.create({
        data: {
          organizationId: access.tenant,
          assessmentId: id,
          findingId: row.id,
          clinicianId,
          kind: 'review',
          decision: 'accepted',
          notes: 'added by the clinician',
          assessmentVersion: version,
        },
      });
      const urgent = isUrgentFinding(row) ? (await urgentEvent(tx, access.tenant, row)) > 0 : false;
      return { finding: toFindingView(row), assessment: toAssessmentView(a), urgent };
    });
  }
}

async function bump(
  tx: Tx,
  access: TenantAccess,
  id: string,
  version: number,
  data: Prisma.AssessmentUpdateManyMutationInput,
) {
  const { count } = await tx.assessment.updateMany({
    where: { id, version, ...underCase(access) },
    data: { ...data, version: { increment: 1 } },
  });
  if (count !== 1) throw new VersionConflictError(id);
  return tx.assessment.findUniqueOrThrow({ where: { id }, include: { case: { select: { clinicId: true } } } });
}

function urgentEvent(
  tx: Tx,
  tenant: TenantId,
  f: { id: string; assessmentId: string; caseId: string; condition: string; teeth: number[]; urgency: string },
) {
  return enqueueEvent(tx, tenant, 'finding.urgent', `finding.urgent:${f.id}`, {
    findingId: f.id,
    assessmentId: f.assessmentId,
    caseId: f.caseId,
    condition: f.condition,
    teeth: f.teeth,
    urgency: f.urgency,
  });
}
