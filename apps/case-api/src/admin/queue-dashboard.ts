import { timingSafeEqual } from 'node:crypto';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { QueueConnection } from '@dg/queue';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Queue } from 'bullmq';

export const DASHBOARD_PATH = '/admin/queues';
const QUEUES = ['inference', 'inference-batch', 'inference-dead', 'results'];

/**
 * bull-board over every queue of the platform, for the platform's operators (not a tenant's
 * admin: it shows all organizations' jobs). Mounted only when QUEUE_DASHBOARD_TOKEN is set, behind
 * HTTP Basic auth with that token as the password (any user name), so a browser can open it.
 */
export async function mountQueueDashboard(
  app: NestFastifyApplication,
  conn: QueueConnection,
  token: string,
): Promise<() => Promise<void>> {
  const queues = QUEUES.map(
    (name) =>
      new Queue(name, { connection: conn.connection as never, prefix: conn.prefix } as never, conn.backend as never),
  );
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(DASHBOARD_PATH);
  createBullBoard({ queues: queues.map((q) => new BullMQAdapter(q, { readOnlyMode: false })), serverAdapter });
  const expected = Buffer.from(token);
  const fastify = app.getHttpAdapter().getInstance();
  await fastify.register(async (scope) => {
    scope.addHook('onRequest', async (req, reply) => {
      const header = req.headers.authorization ?? '';
      const password = header.startsWith('Basic ')
        ? Buffer.from(header.slice(6), 'base64').toString().split(':').slice(1).join(':')
        : '';
      const given = Buffer.from(password);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        await reply
          .status(401)
          .header('www-authenticate', 'Basic realm="DentalGemma queues"')
          .send({ statusCode: 401, code: 'dashboard_auth', message: 'queue dashboard: wrong or missing credentials' });
      }
    });
    await scope.register(serverAdapter.registerPlugin() as never, { prefix: DASHBOARD_PATH });
  });
  return async () => {
    await Promise.all(queues.map((q) => q.close()));
  };
}
