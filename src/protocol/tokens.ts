/**
 * Minting tokens. Access tokens: ES256 JWTs in the RFC 9068 profile (`typ: at+jwt`, §2.1), with
 * Entra's claims (tid, oid, scp/roles, wids, sid, amr, azp, ver) and `cnf` when bound (RFC 9449
 * §6.1 `jkt`; RFC 8705 §3.1 `x5t#S256`). ID tokens per OIDC Core §2. Refresh tokens are opaque
 * 256-bit secrets stored only as SHA-256.
 */
import { createHash } from 'node:crypto';
import type { App } from '../app/app.ts';
import { newId, newSecret } from '../util/ids.ts';

export interface AccessTokenInput {
  tenantId: string;
  audience: string;
  clientId: string;
  /** User object id, or the client's service principal id for app-only tokens. */
  subject: string;
  oid: string;
  scp?: string[];
  roles?: string[];
  wids?: string[];
  sid?: string | undefined;
  amr?: string[];
  authTime?: number;
  upn?: string | undefined;
  name?: string | undefined;
  idtyp: 'user' | 'app';
  cnf?: { jkt?: string; 'x5t#S256'?: string } | undefined;
  deviceId?: string | undefined;
  acrs?: string[] | undefined;
  /** Unique token identifier (Entra `uti`), also logged on the sign-in record. */
  uti?: string;
}

export function issueAccessToken(app: App, input: AccessTokenInput): { token: string; expiresIn: number; uti: string } {
  const now = Math.floor(Date.now() / 1000);
  const ttl = app.config.accessTokenTtl;
  const uti = input.uti ?? newSecret(16);
  const claims: Record<string, unknown> = {
    iss: app.issuer(input.tenantId),
    aud: input.audience,
    sub: input.subject,
    client_id: input.clientId,
    azp: input.clientId,
    iat: now,
    nbf: now,
    exp: now + ttl,
    jti: uti,
    uti,
    tid: input.tenantId,
    oid: input.oid,
    idtyp: input.idtyp,
    ver: '2.0',
  };
  if (input.scp?.length) claims.scp = input.scp.join(' ');
  if (input.roles?.length) claims.roles = input.roles;
  if (input.wids?.length) claims.wids = input.wids;
  if (input.sid) claims.sid = input.sid;
  if (input.amr?.length) claims.amr = input.amr;
  if (input.authTime) claims.auth_time = Math.floor(input.authTime / 1000);
  if (input.upn) claims.upn = input.upn;
  if (input.name) claims.name = input.name;
  if (input.cnf) claims.cnf = input.cnf;
  if (input.deviceId) claims.deviceid = input.deviceId;
  if (input.acrs?.length) claims.acrs = input.acrs;
  return { token: app.keys.signer().sign(claims, { typ: 'at+jwt' }), expiresIn: ttl, uti };
}

/** OIDC Core §3.3.2.11: at_hash is the left half of the SHA-256 of the access token, base64url. */
function leftHalfHash(value: string): string {
  const d = createHash('sha256').update(value).digest();
  return d.subarray(0, d.length / 2).toString('base64url');
}

export interface IdTokenInput {
  tenantId: string;
  clientId: string;
  user: { id: string; userPrincipalName: string; displayName: string; mail: string | null };
  scopes: Set<string>;
  nonce?: string | null | undefined;
  sid: string;
  authTime: number;
  amr: string[];
  accessToken?: string | undefined;
  code?: string | undefined;
}

export function issueIdToken(app: App, i: IdTokenInput): string {
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = {
    iss: app.issuer(i.tenantId), aud: i.clientId, sub: i.user.id, oid: i.user.id, tid: i.tenantId,
    iat: now, nbf: now, exp: now + app.config.idTokenTtl, auth_time: Math.floor(i.authTime / 1000),
    sid: i.sid, amr: i.amr, ver: '2.0', jti: newId(),
  };
  if (i.nonce) claims.nonce = i.nonce;
  if (i.scopes.has('profile')) { claims.name = i.user.displayName; claims.preferred_username = i.user.userPrincipalName; }
  if (i.scopes.has('email') && i.user.mail) claims.email = i.user.mail;
  if (i.accessToken) claims.at_hash = leftHalfHash(i.accessToken);
  if (i.code) claims.c_hash = leftHalfHash(i.code);
  return app.keys.signer().sign(claims, { typ: 'JWT' });
}
