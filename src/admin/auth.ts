/**
 * Authenticating a Graph request: the access token (Bearer, or DPoP with a proof when the token is
 * bound, RFC 9449 §7.1), the tenant named by its `tid`, the caller's directory roles (`wids`) and the
 * actor that audit records name. Failures are Graph's 401 `InvalidAuthenticationToken` with a
 * `WWW-Authenticate` challenge (RFC 6750 §3); missing privileges are 403 `Authorization_RequestDenied`.
 */
import type { FastifyRequest } from 'fastify';
import type { App } from '../app/app.ts';
import type { Actor } from '../app/audit.ts';
import { challenge } from '../binding/challenge.ts';
import { verifyDpopProof } from '../binding/dpop.ts';
import { AuthorizationDenied, InvalidAuthenticationToken, type GraphError } from '../errors/graph.ts';
import { OAuthError } from '../errors/oauth.ts';
import { rolesAllow, type Permission } from '../directory/roles.ts';
import { GRAPH_APP_ID, GRAPH_URI } from '../protocol/resources.ts';
import { TokenInvalid, verifyAccessToken } from '../protocol/verify-access-token.ts';
import type { Tenant } from '../store/types.ts';
import { isGuid } from '../util/ids.ts';

export interface GraphCaller {
  tenant: Tenant;
  claims: Record<string, unknown>;
  /** 'user' for delegated tokens, 'app' for client credentials. */
  kind: 'user' | 'app';
  /** The user's object id (delegated) or the client's service principal id (app-only). */
  principalId: string;
  wids: string[];
  actor: Actor;
  /** Request id, used as the audit record's correlation id. */
  correlationId: string;
  /** @throws 403 Authorization_RequestDenied unless one of the caller's roles grants `p` */
  require(p: Permission): void;
  allows(p: Permission): boolean;
}

const TOKEN = /^(Bearer|DPoP) ([A-Za-z0-9\-._~+/]+=*)$/i;

function unauthorized(description: string, scheme: 'Bearer' | 'DPoP' = 'Bearer'): GraphError {
  const header = challenge(scheme, { realm: GRAPH_URI, error: 'invalid_token', error_description: description, ...(scheme === 'DPoP' ? { algs: 'ES256 EdDSA PS256 RS256' } : {}) });
  return new InvalidAuthenticationToken(description, { headers: { 'WWW-Authenticate': header } });
}

/** The token's `tid`, read before verification only to know whose keys and issuer to verify against. */
function unverifiedTid(token: string): string | undefined {
  const part = token.split('.')[1];
  if (!part || part.length > 16_384) return undefined;
  try {
    const tid = (JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as { tid?: unknown }).tid;
    return typeof tid === 'string' && isGuid(tid) ? tid : undefined;
  } catch {
    return undefined;
  }
}

/** `audiences`: the resource the token must be for (Graph by default; the log query API passes its own). */
export async function authenticate(app: App, req: FastifyRequest, audiences: string[] = [GRAPH_URI, GRAPH_APP_ID, `${GRAPH_URI}/`]): Promise<GraphCaller> {
  const header = req.headers.authorization;
  if (typeof header !== 'string' || header === '') throw unauthorized('Access token is empty.');
  const m = TOKEN.exec(header);
  if (!m) throw unauthorized('Access token has an unsupported format; send Authorization: Bearer <token>.');
  const scheme = m[1]!.toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer';
  const token = m[2]!;
  const tid = unverifiedTid(token);
  const tenant = tid ? await app.directory.tenant(tid) : undefined;
  if (!tenant) throw unauthorized('Access token validation failure. Invalid audience or issuer.', scheme);
  let verified;
  try {
    verified = await verifyAccessToken(app, tenant, token, { audience: audiences });
  } catch (e) {
    if (e instanceof TokenInvalid) throw unauthorized(/expired|exp/i.test(e.message) ? 'Lifetime validation failed, the token is expired.' : `Access token validation failure: ${e.message}.`, scheme);
    throw e;
  }
  if (verified.jkt) {
    if (scheme !== 'DPoP') throw unauthorized('This token is DPoP-bound; present it with the DPoP scheme and a proof.', 'DPoP');
    try {
      await verifyDpopProof(req.headers.dpop, {
        method: req.method, url: `${app.baseUrl}${req.url.split('?')[0]}`, accessToken: token, expectedJkt: verified.jkt,
        replay: app.dpopReplay, now: Math.floor(Date.now() / 1000), context: 'resource',
      });
    } catch (e) {
      if (e instanceof OAuthError) throw unauthorized(e.description, 'DPoP');
      throw e;
    }
  } else if (scheme === 'DPoP') {
    throw unauthorized('This token is not DPoP-bound; use the Bearer scheme.');
  }

  const claims = verified.claims;
  const kind = claims.idtyp === 'user' ? 'user' : 'app';
  const wids = Array.isArray(claims.wids) ? claims.wids.filter((w): w is string => typeof w === 'string') : [];
  const ip = (req as FastifyRequest & { clientIp?: string }).clientIp ?? req.ip;
  let actor: Actor;
  let principalId: string;
  if (kind === 'user') {
    principalId = String(claims.oid ?? '');
    const user = await app.store.users.get(tenant.id, principalId);
    actor = { kind: 'user', id: principalId, displayName: user?.displayName ?? '', userPrincipalName: user?.userPrincipalName ?? String(claims.upn ?? ''), ipAddress: ip };
  } else {
    const appId = String(claims.appid ?? claims.azp ?? claims.client_id ?? '');
    const client = await app.directory.client(appId);
    principalId = client?.sp?.id ?? String(claims.oid ?? '');
    actor = { kind: 'app', id: principalId, appId, displayName: client?.app.displayName ?? String(claims.app_displayname ?? ''), ipAddress: ip };
  }
  return {
    tenant, claims, kind, principalId, wids, actor, correlationId: req.id,
    allows(p) {
      return rolesAllow(wids, p);
    },
    require(p) {
      if (!rolesAllow(wids, p)) throw new AuthorizationDenied('Insufficient privileges to complete the operation.', { detail: `missing ${p}` });
    },
  };
}
