import { Body, Controller, Headers, Param, Post, Res } from '@nestjs/common';
import {
  CreateUploadSchema,
  IdSchema,
  type CreateUpload,
  type ImageView,
  type TenantAccess,
  type UploadSessionView,
} from '@dg/contracts';
import { Access, ZodPipe, RequireScope } from '@dg/http';
import type { FastifyReply } from 'fastify';
import { IdempotencyService, requestHash } from '../idempotency/idempotency.service';
import { DirectUploadService } from './direct-upload.service';

@Controller('v1/uploads')
export class UploadsController {
  constructor(
    private readonly uploads: DirectUploadService,
    private readonly idempotency: IdempotencyService,
  ) {}

  /** Starts a presigned upload: PUT the bytes to `uploadUrl`, then call `/complete`. */
  @Post()
  @RequireScope('write')
  async create(
    @Access() access: TenantAccess,
    @Body(new ZodPipe(CreateUploadSchema)) body: CreateUpload,
    @Headers('idempotency-key') rawKey: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<UploadSessionView> {
    const key = this.idempotency.parseKey(rawKey);
    const out = await this.idempotency.run(
      access.tenant,
      'POST /v1/uploads',
      key,
      requestHash(body, access.clinicId),
      async () => ({
        status: 201,
        body: await this.uploads.create(access, body),
      }),
    );
    reply.status(out.status);
    if (out.replayed) reply.header('idempotent-replayed', 'true');
    return out.body;
  }

  /** Validates and ingests what was PUT: 201 new image, 200 existing (same bytes or already completed). */
  @Post(':id/complete')
  @RequireScope('write')
  async complete(
    @Access() access: TenantAccess,
    @Param('id', new ZodPipe(IdSchema, 'upload id')) id: string,
    @Headers('idempotency-key') rawKey: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ImageView> {
    const key = this.idempotency.parseKey(rawKey);
    const out = await this.idempotency.run(
      access.tenant,
      'POST /v1/uploads/:id/complete',
      key,
      requestHash({ id }, access.clinicId),
      async () => {
        const r = await this.uploads.complete(access, id);
        return { status: r.status, body: r.image };
      },
    );
    reply.status(out.status);
    if (out.replayed) reply.header('idempotent-replayed', 'true');
    return out.body;
  }
}
