import { Controller, Get, HttpCode, HttpStatus, Param, Post, Query, Req, Res } from '@nestjs/common';
import { CreateImportSchema, IdSchema, type ImportView, type TenantId } from '@dg/contracts';
import { isUniqueViolation } from '@dg/db';
import { ApiError, RequireScope, Tenant, ZodPipe } from '@dg/http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { IdempotencyService, requestHash } from '../idempotency/idempotency.service';
import { CreateImportService } from './create-import.service';
import { ImportAnalysisRepository } from './import-analysis.repository';
import { csvReport, jsonReport } from './import-report';
import { ImportStatusService } from './import-status.service';
import { ImportRepository } from './import.repository';

const ReportQuerySchema = z.object({ format: z.enum(['json', 'csv']).default('json') }).strict();
const importId = new ZodPipe(IdSchema, 'import id');

@Controller('v1/imports')
export class ImportsController {
  constructor(
    private readonly creator: CreateImportService,
    private readonly status: ImportStatusService,
    private readonly imports: ImportRepository,
    private readonly analysis: ImportAnalysisRepository,
    private readonly idempotency: IdempotencyService,
  ) {}

  /**
   * Starts an import; 202 with its id and state. multipart/form-data: the `archive` file (zip, tar,
   * tar.gz), optional `manifest` file (CSV or JSON) and fields `clinic`, `caseId`, `modality`,
   * `tasks` (comma-separated), `dryRun`. JSON: `{ source: "s3://bucket/key-or-prefix/", ... }`.
   * A retried request with the same Idempotency-Key gets the same import back (200).
   */
  @Post()
  @RequireScope('write')
  async create(
    @Tenant() tenant: TenantId,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ImportView> {
    const key = this.idempotency.parseKey(req.headers['idempotency-key']);
    // A JSON request is whole before it is read: its hash tells a retry from another request under
    // the same key. A multipart request's key names its import (the archive is not read twice).
    const hash = req.isMultipart() ? null : requestHash({ body: req.body ?? null });
    const earlier = key ? await this.imports.findByIdempotencyKey(tenant, key) : undefined;
    if (earlier) return this.replay(reply, tenant, earlier, hash);
    try {
      const row = req.isMultipart()
        ? await this.creator.fromUpload(tenant, req, key)
        : await this.creator.fromS3(
            tenant,
            new ZodPipe(CreateImportSchema, 'import').transform(req.body),
            key ? { key, requestHash: hash! } : undefined,
          );
      reply.status(HttpStatus.ACCEPTED);
      return await this.status.view(tenant, row);
    } catch (error) {
      // The same key twice at once: the first one's import is the answer.
      if (key && isUniqueViolation(error)) {
        const winner = await this.imports.findByIdempotencyKey(tenant, key);
        if (winner) return this.replay(reply, tenant, winner, hash);
      }
      throw error;
    }
  }

  @Get()
  @RequireScope('read')
  list(@Tenant() tenant: TenantId): Promise<ImportView[]> {
    return this.status.list(tenant);
  }

  /** Counts by state, the analysis of what was imported, rate and ETA; a dry run's summary. */
  @Get(':id')
  @RequireScope('read')
  get(@Tenant() tenant: TenantId, @Param('id', importId) id: string): Promise<ImportView> {
    return this.status.view(tenant, id);
  }

  /** Every item: file, state, image id, duplicate-of, case, assessment ids, error. `?format=csv` for CSV. */
  @Get(':id/report')
  @RequireScope('read')
  async report(
    @Tenant() tenant: TenantId,
    @Param('id', importId) id: string,
    @Query(new ZodPipe(ReportQuerySchema, 'report query')) query: z.infer<typeof ReportQuerySchema>,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.status.find(tenant, id);
    if (query.format === 'csv') {
      reply.header('content-type', 'text/csv; charset=utf-8');
      reply.header('content-disposition', `attachment; filename="import-${id}.csv"`);
      return reply.send(csvReport(this.imports, this.analysis, tenant, id));
    }
    reply.header('content-type', 'application/json; charset=utf-8');
    return reply.send(jsonReport(this.imports, this.analysis, tenant, id));
  }

  // A retried pause, resume or cancel with its Idempotency-Key gets the first answer again, not the
  // 409 a second state change would get (the import is already paused).
  @Post(':id/pause')
  @HttpCode(200)
  @RequireScope('write')
  pause(
    @Tenant() tenant: TenantId,
    @Param('id', importId) id: string,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ImportView> {
    return this.keyed(tenant, req, reply, 'pause', id, 200, () => this.status.pause(tenant, id));
  }

  @Post(':id/resume')
  @HttpCode(202)
  @RequireScope('write')
  resume(
    @Tenant() tenant: TenantId,
    @Param('id', importId) id: string,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ImportView> {
    return this.keyed(tenant, req, reply, 'resume', id, 202, () => this.status.resume(tenant, id));
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @RequireScope('write')
  cancel(
    @Tenant() tenant: TenantId,
    @Param('id', importId) id: string,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ImportView> {
    return this.keyed(tenant, req, reply, 'cancel', id, 200, () => this.status.cancel(tenant, id));
  }

  private async keyed(
    tenant: TenantId,
    req: FastifyRequest,
    reply: FastifyReply,
    action: string,
    id: string,
    status: number,
    change: () => Promise<ImportView>,
  ): Promise<ImportView> {
    const key = this.idempotency.parseKey(req.headers['idempotency-key']);
    const out = await this.idempotency.run(
      tenant,
      `POST /v1/imports/:id/${action}`,
      key,
      requestHash({ id }),
      async () => ({
        status,
        body: await change(),
      }),
    );
    reply.status(out.status);
    if (out.replayed) reply.header('idempotent-replayed', 'true');
    return out.body;
  }

  private async replay(
    reply: FastifyReply,
    tenant: TenantId,
    earlier: { id: string; requestHash: string | null },
    hash: string | null,
  ): Promise<ImportView> {
    if (earlier.requestHash !== hash) {
      throw new ApiError(
        HttpStatus.UNPROCESSABLE_ENTITY,
        'idempotency_key_reused',
        'this Idempotency-Key was used for another import request',
      );
    }
    reply.status(HttpStatus.OK).header('idempotent-replayed', 'true');
    return this.status.view(tenant, earlier.id);
  }
}
