import type { TenantId } from '@dg/contracts';
import type { IdempotencyEntry, IdempotencyRepository } from './idempotency.repository';
import { IdempotencyService, requestHash } from './idempotency.service';

/** The repository's contract in memory (the real one is exercised by the e2e specs on Postgres). */
class MemoryRecords {
  readonly rows = new Map<string, IdempotencyEntry>();
  async claim(t: TenantId, scope: string, key: string, requestHash: string) {
    const id = `${t}|${scope}|${key}`;
    const existing = this.rows.get(id);
    if (existing) return existing;
    this.rows.set(id, { requestHash, statusCode: null, responseBody: null });
    return undefined;
  }
  async complete(t: TenantId, scope: string, key: string, statusCode: number, responseBody: unknown) {
    const row = this.rows.get(`${t}|${scope}|${key}`)!;
    Object.assign(row, { statusCode, responseBody });
  }
  async release(t: TenantId, scope: string, key: string) {
    const id = `${t}|${scope}|${key}`;
    if (this.rows.get(id)?.statusCode === null) this.rows.delete(id);
  }
}

describe('IdempotencyService', () => {
  const tenant = '00000000-0000-4000-8000-000000000001' as TenantId;
  let records: MemoryRecords;
  let svc: IdempotencyService;
  beforeEach(() => {
    records = new MemoryRecords();
    svc = new IdempotencyService(records as unknown as IdempotencyRepository);
  });

  it('runs once and replays the stored answer for the same request', async () => {
    let runs = 0;
    const fn = async () => ({ status: 201, body: { id: ++runs } });
    const first = await svc.run(tenant, 's', 'k', 'h1', fn);
    const again = await svc.run(tenant, 's', 'k', 'h1', fn);
    expect(first).toEqual({ status: 201, body: { id: 1 }, replayed: false });
    expect(again).toEqual({ status: 201, body: { id: 1 }, replayed: true });
    expect(runs).toBe(1);
  });

  it('refuses the same key for a different request (422) and while the first still runs (409)', async () => {
    await svc.run(tenant, 's', 'k', 'h1', async () => ({ status: 201, body: {} }));
    await expect(svc.run(tenant, 's', 'k', 'h2', async () => ({ status: 201, body: {} }))).rejects.toMatchObject({
      code: 'idempotency_key_reused',
    });
    let release!: () => void;
    const slow = svc.run(
      tenant,
      's',
      'slow',
      'h',
      () => new Promise<{ status: number; body: unknown }>((r) => (release = () => r({ status: 201, body: {} }))),
    );
    await new Promise((r) => setImmediate(r));
    await expect(svc.run(tenant, 's', 'slow', 'h', async () => ({ status: 201, body: {} }))).rejects.toMatchObject({
      code: 'idempotency_in_progress',
    });
    release();
    await slow;
  });

  it('frees the key when the first request fails, so a retry runs again', async () => {
    await expect(svc.run(tenant, 's', 'k', 'h', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(svc.run(tenant, 's', 'k', 'h', async () => ({ status: 201, body: 'ok' }))).resolves.toMatchObject({
      body: 'ok',
      replayed: false,
    });
  });

  it('without a key simply runs; a malformed key is refused', async () => {
    expect(await svc.run(tenant, 's', undefined, 'h', async () => ({ status: 200, body: 1 }))).toMatchObject({
      body: 1,
    });
    expect(() => svc.parseKey('has space')).toThrow(/Idempotency-Key/);
    expect(() => svc.parseKey('x'.repeat(256))).toThrow(/Idempotency-Key/);
    expect(svc.parseKey('abc-123')).toBe('abc-123');
  });

  it('hashes requests canonically (key order does not matter, content does)', () => {
    expect(requestHash({ a: 1, b: 'x' })).toBe(requestHash({ b: 'x', a: 1 }));
    expect(requestHash({ a: 1, b: 'x' })).not.toBe(requestHash({ a: 1, b: 'y' }));
  });
});
