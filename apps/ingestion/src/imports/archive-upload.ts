import { pipeline, Transform, type Readable } from 'node:stream';
import { HttpStatus } from '@nestjs/common';
import { detectArchiveFormat, type ArchiveFormat } from '@dg/archive';
import { ApiError } from '@dg/http';
import type { ObjectStore } from '@dg/storage';
import type { FastifyRequest } from 'fastify';

export interface ArchiveUpload {
  fields: Record<string, string>;
  archive?: { format: ArchiveFormat; bytes: number; fileName: string };
  manifest?: { text: string; fileName: string };
}

export const MAX_MANIFEST_BYTES = 32 * 1024 * 1024;

class NotAnArchiveError extends Error {}
class TooLargeError extends Error {}

/**
 * Reads `POST /v1/imports` as multipart/form-data: text fields, an optional `manifest` file (small,
 * read into memory) and the `archive` file, streamed straight into object storage at `archiveKey`
 * (never to memory or local disk), its format checked from its first bytes as they pass.
 */
export async function readArchiveUpload(
  req: FastifyRequest,
  store: ObjectStore,
  archiveKey: string,
  maxBytes: number,
  /** Checks the fields sent so far before the archive is read: bad options fail before a 2 GB upload. */
  beforeArchive: (fields: Record<string, string>) => Promise<void> = async () => undefined,
): Promise<ArchiveUpload> {
  if (!req.isMultipart()) {
    throw new ApiError(
      HttpStatus.UNSUPPORTED_MEDIA_TYPE,
      'multipart_required',
      'send the archive as multipart/form-data with an "archive" part, or JSON with an s3:// source',
    );
  }
  const out: ArchiveUpload = { fields: {} };
  try {
    const parts = req.parts({ limits: { fileSize: Math.max(maxBytes, MAX_MANIFEST_BYTES) + 1, files: 2, fields: 20 } });
    for await (const part of parts) {
      if (part.type === 'field') {
        out.fields[part.fieldname] = String(part.value);
      } else if (part.fieldname === 'manifest' && !out.manifest) {
        out.manifest = { text: await readBounded(part.file as Readable, MAX_MANIFEST_BYTES), fileName: part.filename };
      } else if (part.fieldname === 'archive' && !out.archive) {
        try {
          await beforeArchive(out.fields);
        } catch (error) {
          part.file.resume();
          throw error;
        }
        const check = sniff(maxBytes);
        // pipeline, not pipe: a client that goes away mid-archive fails the put (and aborts the
        // multipart upload) instead of leaving it waiting for bytes that never come.
        pipeline(part.file as Readable, check.stream, () => undefined);
        await store.put(archiveKey, check.stream);
        if (!check.format()) throw new NotAnArchiveError('empty');
        out.archive = { format: check.format()!, bytes: check.bytes(), fileName: part.filename };
      } else {
        part.file.resume();
        throw new ApiError(
          HttpStatus.BAD_REQUEST,
          'unexpected_file_field',
          'file parts must be one "archive" and at most one "manifest"',
        );
      }
    }
    return out;
  } catch (error) {
    // Whatever part of the archive got stored goes (a no-op when none did).
    await store.delete(archiveKey).catch(() => undefined);
    throw toApiError(error, maxBytes);
  }
}

/** A small part read into memory, refused as soon as it passes `max` (never held past it). */
async function readBounded(stream: Readable, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > max) {
      stream.destroy();
      throw new TooLargeError(`manifest over ${max} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Passes bytes through, checking the first ones are an archive and counting them against the limit. */
function sniff(maxBytes: number) {
  let head = Buffer.alloc(0);
  let format: ArchiveFormat | undefined;
  let bytes = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      if (bytes > maxBytes) return done(new TooLargeError(`archive over ${maxBytes} bytes`));
      if (!format && head.length < 512) {
        head = Buffer.concat([head, chunk]);
        if (head.length >= 512) {
          format = detectArchiveFormat(head);
          if (!format) return done(new NotAnArchiveError('not an archive'));
        }
      }
      done(null, chunk);
    },
    flush(done) {
      // Shorter than 512 bytes: a tiny zip or gzip can still be one.
      if (!format) format = detectArchiveFormat(head);
      done(format || bytes === 0 ? null : new NotAnArchiveError('not an archive'));
    },
  });
  return { stream, format: () => format, bytes: () => bytes };
}

function toApiError(error: unknown, maxBytes: number): unknown {
  if (error instanceof ApiError) return error;
  if (error instanceof NotAnArchiveError) {
    return new ApiError(
      HttpStatus.UNSUPPORTED_MEDIA_TYPE,
      'unsupported_archive_type',
      'the archive is not a zip, tar or tar.gz (checked from its content)',
    );
  }
  const e = error as { code?: string; message?: string };
  if (error instanceof TooLargeError || e.code === 'FST_REQ_FILE_TOO_LARGE') {
    return new ApiError(HttpStatus.PAYLOAD_TOO_LARGE, 'archive_too_large', `the archive exceeds ${maxBytes} bytes`);
  }
  if (
    e.code?.startsWith('FST_') ||
    /Unexpected end of|Malformed part header|Boundary not found/i.test(e.message ?? '')
  ) {
    return new ApiError(HttpStatus.BAD_REQUEST, 'malformed_multipart', e.message ?? 'malformed multipart body');
  }
  return error;
}
