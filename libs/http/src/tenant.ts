import { createParamDecorator, ExecutionContext, HttpStatus, Inject, Injectable, PipeTransform } from '@nestjs/common';
import { TenantSlugSchema, type TenantId } from '@dg/contracts';
import { ApiError } from './http-errors';

export interface TenantLookup {
  findTenantBySlug(slug: string): Promise<TenantId | undefined>;
}
export const TENANT_LOOKUP = Symbol('TENANT_LOOKUP');

/**
 * The tenant's slug from the `x-tenant` header; a missing or malformed header is a 401.
 * API keys replace this header in the case-api issue; handlers already receive the tenant the same way.
 */
export const TenantSlug = createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
  const header = ctx.switchToHttp().getRequest<{ headers: Record<string, unknown> }>().headers['x-tenant'];
  const parsed = TenantSlugSchema.safeParse(header);
  if (!parsed.success) {
    throw new ApiError(
      HttpStatus.UNAUTHORIZED,
      'tenant_required',
      'send the x-tenant header with your organization slug',
    );
  }
  return parsed.data;
});

/** Resolves the slug to the TenantId that every repository method requires. */
@Injectable()
export class ResolveTenantPipe implements PipeTransform<string, Promise<TenantId>> {
  constructor(@Inject(TENANT_LOOKUP) private readonly tenants: TenantLookup) {}

  async transform(slug: string): Promise<TenantId> {
    const tenant = await this.tenants.findTenantBySlug(slug);
    if (!tenant) throw new ApiError(HttpStatus.UNAUTHORIZED, 'unknown_tenant', `no organization ${slug}`);
    return tenant;
  }
}
