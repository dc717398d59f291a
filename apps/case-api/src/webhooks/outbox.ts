import type { TenantId, WebhookEvent } from '@dg/contracts';
import type { Prisma } from '@dg/db';

/**
 * Writes one delivery per subscribed endpoint, inside the caller's transaction: the event exists if
 * and only if the change it announces was committed. `eventKey` names the occurrence; the unique
 * (subscription, eventKey) index makes a repeated enqueue (redelivered result, retried request) a no-op.
 * Returns how many deliveries were new.
 */
export async function enqueueEvent(
  tx: Prisma.TransactionClient,
  tenant: TenantId,
  event: WebhookEvent,
  eventKey: string,
  data: Record<string, unknown>,
): Promise<number> {
  const subs = await tx.webhookSubscription.findMany({
    where: { organizationId: tenant, active: true, events: { has: event } },
    select: { id: true },
  });
  if (!subs.length) return 0;
  const { count } = await tx.webhookDelivery.createMany({
    data: subs.map((s) => ({
      organizationId: tenant,
      subscriptionId: s.id,
      event,
      eventKey,
      payload: data as Prisma.InputJsonValue,
    })),
    skipDuplicates: true,
  });
  return count;
}
