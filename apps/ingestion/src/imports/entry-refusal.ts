import { ArchiveCorruptError, EntryRefusedError } from '@dg/archive';

/**
 * What a failed entry stream means for its item: refused with the archive's code (or
 * corrupt-entry), or undefined for any other error (I/O: the run fails and is retried).
 */
export function refusalOf(error: unknown): { code: string; error: string } | undefined {
  if (error instanceof EntryRefusedError) return { code: error.code, error: error.message };
  if (error instanceof ArchiveCorruptError) return { code: 'corrupt-entry', error: error.message };
  return undefined;
}
