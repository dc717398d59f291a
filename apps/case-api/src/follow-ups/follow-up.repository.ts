import { Inject, Injectable } from '@nestjs/common';
import type { FollowUpStatus, FollowUpView, Page, TenantAccess, WorklistQuery } from '@dg/contracts';
import type { Prisma, PrismaClient } from '@dg/db';
import { decodeCursor, pageFrom } from '@dg/http';
import { underCase } from '../common/access';
import { PRISMA } from '../infrastructure/tokens';

type FollowUpRow = Prisma.FollowUpGetPayload<object>;

@Injectable()
export class FollowUpRepository {
  constructor(@Inject(PRISMA) private readonly prisma: PrismaClient) {}

  async findById(access: TenantAccess, id: string): Promise<FollowUpView | undefined> {
    const row = await this.prisma.followUp.findFirst({ where: { id, ...underCase(access) } });
    return row ? toFollowUpView(row, new Date()) : undefined;
  }

  async forCase(access: TenantAccess, caseId: string): Promise<FollowUpView[]> {
    const rows = await this.prisma.followUp.findMany({
      where: { caseId, ...underCase(access) },
      orderBy: [{ dueAt: 'asc' }, { id: 'asc' }],
    });
    const now = new Date();
    return rows.map((r) => toFollowUpView(r, now));
  }

  async setStatus(access: TenantAccess, id: string, status: FollowUpStatus): Promise<FollowUpView | undefined> {
    const { count } = await this.prisma.followUp.updateMany({ where: { id, ...underCase(access) }, data: { status } });
    return count ? this.findById(access, id) : undefined;
  }

  /**
   * Open and booked follow-ups, most urgent first (enum order), then soonest due: of one clinic, of
   * cases without a clinic (null), or of every clinic the key sees (undefined).
   */
  async worklist(
    access: TenantAccess,
    clinicId: string | null | undefined,
    q: WorklistQuery,
  ): Promise<Page<FollowUpView>> {
    const now = new Date();
    const cursor = decodeCursor(q.cursor);
    const due: Prisma.DateTimeFilter = {};
    if (q.dueBefore) due.lt = new Date(q.dueBefore);
    if (q.overdue === true) due.lt = due.lt && due.lt < now ? due.lt : now;
    if (q.overdue === false) due.gte = now;
    const rows = await this.prisma.followUp.findMany({
      where: {
        ...underCase(access),
        ...(clinicId === undefined ? {} : { clinicId }),
        status: { in: ['open', 'booked'] },
        ...(q.urgency ? { urgency: q.urgency } : {}),
        ...(Object.keys(due).length ? { dueAt: due } : {}),
      },
      orderBy: [{ urgency: 'desc' }, { dueAt: 'asc' }, { id: 'asc' }],
      take: q.limit + 1,
      ...(cursor ? { cursor: { id: cursor.id }, skip: 1 } : {}),
    });
    return pageFrom(
      rows,
      q.limit,
      (r) => ({ v: r.dueAt.toISOString(), id: r.id }),
      (r) => toFollowUpView(r, now),
    );
  }
}

export function toFollowUpView(row: FollowUpRow, now: Date): FollowUpView {
  return {
    id: row.id,
    caseId: row.caseId,
    clinicId: row.clinicId,
    assessmentId: row.assessmentId,
    findingId: row.findingId,
    ruleKey: row.ruleKey,
    reason: row.reason,
    urgency: row.urgency,
    dueAt: row.dueAt.toISOString(),
    status: row.status,
    overdue: (row.status === 'open' || row.status === 'booked') && row.dueAt < now,
  };
}
