import { Inject, Injectable } from '@nestjs/common';
import type {
  AssessmentFailed,
  AssessmentListQuery,
  AssessmentView,
  Lane,
  Modality,
  Page,
  TaskName,
  TenantAccess,
  TenantId,
} from '@dg/contracts';
import type { Prisma, PrismaClient } from '@dg/db';
import { decodeCursor, pageFrom } from '@dg/http';
import { underCase } from '../common/access';
import { PRISMA } from '../infrastructure/tokens';
import { enqueueEvent } from '../webhooks/outbox';
import { toAssessmentView, type AssessmentRow } from './assessment.view';

export interface ImageForAssessment {
  id: string;
  caseId: string;
  normalizedKey: string;
  modality: Modality;
}

@Injectable()
export class AssessmentRepository {
  constructor(@Inject(PRISMA) private readonly prisma: PrismaClient) {}

  /**
   * The queued row and its job's outbox entry in one transaction: a crash leaves both or neither.
   * `job` gets the new row and the number of this tenant's batch-lane assessments still queued
   * ahead of it, which sets the fair-share priority of backfills.
   */
  createQueued(
    tenant: TenantId,
    input: { caseId: string; imageId?: string; task: TaskName; lane: Lane },
    job: (tx: Prisma.TransactionClient, row: AssessmentRow, queuedAhead: number) => Promise<void>,
  ): Promise<AssessmentRow> {
    return this.prisma.$transaction(async (tx) => {
      const queuedAhead =
        input.lane === 'batch'
          ? await tx.assessment.count({ where: { organizationId: tenant, lane: 'batch', status: 'queued' } })
          : 0;
      const row = await tx.assessment.create({
        data: {
          organizationId: tenant,
          caseId: input.caseId,
          imageId: input.imageId,
          task: input.task,
          lane: input.lane,
          status: 'queued',
        },
      });
      await job(tx, row, queuedAhead);
      return row;
    });
  }

  /** A dead-lettered assessment retried by an admin: failed -> queued, its error cleared. */
  async requeue(tenant: TenantId, id: string): Promise<void> {
    await this.prisma.assessment.updateMany({
      where: { id, organizationId: tenant, status: { in: ['failed', 'queued', 'running'] } },
      data: { status: 'queued', error: null, startedAt: null, completedAt: null },
    });
  }

  async findById(access: TenantAccess, id: string): Promise<AssessmentView | undefined> {
    const row = await this.prisma.assessment.findFirst({ where: { id, ...underCase(access) } });
    return row ? toAssessmentView(row) : undefined;
  }

  /** Assessments across the cases the key sees, filtered; a page at a time by creation. */
  async list(access: TenantAccess, q: AssessmentListQuery): Promise<Page<AssessmentView>> {
    const clinic = q.clinicId === 'none' ? null : q.clinicId;
    // A restricted key asking for another clinic (or for none) sees nothing, as for any other clinic.
    if (q.clinicId !== undefined && access.clinicId && clinic !== access.clinicId)
      return { items: [], nextCursor: null };
    const cursor = decodeCursor(q.cursor);
    const dir = q.sort === 'createdAt' ? 'asc' : 'desc';
    const rows = await this.prisma.assessment.findMany({
      where: {
        // AND, not a spread: underCase may hold a `case` filter of its own (a restricted key).
        AND: [underCase(access), q.clinicId !== undefined ? { case: { clinicId: clinic } } : {}],
        ...(q.status ? { status: q.status } : {}),
        ...(q.reviewState ? { reviewState: q.reviewState } : {}),
        ...(q.task ? { task: q.task } : {}),
      },
      orderBy: [{ createdAt: dir }, { id: dir }],
      take: q.limit + 1,
      ...(cursor ? { cursor: { id: cursor.id }, skip: 1 } : {}),
    });
    return pageFrom(rows, q.limit, (r) => ({ v: r.createdAt.toISOString(), id: r.id }), toAssessmentView);
  }

  /** Images are ingestion's table; case-api only reads the fields a job needs, scoped by tenant. */
  async findImage(tenant: TenantId, imageId: string): Promise<ImageForAssessment | undefined> {
    const row = await this.prisma.image.findFirst({
      where: { id: imageId, organizationId: tenant },
      select: { id: true, caseId: true, normalizedKey: true, modality: true },
    });
    return row ? { ...row, modality: row.modality.replace('_', '-') as Modality } : undefined;
  }

  /** The tasks an image already has batch-lane assessments for (a redelivered intake job skips them). */
  async tasksOf(tenant: TenantId, imageId: string, lane: Lane): Promise<Set<string>> {
    const rows = await this.prisma.assessment.findMany({
      where: { organizationId: tenant, imageId, lane },
      select: { task: true },
    });
    return new Set(rows.map((r) => r.task));
  }

  /** queued -> running; a late or repeated "started" never moves a finished assessment back. */
  async markRunning(tenant: TenantId, id: string, startedAt: Date): Promise<void> {
    await this.prisma.assessment.updateMany({
      where: { id, organizationId: tenant, status: 'queued' },
      data: { status: 'running', startedAt },
    });
  }

  /**
   * queued/running -> failed, and in the same transaction the assessment.failed webhook, so an
   * integrator hears of it without polling. A repeated report of the same failure changes nothing.
   */
  async fail(tenant: TenantId, f: Pick<AssessmentFailed, 'assessmentId' | 'error' | 'permanent' | 'failedAt'>) {
    await this.prisma.$transaction(async (tx) => {
      const [row] = await tx.assessment.updateManyAndReturn({
        where: { id: f.assessmentId, organizationId: tenant, status: { in: ['queued', 'running'] } },
        data: { status: 'failed', error: f.error, completedAt: new Date(f.failedAt) },
        select: { id: true, caseId: true, task: true },
      });
      if (!row) return;
      await enqueueEvent(tx, tenant, 'assessment.failed', `assessment.failed:${row.id}:${f.failedAt}`, {
        assessmentId: row.id,
        caseId: row.caseId,
        task: row.task,
        error: f.error,
        permanent: f.permanent,
      });
    });
  }
}
