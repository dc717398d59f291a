/**
 * Closing a BullMQ queue or worker can wait forever on a connection that is being re-established
 * (seen after a Redis restart). A shutdown must finish inside the pod's grace period whatever
 * Redis is doing, so every close is bounded; an unfinished close leaves nothing durable undone
 * (jobs keep their state in Redis).
 */
export async function closeWithin(closing: Promise<unknown>, ms = 5000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([closing.catch(() => undefined), new Promise((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}
