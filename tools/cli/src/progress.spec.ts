import type { ImportView } from '@dg/contracts';
import { formatBytes, formatDuration, progressLine, statusText } from './format';
import { progressRenderer } from './progress';
import { capture } from './testing/capture';

const view = (over: Partial<ImportView> = {}): ImportView => ({
  id: '11111111-2222-4333-8444-555555555555',
  status: 'running',
  dryRun: false,
  source: 'scans.zip',
  format: 'zip',
  sourceBytes: 2_000_000,
  counts: { total: 100, pending: 50, imported: 40, duplicate: 5, refused: 3, failed: 2, cancelled: 0 },
  analysis: { queued: 40, running: 0, completed: 0, failed: 0 },
  itemsPerSecond: 12.5,
  etaSeconds: 75,
  summary: null,
  error: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  startedAt: '2026-01-01T00:00:01.000Z',
  finishedAt: null,
  ...over,
});

describe('progress', () => {
  it('formats sizes and durations', () => {
    expect([formatBytes(512), formatBytes(2_500_000), formatBytes(null)]).toEqual(['512 B', '2.50 MB', '?']);
    expect([formatDuration(5), formatDuration(75), formatDuration(3725), formatDuration(null)]).toEqual([
      '5s',
      '1m15s',
      '1h02m05s',
      '?',
    ]);
  });

  it('draws done/total, the outcomes, the rate and the ETA', () => {
    expect(progressLine(view(), 10)).toBe(
      '[#####-----] 50% 50/100 | 40 imported, 5 duplicate, 3 refused, 2 failed | 12.5 items/s | ETA 1m15s',
    );
    expect(progressLine(view({ status: 'scanning', counts: { ...view().counts, total: null } }))).toMatch(
      /scanning, 100 entries found$/,
    );
    expect(statusText(view())).toContain('items             50/100 done');
  });

  it('redraws one line on a terminal, and ends it before anything else is written', () => {
    const out = capture(true);
    let t = 0;
    const p = progressRenderer(out, { tty: true, now: () => t });
    p.update(view());
    t += 50;
    p.update(view({ counts: { ...view().counts, imported: 41, pending: 49 } })); // held back: too soon
    p.end();
    const frames = out.text().split('\r\x1b[2K');
    expect(frames).toHaveLength(3);
    expect(frames[2]).toMatch(/51\/100.*\n$/);
  });

  it('prints plain lines to a log: each status, and the numbers at most every few seconds', () => {
    const out = capture(false);
    let t = 0;
    const p = progressRenderer(out, { tty: false, everyMs: 5000, now: () => t });
    p.uploading(10, 100); // a quick upload says nothing
    p.update(view({ status: 'queued' }));
    p.update(view());
    t += 1000;
    p.update(view({ counts: { ...view().counts, imported: 41, pending: 49 } }));
    t += 5000;
    p.update(view({ counts: { ...view().counts, imported: 42, pending: 48 } }));
    p.update(view({ status: 'completed', counts: { ...view().counts, imported: 90, pending: 0 } }));
    p.end();
    const lines = out.text().trim().split('\n');
    expect(lines.map((l) => /\d+\/100|queued/.exec(l)?.[0])).toEqual(['queued', '50/100', '52/100', '100/100']);
  });
});
