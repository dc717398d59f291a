import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { multipartPost, send } from '../../shared/http-load';

/**
 * Distinct small grey PNGs, as panoramic radiographs are (random noise, so no two share a hash and
 * none is deduplicated).
 */
export async function distinctImages(count: number): Promise<Buffer[]> {
  return Promise.all(
    Array.from({ length: count }, () =>
      sharp(randomBytes(320 * 160), { raw: { width: 320, height: 160, channels: 1 } })
        .png({ compressionLevel: 1 })
        .toBuffer(),
    ),
  );
}

/**
 * What a PMS integration does: HTTP calls with the tenant's API key (over kept-alive node:http
 * connections: the load generator shares the event loop with the services it measures).
 */
export class BenchClient {
  constructor(
    private readonly urls: { caseApi: string; ingestion: string },
    private readonly key: string,
    private readonly caseId: string,
  ) {}

  async upload(bytes: Buffer): Promise<string> {
    const res = await send(
      multipartPost(
        `${this.urls.ingestion}/v1/images`,
        { authorization: `Bearer ${this.key}` },
        { caseId: this.caseId, modality: 'panoramic' },
        { name: 'file', fileName: 'pano.png', contentType: 'image/png', bytes },
      ),
    );
    if (res.status !== 201) throw new Error(`upload answered ${res.status}: ${res.text}`);
    return (JSON.parse(res.text) as { id: string }).id;
  }

  async requestAssessment(imageId: string): Promise<string> {
    const body = Buffer.from(JSON.stringify({ task: 'radiographic-report', imageId }));
    const res = await send({
      method: 'POST',
      url: new URL(`${this.urls.caseApi}/v1/cases/${this.caseId}/assessments`),
      headers: {
        authorization: `Bearer ${this.key}`,
        'content-type': 'application/json',
        'content-length': body.length,
      },
      body,
    });
    if (res.status !== 202 && res.status !== 201) {
      throw new Error(`assessment request answered ${res.status}: ${res.text}`);
    }
    return (JSON.parse(res.text) as { id: string }).id;
  }
}

/** Runs `work` over `items` with at most `concurrency` in flight. */
export async function pool<T, R>(items: T[], concurrency: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await work(items[i]!);
      }
    }),
  );
  return out;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
