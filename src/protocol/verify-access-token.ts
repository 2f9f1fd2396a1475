/**
 * Verifies access tokens Tessera issued (for userinfo, introspection and its own admin API):
 * signature by a current or overlapping key, `typ: at+jwt` (RFC 9068 §4), issuer, expiry, and
 * whether the subject's sessions were revoked after the token was issued.
 */
import type { App } from '../app/app.ts';
import { verifyCompactJws, JwsError } from '../crypto/jwt.ts';
import { ClaimError, checkRegisteredClaims } from '../crypto/claims.ts';
import type { Tenant } from '../store/types.ts';

export interface VerifiedAccessToken { claims: Record<string, unknown>; jkt: string | undefined }

export class TokenInvalid extends Error {}

const revokedJtis = new Map<string, number>();

/** RFC 7009 §2: a revoked access token stops working here (its jti is remembered until it expires). */
export function revokeAccessTokenJti(jti: string, exp: number): void {
  if (revokedJtis.size > 100_000) for (const [k, v] of revokedJtis) if (v * 1000 < Date.now()) revokedJtis.delete(k);
  revokedJtis.set(jti, exp);
}

export async function verifyAccessToken(app: App, tenant: Tenant, token: string, opts: { audience?: string[] } = {}): Promise<VerifiedAccessToken> {
  let payload: Record<string, unknown>;
  try {
    payload = verifyCompactJws(token, (h) => (typeof h.kid === 'string' ? app.keys.publicKey(h.kid) : undefined), { algorithms: ['ES256'], typ: 'at+jwt' }).payload;
    checkRegisteredClaims(payload, { now: Math.floor(Date.now() / 1000), clockSkewSec: 60, issuer: app.issuer(tenant.id), requireExp: true, ...(opts.audience ? { audience: opts.audience } : {}) });
  } catch (e) {
    if (e instanceof JwsError || e instanceof ClaimError) throw new TokenInvalid(e.message);
    throw e;
  }
  if (typeof payload.jti === 'string' && revokedJtis.has(payload.jti)) throw new TokenInvalid('the token was revoked');
  if (payload.idtyp === 'user' && typeof payload.oid === 'string') {
    const user = await app.store.users.get(tenant.id, payload.oid);
    if (!user || !user.accountEnabled) throw new TokenInvalid('the user no longer exists or is disabled');
    if (user.signInSessionsValidFrom > Number(payload.iat) * 1000) throw new TokenInvalid("the user's sessions were revoked after this token was issued");
  }
  const cnf = payload.cnf as { jkt?: unknown } | undefined;
  return { claims: payload, jkt: typeof cnf?.jkt === 'string' ? cnf.jkt : undefined };
}
