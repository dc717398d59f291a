import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import {
  CreateWebhookRequestSchema,
  DeliveryQuerySchema,
  IdSchema,
  RedeliverRequestSchema,
  type CreateWebhookRequest,
  type DeliveryQuery,
  type DeliveryView,
  type Page,
  type RedeliverRequest,
  type RedeliverResult,
  type TenantAccess,
  type WebhookView,
  type WebhookWithSecret,
} from '@dg/contracts';
import { Access, ApiError, notFound, RequireScope, ZodPipe } from '@dg/http';
import { ShownOnce } from '../common/shown-once';
import { WebhookRepository } from './webhook.repository';

const webhookId = new ZodPipe(IdSchema, 'webhook id');

@Controller('v1/webhooks')
@RequireScope('admin')
export class WebhooksController {
  constructor(private readonly webhooks: WebhookRepository) {}

  /** 201 with the signing secret: the only time it is shown (rotate to get a new one). */
  @Post()
  @ShownOnce('secret')
  create(
    @Access() access: TenantAccess,
    @Body(new ZodPipe(CreateWebhookRequestSchema)) body: CreateWebhookRequest,
  ): Promise<WebhookWithSecret> {
    return this.webhooks.create(access.tenant, body);
  }

  @Get()
  list(@Access() access: TenantAccess): Promise<WebhookView[]> {
    return this.webhooks.list(access.tenant);
  }

  @Get(':id')
  async get(@Access() access: TenantAccess, @Param('id', webhookId) id: string): Promise<WebhookView> {
    const found = await this.webhooks.get(access.tenant, id);
    if (!found) throw notFound('webhook', id);
    return found;
  }

  @Delete(':id')
  async remove(@Access() access: TenantAccess, @Param('id', webhookId) id: string): Promise<WebhookView> {
    const found = await this.webhooks.deactivate(access.tenant, id);
    if (!found) throw notFound('webhook', id);
    return found;
  }

  /** A new secret; the old one keeps signing (a second v1=) for 24 hours. */
  @Post(':id/rotate-secret')
  @HttpCode(200)
  @ShownOnce('secret')
  async rotate(@Access() access: TenantAccess, @Param('id', webhookId) id: string): Promise<WebhookWithSecret> {
    const found = await this.webhooks.rotate(access.tenant, id, new Date());
    if (!found) throw notFound('webhook', id);
    return found;
  }

  /** The delivery log: filter by `status` (pending, delivered, dead) and `event`. */
  @Get(':id/deliveries')
  async deliveries(
    @Access() access: TenantAccess,
    @Param('id', webhookId) id: string,
    @Query(new ZodPipe(DeliveryQuerySchema, 'query')) q: DeliveryQuery,
  ): Promise<Page<DeliveryView>> {
    if (!(await this.webhooks.get(access.tenant, id))) throw notFound('webhook', id);
    return this.webhooks.deliveries(access.tenant, id, q);
  }

  /** Dead deliveries sent again (all, listed, or since a moment), once the receiver is back. */
  @Post(':id/deliveries/redeliver')
  @HttpCode(202)
  async redeliver(
    @Access() access: TenantAccess,
    @Param('id', webhookId) id: string,
    @Body(new ZodPipe(RedeliverRequestSchema)) body: RedeliverRequest,
  ): Promise<RedeliverResult> {
    const hook = await this.webhooks.get(access.tenant, id);
    if (!hook) throw notFound('webhook', id);
    if (!hook.active) {
      throw new ApiError(HttpStatus.CONFLICT, 'webhook_inactive', `webhook ${id} is deleted: nothing is sent to it`);
    }
    return { requeued: await this.webhooks.redeliver(access.tenant, id, body) };
  }
}
