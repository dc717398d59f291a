import type { ImportView } from '@dg/contracts';
import type { Output } from './cli-io';
import { progressLine, uploadLine } from './format';

export interface Progress {
  uploading(sent: number, total?: number): void;
  update(view: ImportView): void;
  /** Ends the live line, so what follows starts on a line of its own. */
  end(): void;
}

export interface ProgressOptions {
  /** Redraw one line in place; otherwise print plain lines. */
  tty: boolean;
  /** Plain lines: at most one per this many ms (default 5 s), unless the status changes. */
  everyMs?: number;
  now?: () => number;
}

/**
 * Draws progress: on a terminal one line redrawn in place, elsewhere (a log, CI) a plain line when
 * the status changes and at most every `everyMs` while the numbers move.
 */
export function progressRenderer(out: Output, opts: ProgressOptions): Progress {
  const now = opts.now ?? Date.now;
  const everyMs = opts.everyMs ?? 5000;
  let live = false;
  let lastText = '';
  let lastAt = -Infinity;
  let lastKey = '';

  // A terminal is redrawn at most ten times a second (an upload reports every chunk).
  const minGapMs = opts.tty ? 100 : everyMs;
  /** The latest line held back by the rate limit: a terminal gets it before the line ends. */
  let held: string | undefined;

  const draw = (text: string) => {
    if (opts.tty) {
      const width = Math.max(20, (out.columns ?? 120) - 1);
      out.write(`\r\x1b[2K${text.length > width ? `${text.slice(0, width - 1)}…` : text}`);
      live = true;
    } else {
      out.write(`${text}\n`);
    }
    lastText = text;
    held = undefined;
  };

  const show = (text: string, key: string) => {
    if (text === lastText) return;
    if (key !== lastKey && key === 'upload' && !opts.tty) {
      // A log gets upload lines only for uploads that take a while.
      lastKey = key;
      lastAt = now();
    }
    if (key === lastKey && now() - lastAt < minGapMs) {
      held = text;
      return;
    }
    draw(text);
    lastAt = now();
    lastKey = key;
  };

  return {
    uploading: (sent, total) => show(uploadLine(sent, total), 'upload'),
    update: (view) => show(progressLine(view), view.status),
    end() {
      if (held !== undefined && opts.tty) draw(held);
      if (live) out.write('\n');
      held = undefined;
      live = false;
      lastText = '';
    },
  };
}
