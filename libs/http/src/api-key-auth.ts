import {
  CanActivate,
  createParamDecorator,
  ExecutionContext,
  HttpStatus,
  Inject,
  Injectable,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { ApiScope, TenantAccess, TenantId } from '@dg/contracts';
import { ApiError } from './http-errors';

/** Who is calling: resolved from the API key by the guard, before any handler runs. */
export interface Principal {
  tenant: TenantId;
  apiKeyId: string;
  name: string;
  prefix: string;
  scopes: ApiScope[];
  clinicId: string | null;
}

export interface ApiKeyVerifierPort {
  verify(presented: string): Promise<Principal | undefined>;
}
export const API_KEY_VERIFIER = Symbol('API_KEY_VERIFIER');

const SCOPE = 'dg:required-scope';
/** The scope a route needs. Routes under /v1 without one are refused: the guard fails closed. */
export const RequireScope = (scope: ApiScope) => SetMetadata(SCOPE, scope);

type AuthedRequest = { headers: Record<string, unknown>; url: string; principal?: Principal };

/** `Authorization: Bearer <key>` or `x-api-key: <key>`. */
export function presentedApiKey(headers: Record<string, unknown>): string | undefined {
  const auth = headers['authorization'];
  if (typeof auth === 'string' && /^bearer /i.test(auth)) return auth.slice(7).trim() || undefined;
  const header = headers['x-api-key'];
  return typeof header === 'string' && header ? header : undefined;
}

export function hasScope(principal: Pick<Principal, 'scopes'>, scope: ApiScope): boolean {
  return principal.scopes.includes(scope) || principal.scopes.includes('admin');
}

@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(API_KEY_VERIFIER) private readonly verifier: ApiKeyVerifierPort,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    const scope = this.reflector.getAllAndOverride<ApiScope | undefined>(SCOPE, [ctx.getHandler(), ctx.getClass()]);
    if (!scope) {
      if (req.url.startsWith('/v1/')) {
        throw new ApiError(HttpStatus.FORBIDDEN, 'route_without_scope', 'this route declares no scope');
      }
      return true; // health, metrics, docs
    }
    const presented = presentedApiKey(req.headers);
    if (!presented) {
      throw new ApiError(
        HttpStatus.UNAUTHORIZED,
        'api_key_required',
        'send your API key as "Authorization: Bearer <key>" or "x-api-key: <key>"',
      );
    }
    const principal = await this.verifier.verify(presented);
    if (!principal) throw new ApiError(HttpStatus.UNAUTHORIZED, 'invalid_api_key', 'unknown or revoked API key');
    if (!hasScope(principal, scope)) {
      throw new ApiError(HttpStatus.FORBIDDEN, 'insufficient_scope', `this route needs the "${scope}" scope`);
    }
    req.principal = principal;
    return true;
  }
}

function principalOf(ctx: ExecutionContext): Principal {
  const principal = ctx.switchToHttp().getRequest<AuthedRequest>().principal;
  // Only reachable if a route forgot @RequireScope while living outside /v1: a bug, not a 401.
  if (!principal) throw new Error('no principal on the request: is the route missing @RequireScope?');
  return principal;
}

/** The tenant (and clinic restriction) of the calling key, for repository calls. */
export const Access = createParamDecorator((_: unknown, ctx: ExecutionContext): TenantAccess => {
  const p = principalOf(ctx);
  return { tenant: p.tenant, clinicId: p.clinicId };
});

export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal =>
  principalOf(ctx),
);

/**
 * Just the calling key's tenant, for routes that work across the organization's clinics (archive
 * imports file cases under any clinic a manifest names): a clinic-restricted key is refused with 403
 * rather than given more than its clinic. Routes about one case's records take `@Access()`.
 */
export const Tenant = createParamDecorator((_: unknown, ctx: ExecutionContext) => {
  const p = principalOf(ctx);
  if (p.clinicId) {
    throw new ApiError(
      HttpStatus.FORBIDDEN,
      'clinic_restricted_key',
      'this route works across clinics: it needs a key without a clinic restriction',
    );
  }
  return p.tenant;
});
