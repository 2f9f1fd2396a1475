/**
 * authorization_code (RFC 6749 §4.1.3) with PKCE (RFC 7636 §4.6; S256 only) and DPoP-bound codes
 * (RFC 9449 §10: a `dpop_jkt` given at authorize must match the proof at the token endpoint).
 */
import { createHash } from 'node:crypto';
import { InvalidGrant, InvalidRequest } from '../../../errors/oauth.ts';
import { safeEqual, sha256 } from '../../../util/ids.ts';
import { resolveScopes } from '../../resources.ts';
import type { GrantOutcome, TokenContext } from '../context.ts';
import { loadActiveUser } from './load-user.ts';
import { userPermissions } from './scopes-for-user.ts';
import type { LoginRisk } from '../../authorize/risk.ts';

export async function authorizationCodeGrant(ctx: TokenContext): Promise<GrantOutcome> {
  ctx.event.eventType = 'interactiveUser';
  ctx.event.isInteractive = true;
  ctx.event.authenticationProtocol = 'oAuth2';
  const code = ctx.params.require('code');
  const redirectUri = ctx.params.require('redirect_uri');
  const verifier = ctx.params.get('code_verifier');
  if (code.length > 512) throw new InvalidGrant('The provided authorization code is malformed.', { aadsts: 9002313 });
  const rec = await ctx.app.store.authCodes.consume(sha256(code), Date.now());
  if (rec === undefined) throw new InvalidGrant('The provided authorization code is invalid.', { aadsts: 70000 });
  if (rec === 'used') throw new InvalidGrant('The provided authorization code or refresh token has expired due to it being already redeemed. Please retry with a new code.', { aadsts: 54005 });
  ctx.event.correlationId = String(rec.extra.correlationId ?? ctx.event.correlationId);
  ctx.event.clientAppUsed = 'Browser';
  if (rec.expiresAt < Date.now()) throw new InvalidGrant('The provided authorization code has expired.', { aadsts: 70008 });
  if (rec.tenantId !== ctx.tenant.id || rec.clientId !== ctx.client!.client.app.appId) {
    throw new InvalidGrant('The authorization code was issued to a different client.', { aadsts: 70000 });
  }
  if (rec.redirectUri !== redirectUri) throw new InvalidGrant("The redirect URI does not match the one used to obtain the authorization code.", { aadsts: 70000 });
  if (rec.codeChallenge) {
    if (!verifier) throw new InvalidRequest("The request body must contain the following parameter: 'code_verifier'.", { aadsts: 501481 });
    // RFC 7636 §4.1: 43–128 characters from the unreserved set.
    if (!/^[A-Za-z0-9\-._~]{43,128}$/.test(verifier)) throw new InvalidGrant('The code_verifier is malformed.', { aadsts: 501481 });
    const computed = createHash('sha256').update(verifier).digest('base64url');
    if (!safeEqual(computed, rec.codeChallenge)) throw new InvalidGrant('The code_verifier does not match the code_challenge supplied in the authorization request.', { aadsts: 501481 });
  } else if (verifier) {
    throw new InvalidGrant('A code_verifier was sent but the authorization request had no code_challenge.', { aadsts: 501481 });
  }
  if (rec.dpopJkt && (ctx.possession?.kind !== 'dpop' || ctx.possession.jkt !== rec.dpopJkt)) {
    throw new InvalidGrant('The authorization code is bound to a DPoP key (dpop_jkt); present a DPoP proof signed with that key.', { aadsts: 5000000 });
  }
  const user = await loadActiveUser(ctx, rec.userId, rec.authTime);
  const scopes = await resolveScopes(ctx.app.directory, ctx.tenant.id, rec.scope);
  const perms = await userPermissions(ctx.app, ctx.tenant.id, user.id, scopes);
  return {
    subject: { kind: 'user', user }, scopes, ...perms, sid: rec.sid, authTime: rec.authTime, amr: rec.amr, nonce: rec.nonce,
    originalTransferMethod: 'none', code,
    loginRisk: (rec.extra.loginRisk as LoginRisk | undefined) ?? undefined,
    refreshJkt: ctx.client!.method === 'none' && ctx.possession?.kind === 'dpop' ? ctx.possession.jkt : null,
  };
}
