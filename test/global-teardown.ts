import { rm } from 'node:fs/promises';

interface Stoppable {
  stop(): Promise<void>;
}

export default async function globalTeardown(): Promise<void> {
  const stack = (globalThis as Record<string, unknown>)['__DG_STACK__'] as
    { pg: Stoppable; redis: Stoppable; s3: Stoppable; root: string } | undefined;
  if (!stack) return;
  await Promise.allSettled([stack.pg.stop(), stack.redis.stop(), stack.s3.stop()]);
  await rm(stack.root, { recursive: true, force: true });
}
