import { randomUUID } from 'node:crypto';
import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { detectArchiveFormat, ManifestError, parseManifest } from '@dg/archive';
import type { IngestionConfig } from '@dg/config';
import { ImportFormFieldsSchema, type CreateImport, type Modality, type TaskName, type TenantId } from '@dg/contracts';
import { ApiError, notFound, ZodPipe } from '@dg/http';
import type { JobProducer } from '@dg/queue';
import type { ObjectStore } from '@dg/storage';
import type { FastifyRequest } from 'fastify';
import { CONFIG, IMPORTS_PRODUCER, OBJECT_STORE, SOURCE_STORES } from '../infrastructure/tokens';
import { MAX_MANIFEST_BYTES, readArchiveUpload } from './archive-upload';
import { ImportCasesRepository } from './import-cases.repository';
import { platformUri, type SourceStores } from './import-source';
import { ImportRepository, type ImportRow, type NewImport } from './import.repository';

interface ImportOptions {
  clinic?: string;
  caseId?: string;
  modality?: Modality;
  tasks?: TaskName[];
  dryRun?: boolean;
}

const importKeys = {
  archive: (tenant: string, id: string) => `imports/${tenant}/${id}/archive`,
  manifest: (tenant: string, id: string, format: string) => `imports/${tenant}/${id}/manifest.${format}`,
};

/**
 * Accepts an import: the source is checked (an archive by its first bytes, a prefix by having
 * objects, a manifest by parsing it), the row is written and its job queued; the answer is 202 and
 * the work happens in the background. Bad input is refused before anything is recorded.
 */
@Injectable()
export class CreateImportService {
  constructor(
    private readonly imports: ImportRepository,
    private readonly cases: ImportCasesRepository,
    @Inject(OBJECT_STORE) private readonly platform: ObjectStore,
    @Inject(SOURCE_STORES) private readonly stores: SourceStores,
    @Inject(IMPORTS_PRODUCER) private readonly jobs: Pick<JobProducer<'imports'>, 'add'>,
    @Inject(CONFIG) private readonly config: IngestionConfig,
  ) {}

  /** An archive uploaded in the request body, streamed into storage first. */
  async fromUpload(tenant: TenantId, req: FastifyRequest, idempotencyKey?: string): Promise<ImportRow> {
    const id = randomUUID();
    const key = importKeys.archive(tenant, id);
    const upload = await readArchiveUpload(req, this.platform, key, this.config.IMPORT_MAX_ARCHIVE_BYTES, (fields) =>
      this.checkOptions(tenant, new ZodPipe(ImportFormFieldsSchema, 'import fields').transform(fields)),
    );
    try {
      if (!upload.archive)
        throw new ApiError(HttpStatus.BAD_REQUEST, 'archive_required', 'the "archive" part is missing');
      const options = new ZodPipe(ImportFormFieldsSchema, 'import fields').transform(upload.fields);
      const manifest = upload.manifest
        ? { format: manifestFormat(upload.manifest.fileName, upload.manifest.text), content: upload.manifest.text }
        : undefined;
      return await this.create(tenant, id, options, idempotencyKey ? { key: idempotencyKey } : undefined, manifest, {
        sourceKind: 'upload',
        sourceUri: platformUri(key),
        sourceName: upload.archive.fileName || 'archive',
        format: upload.archive.format,
        sourceBytes: upload.archive.bytes,
      });
    } catch (error) {
      await this.platform.delete(key).catch(() => undefined);
      throw error;
    }
  }

  /** An archive or a prefix already in an allowed bucket. */
  async fromS3(
    tenant: TenantId,
    body: CreateImport,
    idempotency?: { key: string; requestHash: string },
  ): Promise<ImportRow> {
    const at = this.stores.locate(body.source);
    if (!at) throw sourceNotAllowed(body.source);
    let manifest = body.manifest;
    if (body.manifestUri) {
      const m = this.stores.locate(body.manifestUri);
      if (!m) throw sourceNotAllowed(body.manifestUri);
      const head = await m.store.head(m.key);
      if (!head) throw new ApiError(HttpStatus.NOT_FOUND, 'manifest_not_found', `${body.manifestUri} does not exist`);
      if (head.size > MAX_MANIFEST_BYTES) {
        throw new ApiError(
          HttpStatus.PAYLOAD_TOO_LARGE,
          'manifest_too_large',
          `manifest over ${MAX_MANIFEST_BYTES} bytes`,
        );
      }
      const text = (await m.store.get(m.key)).toString('utf8');
      manifest = { format: manifestFormat(m.key, text), content: text };
    }
    const object = at.key && !at.key.endsWith('/') ? await at.store.head(at.key) : undefined;
    let source: Pick<NewImport, 'format' | 'sourceBytes'>;
    if (object) {
      const head = await readAll(await at.store.getRange(at.key, 0, Math.min(object.size, 512)));
      const format = detectArchiveFormat(head);
      if (!format) {
        throw new ApiError(
          HttpStatus.UNSUPPORTED_MEDIA_TYPE,
          'unsupported_archive_type',
          `${body.source} is not a zip, tar or tar.gz (checked from its content); end a prefix with /`,
        );
      }
      source = { format, sourceBytes: object.size };
    } else {
      const prefix = at.key && !at.key.endsWith('/') ? `${at.key}/` : at.key;
      const first = await at.store.list(prefix)[Symbol.asyncIterator]().next();
      if (first.done) throw new ApiError(HttpStatus.NOT_FOUND, 'source_not_found', `nothing at ${body.source}`);
      source = { format: 'prefix', sourceBytes: null };
    }
    return this.create(tenant, randomUUID(), body, idempotency, manifest, {
      sourceKind: source.format === 'prefix' ? 's3-prefix' : 's3-archive',
      sourceUri: body.source,
      sourceName: body.source,
      ...source,
    });
  }

  private async checkOptions(tenant: TenantId, options: ImportOptions): Promise<void> {
    if (options.caseId && !(await this.cases.caseExists(tenant, options.caseId)))
      throw notFound('case', options.caseId);
  }

  private async create(
    tenant: TenantId,
    id: string,
    options: ImportOptions,
    idempotency: { key: string; requestHash?: string } | undefined,
    manifest: { format: 'csv' | 'json'; content: string } | undefined,
    source: Pick<NewImport, 'sourceKind' | 'sourceUri' | 'sourceName' | 'format' | 'sourceBytes'>,
  ): Promise<ImportRow> {
    if (options.caseId && !(await this.cases.caseExists(tenant, options.caseId)))
      throw notFound('case', options.caseId);
    let manifestKey: string | null = null;
    if (manifest) {
      try {
        parseManifest(manifest.content, manifest.format);
      } catch (error) {
        if (!(error instanceof ManifestError)) throw error;
        throw new ApiError(HttpStatus.BAD_REQUEST, 'invalid_manifest', error.message);
      }
      manifestKey = importKeys.manifest(tenant, id, manifest.format);
      await this.platform.put(manifestKey, Buffer.from(manifest.content, 'utf8'), {
        contentType: manifest.format === 'csv' ? 'text/csv' : 'application/json',
      });
    }
    const row = await this.imports.create(tenant, {
      id,
      ...source,
      manifestKey,
      manifestFormat: manifest?.format ?? null,
      clinic: options.clinic ?? null,
      defaultCaseId: options.caseId ?? null,
      modality: options.modality ?? null,
      tasks: options.tasks ?? [],
      dryRun: options.dryRun ?? false,
      idempotencyKey: idempotency?.key ?? null,
      requestHash: idempotency?.requestHash ?? null,
    });
    await this.enqueue(row);
    return row;
  }

  /** Queues a run of the import; the job id names the run, so a resumed import gets a fresh job. */
  enqueue(row: Pick<ImportRow, 'id' | 'organizationId' | 'runs'>): Promise<void> {
    return this.jobs.add(
      'import.run',
      { importId: row.id, tenantId: row.organizationId },
      { jobId: `${row.id}.${row.runs}`, priority: undefined },
    );
  }
}

function sourceNotAllowed(uri: string): ApiError {
  return new ApiError(
    HttpStatus.FORBIDDEN,
    'source_not_allowed',
    `imports may not read ${uri.split('/').slice(0, 3).join('/')}: its bucket is not in IMPORT_S3_BUCKETS`,
  );
}

/** By the file name's extension, else by the first character. */
function manifestFormat(name: string, text: string): 'csv' | 'json' {
  if (/\.json$/i.test(name)) return 'json';
  if (/\.csv$/i.test(name)) return 'csv';
  return /^\s*[[{]/.test(text) ? 'json' : 'csv';
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
