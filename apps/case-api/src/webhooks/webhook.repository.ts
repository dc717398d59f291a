import { Inject, Injectable } from '@nestjs/common';
import {
  asTenantId,
  type CreateWebhookRequest,
  type DeliveryQuery,
  type DeliveryView,
  type Page,
  type RedeliverRequest,
  type TenantId,
  type WebhookEvent,
  type WebhookView,
  type WebhookWithSecret,
} from '@dg/contracts';
import type { Prisma, PrismaClient } from '@dg/db';
import { decodeCursor, pageFrom } from '@dg/http';
import { PRISMA } from '../infrastructure/tokens';
import { enqueueEvent } from './outbox';
import { newWebhookSecret } from './signature';

type SubRow = Prisma.WebhookSubscriptionGetPayload<object>;
type DeliveryRow = Prisma.WebhookDeliveryGetPayload<object>;
export type ClaimedDelivery = Prisma.WebhookDeliveryGetPayload<{ include: { subscription: true } }>;

/** How long a rotated-out secret keeps signing, so receivers can switch without missing events. */
const ROTATION_OVERLAP_MS = 24 * 3600 * 1000;

@Injectable()
export class WebhookRepository {
  constructor(@Inject(PRISMA) private readonly prisma: PrismaClient) {}

  async create(tenant: TenantId, req: CreateWebhookRequest): Promise<WebhookWithSecret> {
    const row = await this.prisma.webhookSubscription.create({
      data: { organizationId: tenant, url: req.url, events: req.events, secret: newWebhookSecret() },
    });
    return { ...toView(row), secret: row.secret };
  }

  async list(tenant: TenantId): Promise<WebhookView[]> {
    const rows = await this.prisma.webhookSubscription.findMany({
      where: { organizationId: tenant },
      orderBy: { createdAt: 'asc' },
    });
    return rows.map(toView);
  }

  async get(tenant: TenantId, id: string): Promise<WebhookView | undefined> {
    const row = await this.prisma.webhookSubscription.findFirst({ where: { id, organizationId: tenant } });
    return row ? toView(row) : undefined;
  }

  /** Dead deliveries back to pending, attempts from zero: the dispatcher sends them on its next round. */
  async redeliver(tenant: TenantId, subscriptionId: string, req: RedeliverRequest): Promise<number> {
    const { count } = await this.prisma.webhookDelivery.updateMany({
      where: {
        organizationId: tenant,
        subscriptionId,
        status: 'dead',
        ...(req.deliveryIds ? { id: { in: req.deliveryIds } } : {}),
        ...(req.since ? { createdAt: { gte: new Date(req.since) } } : {}),
      },
      data: { status: 'pending', attempts: 0, nextAttemptAt: new Date() },
    });
    return count;
  }

  /** Deactivates (the delivery log keeps pointing at it); pending deliveries are dead-lettered. */
  async deactivate(tenant: TenantId, id: string): Promise<WebhookView | undefined> {
    return this.prisma.$transaction(async (tx) => {
      const { count } = await tx.webhookSubscription.updateMany({
        where: { id, organizationId: tenant },
        data: { active: false },
      });
      if (!count) return undefined;
      await tx.webhookDelivery.updateMany({
        where: { subscriptionId: id, status: 'pending' },
        data: { status: 'dead', lastError: 'subscription deleted' },
      });
      return toView(await tx.webhookSubscription.findUniqueOrThrow({ where: { id } }));
    });
  }

  async rotate(tenant: TenantId, id: string, now: Date): Promise<WebhookWithSecret | undefined> {
    const row = await this.prisma.webhookSubscription.findFirst({ where: { id, organizationId: tenant } });
    if (!row) return undefined;
    const updated = await this.prisma.webhookSubscription.update({
      where: { id },
      data: {
        secret: newWebhookSecret(),
        previousSecret: row.secret,
        previousExpiresAt: new Date(now.getTime() + ROTATION_OVERLAP_MS),
      },
    });
    return { ...toView(updated), secret: updated.secret };
  }

  async deliveries(tenant: TenantId, subscriptionId: string, q: DeliveryQuery): Promise<Page<DeliveryView>> {
    const cursor = decodeCursor(q.cursor);
    const rows = await this.prisma.webhookDelivery.findMany({
      where: {
        organizationId: tenant,
        subscriptionId,
        ...(q.status ? { status: q.status } : {}),
        ...(q.event ? { event: q.event } : {}),
      },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: q.limit + 1,
      ...(cursor ? { cursor: { id: cursor.id }, skip: 1 } : {}),
    });
    return pageFrom(rows, q.limit, (r) => ({ v: r.createdAt.toISOString(), id: r.id }), toDeliveryView);
  }

  /**
   * Takes up to `limit` due deliveries for this dispatcher. The lease (nextAttemptAt pushed ahead)
   * and SKIP LOCKED let several replicas dispatch without sending one delivery twice at once.
   */
  async claimDue(limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    const ids = await this.prisma.$queryRaw<{ id: string }[]>`
      UPDATE "WebhookDelivery" SET "nextAttemptAt" = now() + ${leaseMs} * interval '1 millisecond'
      WHERE id IN (
        SELECT id FROM "WebhookDelivery"
        WHERE status = 'pending' AND "nextAttemptAt" <= now()
        ORDER BY "nextAttemptAt" LIMIT ${limit} FOR UPDATE SKIP LOCKED)
      RETURNING id`;
    if (!ids.length) return [];
    return this.prisma.webhookDelivery.findMany({
      where: { id: { in: ids.map((r) => r.id) } },
      include: { subscription: true },
    });
  }

  async delivered(id: string, statusCode: number, at: Date): Promise<void> {
    await this.prisma.webhookDelivery.update({
      where: { id },
      data: {
        status: 'delivered',
        attempts: { increment: 1 },
        lastStatusCode: statusCode,
        lastError: null,
        deliveredAt: at,
      },
    });
  }

  async failed(
    id: string,
    attempts: number,
    error: string,
    statusCode: number | null,
    next: Date | null,
  ): Promise<void> {
    await this.prisma.webhookDelivery.update({
      where: { id },
      data: {
        attempts,
        lastError: error.slice(0, 500),
        lastStatusCode: statusCode,
        ...(next ? { nextAttemptAt: next } : { status: 'dead' }),
      },
    });
  }

  /** Queues followup.due once per follow-up and due date, for follow-ups that have come due. */
  async queueDueFollowUps(now: Date, limit = 100): Promise<number> {
    const due = await this.prisma.followUp.findMany({
      where: { status: { in: ['open', 'booked'] }, dueAt: { lte: now }, dueNotifiedAt: null },
      take: limit,
    });
    let queued = 0;
    for (const f of due) {
      queued += await this.prisma.$transaction(async (tx) => {
        const { count } = await tx.followUp.updateMany({
          where: { id: f.id, dueNotifiedAt: null },
          data: { dueNotifiedAt: now },
        });
        if (!count) return 0;
        return enqueueEvent(
          tx,
          asTenantId(f.organizationId),
          'followup.due',
          `followup.due:${f.id}:${f.dueAt.toISOString()}`,
          {
            followUpId: f.id,
            caseId: f.caseId,
            clinicId: f.clinicId,
            reason: f.reason,
            urgency: f.urgency,
            dueAt: f.dueAt.toISOString(),
          },
        );
      });
    }
    return queued;
  }
}

function toView(row: SubRow): WebhookView {
  return {
    id: row.id,
    url: row.url,
    events: row.events as WebhookEvent[],
    active: row.active,
    createdAt: row.createdAt.toISOString(),
  };
}

export function toDeliveryView(row: DeliveryRow): DeliveryView {
  return {
    id: row.id,
    subscriptionId: row.subscriptionId,
    event: row.event as WebhookEvent,
    eventKey: row.eventKey,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.nextAttemptAt.toISOString(),
    lastStatusCode: row.lastStatusCode,
    lastError: row.lastError,
    deliveredAt: row.deliveredAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}
