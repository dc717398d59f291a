import { Body, Controller, Delete, Get, HttpStatus, Param, Post } from '@nestjs/common';
import {
  CreateApiKeyRequestSchema,
  IdSchema,
  type ApiKeyView,
  type CreateApiKeyRequest,
  type CreatedApiKey,
  type TenantAccess,
} from '@dg/contracts';
import { Access, ApiError, notFound, RequireScope, ZodPipe } from '@dg/http';
import { ShownOnce } from '../common/shown-once';
import { ApiKeyRepository } from './api-key.repository';

@Controller('v1/api-keys')
@RequireScope('admin')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeyRepository) {}

  /** 201 with the key in `key`: the only time it is shown. */
  @Post()
  @ShownOnce('key')
  async create(
    @Access() access: TenantAccess,
    @Body(new ZodPipe(CreateApiKeyRequestSchema)) body: CreateApiKeyRequest,
  ): Promise<CreatedApiKey> {
    if (body.clinicId && !(await this.keys.clinicInTenant(access.tenant, body.clinicId))) {
      throw new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, 'clinic_not_found', `clinic ${body.clinicId} not found`);
    }
    return this.keys.create(access.tenant, body);
  }

  @Get()
  list(@Access() access: TenantAccess): Promise<ApiKeyView[]> {
    return this.keys.list(access.tenant);
  }

  @Delete(':id')
  async revoke(
    @Access() access: TenantAccess,
    @Param('id', new ZodPipe(IdSchema, 'api key id')) id: string,
  ): Promise<ApiKeyView> {
    const key = await this.keys.revoke(access.tenant, id);
    if (!key) throw notFound('api_key', id);
    return key;
  }
}
