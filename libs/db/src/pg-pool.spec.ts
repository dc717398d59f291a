import { createServer } from 'node:net';
import { createPgPool } from './prisma';

describe('createPgPool', () => {
  it('marks what its queries throw as coming from the database', async () => {
    // A port that was just free: nothing listens there, so the connection is refused.
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: p } = probe.address() as { port: number };
        probe.close(() => resolve(p));
      });
    });
    const pool = createPgPool(`postgresql://x:y@127.0.0.1:${port}/db`, 1);
    try {
      const error = await pool.query('SELECT 1').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ code: 'ECONNREFUSED', fromDatabase: true });
    } finally {
      await pool.end();
    }
  });
});
