import { Pool } from 'pg';
import { IngestionEnvSchema, loadConfig } from '@dg/config';
import { SharpImageCodec } from '@dg/imaging';
import { PixelBufferPool, toPixelValues } from '@dg/inference';
import { createObjectStore } from '@dg/storage';

/**
 * The per-job work no assessment pipeline can skip, done with the bare libraries: the producer writes
 * a row; the consumer reads the derivative from S3, decodes it to the model's pixel values, and writes
 * the result to the row. A second baseline for bench:pipeline: against it, the ratio is the cost of
 * the platform's own machinery (HTTP and auth, outbox and relay, lanes, started/results events,
 * audit, webhooks lookup), where the empty-processor baseline also counts the work itself.
 */
export async function bareWork(env: Record<string, string>, keys: string[], size: number) {
  const pool = new Pool({ connectionString: env['DATABASE_URL'], max: 10 });
  await pool.query(
    'CREATE TABLE IF NOT EXISTS bench_bare_job (id bigserial PRIMARY KEY, image_key text NOT NULL, ' +
      'status text NOT NULL, result jsonb, created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz)',
  );
  const store = createObjectStore(loadConfig(IngestionEnvSchema, env));
  const codec = new SharpImageCodec();
  const buffers = new PixelBufferPool(16); // reused as the worker does: a fair baseline, not a slow one
  return {
    prepare: async (i: number) => {
      const key = keys[i % keys.length]!;
      const { rows } = await pool.query<{ id: string }>(
        "INSERT INTO bench_bare_job (image_key, status) VALUES ($1, 'queued') RETURNING id",
        [key],
      );
      return { id: rows[0]!.id, key };
    },
    work: async (_i: number, data: Record<string, unknown>) => {
      const image = await codec.decodePixels(await store.get(String(data['key'])));
      const pixels = toPixelValues(image, size, buffers.take(3 * size * size));
      await pool.query(
        "UPDATE bench_bare_job SET status = 'completed', result = $2, updated_at = now() WHERE id = $1",
        [data['id'], JSON.stringify({ values: pixels.length })],
      );
      buffers.give(pixels);
    },
    close: () => pool.end(),
  };
}
