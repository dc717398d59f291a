import type { ImportSummary, ImportView } from '@dg/contracts';

export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '?';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(v < 10 ? 2 : 1)} ${units[u]}`;
}

/** 75 -> "1m15s", 3725 -> "1h02m05s". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  if (h) return `${h}h${String(m).padStart(2, '0')}m${String(rest).padStart(2, '0')}s`;
  if (m) return `${m}m${String(rest).padStart(2, '0')}s`;
  return `${rest}s`;
}

/** Items that reached an outcome. */
export const doneItems = (v: ImportView) => {
  const c = v.counts;
  return c.imported + c.duplicate + c.refused + c.failed + c.cancelled;
};

const outcomes = (v: ImportView) => {
  const c = v.counts;
  const parts = [`${c.imported} imported`, `${c.duplicate} duplicate`, `${c.refused} refused`, `${c.failed} failed`];
  if (c.cancelled) parts.push(`${c.cancelled} cancelled`);
  return parts.join(', ');
};

/** One line of progress: a bar once the total is known, else what the scan has found so far. */
export function progressLine(v: ImportView, barWidth = 24): string {
  if (v.status === 'queued') return `import ${v.id}: queued`;
  if (v.status === 'scanning' || v.counts.total === null || v.dryRun) {
    return `import ${v.id}: ${v.status}, ${doneItems(v) + v.counts.pending} entries found`;
  }
  const total = v.counts.total;
  const done = doneItems(v);
  const ratio = total ? Math.min(1, done / total) : 1;
  const filled = Math.round(ratio * barWidth);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}]`;
  const rate = v.itemsPerSecond === null ? '' : ` | ${v.itemsPerSecond} items/s`;
  const eta = v.etaSeconds === null ? '' : ` | ETA ${formatDuration(v.etaSeconds)}`;
  const status = v.status === 'running' ? '' : ` (${v.status})`;
  return `${bar} ${Math.floor(ratio * 100)}% ${done}/${total} | ${outcomes(v)}${rate}${eta}${status}`;
}

export function uploadLine(sent: number, total: number | undefined): string {
  if (!total) return `uploading: ${formatBytes(sent)} sent`;
  return `uploading: ${formatBytes(sent)} of ${formatBytes(total)} (${Math.min(100, Math.floor((sent / total) * 100))}%)`;
}

/** What a dry run found, as an operator reads it before deciding to run the import. */
export function summaryText(s: ImportSummary): string {
  const refusedBy = Object.entries(s.refusedByCode)
    .sort(([, a], [, b]) => b - a)
    .map(([code, n]) => `${code} ${n}`)
    .join(', ');
  const g = s.gpuEstimate;
  const gpu =
    g.seconds === null
      ? `unknown (${g.basis})`
      : `${formatDuration(g.seconds)} (${g.tasksPerImage} tasks per image; ${g.basis})`;
  return [
    `files             ${s.files} (${formatBytes(s.bytes)})`,
    `refused           ${s.refused}${refusedBy ? ` (${refusedBy})` : ''}`,
    `duplicates        ${s.duplicatesInArchive} within the archive, ${s.duplicatesOfExisting} already stored`,
    `to analyze        ${s.toAnalyze}`,
    `GPU time          ${gpu}`,
  ].join('\n');
}

/** The import's state, as `dg status` shows it. */
export function statusText(v: ImportView): string {
  const lines = [
    `import ${v.id}: ${v.status}${v.dryRun ? ' (dry run)' : ''}`,
    `source            ${v.source} (${v.format}${v.sourceBytes === null ? '' : `, ${formatBytes(v.sourceBytes)}`})`,
  ];
  const c = v.counts;
  // A dry run ingests nothing: its items stay pending, and its summary says what it found.
  if (!v.dryRun && (c.total !== null || doneItems(v) + c.pending > 0)) {
    lines.push(`items             ${doneItems(v)}/${c.total ?? '?'} done: ${outcomes(v)}, ${c.pending} pending`);
  }
  if (v.itemsPerSecond !== null) {
    lines.push(
      `rate              ${v.itemsPerSecond} items/s${v.etaSeconds === null ? '' : `, ETA ${formatDuration(v.etaSeconds)}`}`,
    );
  }
  if (!v.dryRun) {
    const a = v.analysis;
    lines.push(
      `analysis          ${a.queued} queued, ${a.running} running, ${a.completed} completed, ${a.failed} failed`,
    );
  }
  if (v.summary && v.dryRun) lines.push(summaryText(v.summary));
  lines.push(`created           ${v.createdAt}`);
  if (v.finishedAt) lines.push(`finished          ${v.finishedAt}${elapsed(v)}`);
  if (v.error) lines.push(`error             ${v.error}`);
  return lines.join('\n');
}

const elapsed = (v: ImportView) =>
  v.startedAt && v.finishedAt
    ? ` (took ${formatDuration((Date.parse(v.finishedAt) - Date.parse(v.startedAt)) / 1000)})`
    : '';
