import { HttpStatus } from '@nestjs/common';
import { ApiError } from './http-errors';

/** Opaque keyset cursors: base64url JSON of the last row's sort value and id. */
export interface Cursor {
  v: string | number;
  id: string;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

export function decodeCursor(raw: string | undefined): Cursor | undefined {
  if (!raw) return undefined;
  try {
    const c = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Cursor;
    if ((typeof c.v === 'string' || typeof c.v === 'number') && typeof c.id === 'string') return c;
  } catch {
    // fall through
  }
  throw new ApiError(HttpStatus.BAD_REQUEST, 'invalid_cursor', 'the cursor is not one this API returned');
}

/** Fetch limit+1 rows, return limit and the cursor to the next page if there was one more. */
export function pageFrom<R, T>(rows: R[], limit: number, key: (r: R) => Cursor, view: (r: R) => T) {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  return { items: items.map(view), nextCursor: more ? encodeCursor(key(items[items.length - 1]!)) : null };
}
