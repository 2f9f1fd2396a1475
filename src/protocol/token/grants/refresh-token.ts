/**
 * refresh_token (RFC 6749 §6) with rotation: each use retires the token and issues a successor in
 * the same family; presenting a retired token again revokes the family (RFC 9700 §4.14.2). Refresh
 * tokens of public clients bound with DPoP need a proof by the same key (RFC 9449 §5).
 */
import { InvalidGrant } from '../../../errors/oauth.ts';
import { sha256 } from '../../../util/ids.ts';
import { resolveScopes } from '../../resources.ts';
import type { GrantOutcome, TokenContext } from '../context.ts';
import { loadActiveUser } from './load-user.ts';
import { userPermissions } from './scopes-for-user.ts';

export async function refreshTokenGrant(ctx: TokenContext): Promise<GrantOutcome> {
  ctx.event.eventType = 'nonInteractiveUser';
  ctx.event.isInteractive = false;
  ctx.event.authenticationProtocol = 'refreshTokenGrant';
  ctx.event.incomingTokenType = 'refreshToken';
  const raw = ctx.params.require('refresh_token');
  if (raw.length > 512) throw new InvalidGrant('The refresh token is malformed.', { aadsts: 9002313 });
  const hash = sha256(raw);
  const rt = await ctx.app.store.refreshTokens.find(hash);
  if (!rt || rt.tenantId !== ctx.tenant.id) throw new InvalidGrant('The refresh token is malformed or not valid.', { aadsts: 9002313 });
  ctx.event.sessionId = rt.sid;
  ctx.event.originalTransferMethod = String(rt.context.originalTransferMethod ?? 'none');
  if (rt.clientId !== ctx.client!.client.app.appId) throw new InvalidGrant('The refresh token was issued to a different client.', { aadsts: 70000 });
  if (rt.status === 'rotated') {
    await ctx.app.store.refreshTokens.revokeFamily(rt.familyId);
    throw new InvalidGrant('The refresh token was already used. Its whole token family has been revoked; sign in again.', { aadsts: 70008, detail: `reuse of rotated token in family ${rt.familyId}` });
  }
  if (rt.status === 'revoked') throw new InvalidGrant('The provided grant has been revoked; a fresh sign-in is needed.', { aadsts: 50173 });
  if (rt.expiresAt <= Date.now()) throw new InvalidGrant('The refresh token has expired due to inactivity.', { aadsts: 700082 });
  const user = await loadActiveUser(ctx, rt.userId, rt.issuedAt);
  if (rt.jkt && (ctx.possession?.kind !== 'dpop' || ctx.possession.jkt !== rt.jkt)) {
    throw new InvalidGrant('The refresh token is bound to a DPoP key; the request must carry a proof signed with that key.', { aadsts: 5000000 });
  }
  if (rt.deviceId) {
    throw new InvalidGrant('The refresh token is bound to a device session; it can be used only through that device\'s session grant.', { aadsts: 5000000 });
  }
  const requested = ctx.params.get('scope');
  const scopes = await resolveScopes(ctx.app.directory, ctx.tenant.id, requested ?? rt.scope);
  if (!scopes.oidc.has('offline_access') && new Set(rt.scope.split(' ')).has('offline_access')) scopes.oidc.add('offline_access');
  const perms = await userPermissions(ctx.app, ctx.tenant.id, user.id, scopes);
  return {
    subject: { kind: 'user', user }, scopes, ...perms, sid: rt.sid, authTime: rt.authTime, amr: rt.amr,
    familyId: rt.familyId, rotate: { oldHash: hash }, refreshJkt: rt.jkt,
    originalTransferMethod: String(rt.context.originalTransferMethod ?? 'none'),
    issuedTo: rt.context,
  };
}
