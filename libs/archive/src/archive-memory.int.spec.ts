import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as yazl from 'yazl';
import type { ArchiveEntry } from './archive-entry';
import { fileSource } from './random-access-source';
import { readArchive } from './read-archive';
import { streamTar } from './testing/build-tar';

const MB = 1024 * 1024;
// Two 100 MB entries: buffering even one entry (not just the whole archive) would fail the 100 MB bound.
const limits = { maxEntryBytes: 128 * MB, maxCompressionRatio: 100, maxEntries: 1000, maxTotalBytes: 1024 * MB };

// The baseline must not include garbage of earlier specs: its collection mid-test would hide growth.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/**
 * Reads every entry to its end, sampling memory as the bytes go by. RSS alone can miss a leak:
 * pages malloc kept from earlier specs get reused without RSS growing, so the JS heap plus
 * Buffer memory is held to the same bound.
 */
async function consume(entries: AsyncIterable<ArchiveEntry>) {
  gc();
  const held = () => {
    const m = process.memoryUsage();
    return { rss: m.rss, js: m.heapUsed + m.arrayBuffers };
  };
  const before = held();
  const peak = { ...before };
  let bytes = 0;
  let count = 0;
  for await (const entry of entries) {
    count++;
    for await (const chunk of entry.open!()) {
      bytes += (chunk as Buffer).length;
      if (bytes % (4 * MB) < (chunk as Buffer).length) {
        const now = held();
        peak.rss = Math.max(peak.rss, now.rss);
        peak.js = Math.max(peak.js, now.js);
      }
    }
  }
  return { bytes, count, rssGrowthMb: (peak.rss - before.rss) / MB, jsGrowthMb: (peak.js - before.js) / MB };
}

function generated(bytes: number): Readable {
  const chunk = Buffer.alloc(MB, 0x33);
  return Readable.from(
    (function* () {
      for (let left = bytes; left > 0; left -= MB) yield left >= MB ? chunk : chunk.subarray(0, left);
    })(),
  );
}

describe('archive memory', () => {
  it('streams a 200 MB tar, generated as it is read, in bounded memory', async () => {
    const { bytes, count, rssGrowthMb, jsGrowthMb } = await consume(
      readArchive({ format: 'tar', stream: streamTar(2, 100 * MB) }, limits),
    );
    expect(count).toBe(2);
    expect(bytes).toBe(200 * MB);
    expect(rssGrowthMb).toBeLessThan(100);
    expect(jsGrowthMb).toBeLessThan(100);
  });

  it('streams a 200 MB zip from a file source in bounded memory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dg-archive-mem-'));
    try {
      const path = join(dir, 'big.zip');
      const zip = new yazl.ZipFile();
      for (let i = 0; i < 2; i++) zip.addReadStream(generated(100 * MB), `scans/${i}.bin`, { compress: false });
      zip.end();
      await pipeline(zip.outputStream, createWriteStream(path));
      const { bytes, count, rssGrowthMb, jsGrowthMb } = await consume(
        readArchive({ format: 'zip', source: await fileSource(path) }, limits),
      );
      expect(count).toBe(2);
      expect(bytes).toBe(200 * MB);
      expect(rssGrowthMb).toBeLessThan(100);
      expect(jsGrowthMb).toBeLessThan(100);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
