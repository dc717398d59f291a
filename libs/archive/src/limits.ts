export interface ArchiveLimits {
  /** Largest entry, declared or inflated. */
  maxEntryBytes: number;
  /** Largest inflated/compressed ratio of one zip entry (and of a whole tar.gz stream). */
  maxCompressionRatio: number;
  /** Entries yielded before every further entry is refused 'too-many-entries'. */
  maxEntries: number;
  /** Inflated bytes, summed over every entry streamed. */
  maxTotalBytes: number;
}

/**
 * Below this many inflated bytes the ratio is not checked: a 4 KB text file of spaces deflates
 * 200-fold and is harmless; a bomb is about the bytes it becomes, which this floor already caps.
 */
export const RATIO_FLOOR_BYTES = 1024 * 1024;

export function ratioExceeded(inflated: number, compressed: number, limits: ArchiveLimits): boolean {
  return inflated > RATIO_FLOOR_BYTES && inflated > compressed * limits.maxCompressionRatio;
}

/** Inflated bytes streamed so far, shared by every entry of one archive. */
export interface Budget {
  used: number;
}
