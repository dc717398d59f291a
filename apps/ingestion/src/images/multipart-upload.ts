import { HttpStatus } from '@nestjs/common';
import { ApiError } from '@dg/http';
import type { FastifyRequest } from 'fastify';
import { SpoolLimitError, type SpooledFile } from './spooled-file';
import type { UploadSpool } from './upload-spool';

export interface MultipartUpload {
  fields: Record<string, string>;
  file?: SpooledFile;
}

export interface MultipartLimits {
  maxBytes: number;
  timeoutMs: number;
  spool: UploadSpool;
}

class UploadTimeoutError extends Error {}

/**
 * Reads a multipart/form-data request: text fields and exactly one file part named "file", which is
 * spooled (hashing as it goes). The whole body must arrive within `timeoutMs`.
 * The caller owns `file` and must dispose of it.
 */
export async function readMultipart(req: FastifyRequest, limits: MultipartLimits): Promise<MultipartUpload> {
  if (!req.isMultipart()) {
    throw new ApiError(
      HttpStatus.UNSUPPORTED_MEDIA_TYPE,
      'multipart_required',
      'send the image as multipart/form-data with a "file" part',
    );
  }
  const out: MultipartUpload = { fields: {} };
  let timedOut = false;
  let current: NodeJS.ReadableStream & { destroy(e?: Error): void } = req.raw;
  const timer = setTimeout(() => {
    timedOut = true;
    current.destroy(new UploadTimeoutError());
  }, limits.timeoutMs);
  try {
    // fileSize is one byte above the limit so that the spooler, not busboy, reports the overflow.
    const parts = req.parts({ limits: { fileSize: limits.maxBytes + 1, files: 1, fields: 20, fieldSize: 4096 } });
    for await (const part of parts) {
      if (part.type === 'file') {
        if (part.fieldname !== 'file' || out.file) {
          part.file.resume();
          throw new ApiError(
            HttpStatus.BAD_REQUEST,
            'unexpected_file_field',
            `file part must be one part named "file"`,
          );
        }
        current = part.file;
        out.file = await limits.spool.spool(part.file, limits.maxBytes);
        current = req.raw;
      } else {
        out.fields[part.fieldname] = String(part.value);
      }
    }
    return out;
  } catch (error) {
    await out.file?.dispose();
    throw toApiError(error, timedOut, limits);
  } finally {
    clearTimeout(timer);
  }
}

function toApiError(error: unknown, timedOut: boolean, limits: MultipartLimits): unknown {
  if (error instanceof ApiError) return error;
  if (timedOut) {
    return new ApiError(
      HttpStatus.REQUEST_TIMEOUT,
      'upload_timeout',
      `upload not complete within ${limits.timeoutMs} ms`,
    );
  }
  const e = error as { code?: string; message?: string };
  if (error instanceof SpoolLimitError || e.code === 'FST_REQ_FILE_TOO_LARGE') {
    return new ApiError(HttpStatus.PAYLOAD_TOO_LARGE, 'file_too_large', `file exceeds ${limits.maxBytes} bytes`);
  }
  if (e.code?.startsWith('FST_') || e.code === 'ERR_STREAM_PREMATURE_CLOSE' || e.code === 'ECONNRESET') {
    return new ApiError(HttpStatus.BAD_REQUEST, 'malformed_multipart', e.message ?? 'malformed multipart body');
  }
  if (
    /Unexpected end of (form|multipart data)|Malformed part header|Multipart: Boundary not found/i.test(e.message ?? '')
  ) {
    return new ApiError(HttpStatus.BAD_REQUEST, 'malformed_multipart', e.message ?? 'malformed multipart body');
  }
  return error;
}
