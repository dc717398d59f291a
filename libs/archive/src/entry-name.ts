import type { EntryRefusalCode } from './errors';

/** Longer names are refused: PATH_MAX on Linux, and the duplicate-name set must stay small. */
export const MAX_NAME_LENGTH = 4096;
const REPORT_NAME_LENGTH = 512;

// C0/C1 controls (NUL included) and the bidirectional overrides that make "gpj.exe" read as "exe.jpg".
const CONTROL = /[\p{Cc}\u202a-\u202e\u2066-\u2069]/u;
const CONTROL_ALL = /[\p{Cc}\u202a-\u202e\u2066-\u2069]/gu;

export type NameCheck =
  | { ok: true; path: string }
  | { ok: false; code: Extract<EntryRefusalCode, 'invalid-name' | 'absolute-path' | 'path-traversal'>; reason: string };

/**
 * Validates an entry name as an archive or a folder wrote it and gives its normalized path: '/'
 * separated, NFC, without '.', '..' or empty segments. Backslashes count as separators because
 * Windows tools write them and Windows extractors honour them ("..\\..\\x" is a traversal there).
 */
export function checkEntryName(raw: string): NameCheck {
  if (raw.length === 0) return { ok: false, code: 'invalid-name', reason: 'empty name' };
  if (raw.length > MAX_NAME_LENGTH) {
    return { ok: false, code: 'invalid-name', reason: `name longer than ${MAX_NAME_LENGTH} characters` };
  }
  if (CONTROL.test(raw)) return { ok: false, code: 'invalid-name', reason: 'name contains control characters' };
  if (/^[/\\]/.test(raw) || /^[A-Za-z]:/.test(raw)) {
    return { ok: false, code: 'absolute-path', reason: 'absolute path' };
  }
  const segments: string[] = [];
  for (const segment of raw.normalize('NFC').split(/[/\\]/)) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (segments.length === 0) return { ok: false, code: 'path-traversal', reason: "'..' climbs out of the archive" };
      segments.pop();
    } else {
      segments.push(segment);
    }
  }
  if (segments.length === 0) return { ok: false, code: 'invalid-name', reason: 'name names no file' };
  return { ok: true, path: segments.join('/') };
}

/** The name for a report or a log line: controls escaped, long names cut, so a name cannot forge lines. */
export function displayName(raw: string): string {
  const escaped = raw.replace(CONTROL_ALL, (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`);
  return escaped.length > REPORT_NAME_LENGTH ? `${escaped.slice(0, REPORT_NAME_LENGTH)}…` : escaped;
}
