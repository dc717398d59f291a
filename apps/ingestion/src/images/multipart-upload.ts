import { HttpStatus } from '@nestjs/common';
import { ApiError } from '@dg/http';
import type { FastifyRequest } from 'fastify';

export interface MultipartUpload {
  fields: Record<string, string>;
  file?: { filename: string; data: Buffer };
}

/**
 * Reads a multipart/form-data request: text fields and exactly one file part named "file".
 * @fastify/multipart enforces the byte limit while streaming, so an oversized body is cut off
 * without being held in memory whole.
 */
export async function readMultipart(req: FastifyRequest, maxBytes: number): Promise<MultipartUpload> {
  if (!req.isMultipart()) {
    throw new ApiError(
      HttpStatus.UNSUPPORTED_MEDIA_TYPE,
      'multipart_required',
      'send the image as multipart/form-data with a "file" part',
    );
  }
  const out: MultipartUpload = { fields: {} };
  try {
    for await (const part of req.parts({ limits: { fileSize: maxBytes, files: 1, fields: 20, fieldSize: 4096 } })) {
      if (part.type === 'file') {
        if (part.fieldname !== 'file') {
          part.file.resume();
          throw new ApiError(
            HttpStatus.BAD_REQUEST,
            'unexpected_file_field',
            `file part must be named "file", got "${part.fieldname}"`,
          );
        }
        const data = await part.toBuffer();
        out.file = { filename: part.filename, data };
      } else {
        out.fields[part.fieldname] = String(part.value);
      }
    }
  } catch (error) {
    if (error instanceof ApiError) throw error;
    const e = error as { code?: string; message?: string };
    if (e.code === 'FST_REQ_FILE_TOO_LARGE') {
      throw new ApiError(HttpStatus.PAYLOAD_TOO_LARGE, 'file_too_large', `file exceeds ${maxBytes} bytes`);
    }
    if (e.code?.startsWith('FST_'))
      throw new ApiError(HttpStatus.BAD_REQUEST, 'malformed_multipart', e.message ?? 'malformed multipart body');
    throw error;
  }
  return out;
}
