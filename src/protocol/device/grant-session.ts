/**
 * `grant_type=urn:tessera:params:oauth:grant-type:session` (docs/token-protection.md §3.4, §4): an
 * access token through the device-bound session. The request carries the session token, a session
 * proof (HS256 under the current session key, over a server nonce, repeating `client_id`, `scope` and
 * the DPoP key's thumbprint) and a DPoP proof (RFC 9449), so the access token is bound (`cnf.jkt`)
 * to the agent's DPoP key and the sign-in is recorded as **bound**.
 */
import { verifySessionProof } from '../../binding/session-key.ts';
import { InvalidDpopProof, InvalidGrant } from '../../errors/oauth.ts';
import { sha256 } from '../../util/ids.ts';
import { resolveScopes } from '../resources.ts';
import type { GrantOutcome, TokenContext } from '../token/context.ts';
import { loadActiveUser } from '../token/grants/load-user.ts';
import { userPermissions } from '../token/grants/scopes-for-user.ts';
import { tokenProtectionStatus } from '../token/sign-in-context.ts';
import { proofAudience } from './authority.ts';
import { findDevice, markUnbound, proofStep, requireUsableDevice } from './device-state.ts';
import { sessionContext } from './issue-session.ts';

export const GRANT_SESSION = 'urn:tessera:params:oauth:grant-type:session';

export async function sessionGrant(ctx: TokenContext): Promise<GrantOutcome> {
  const { app, tenant } = ctx;
  ctx.event.eventType = 'nonInteractiveUser';
  ctx.event.isInteractive = false;
  ctx.event.incomingTokenType = 'primaryRefreshToken';
  ctx.event.clientAppUsed = 'Mobile Apps and Desktop clients';
  markUnbound(ctx, 1002);
  const token = ctx.params.require('session_token');
  const proof = ctx.params.require('proof');
  if (token.length > 512) throw new InvalidGrant('The session token is malformed.', { aadsts: 9002313 });
  if (ctx.possession?.kind !== 'dpop') {
    throw new InvalidDpopProof('A DPoP proof is required: tokens obtained through a device session are bound to the agent\'s DPoP key (RFC 9449).');
  }
  const dpopJkt = ctx.possession.jkt;
  const row = await app.store.refreshTokens.find(sha256(token));
  const session = row && row.tenantId === tenant.id ? sessionContext(row) : undefined;
  if (!row || !session) throw new InvalidGrant('The session token is malformed or not valid.', { aadsts: 9002313 });
  ctx.event.sessionId = row.sid;
  ctx.event.userId = row.userId;
  const device = requireUsableDevice(ctx, await findDevice(app, tenant, row.deviceId!), row.deviceId!);

  const scope = ctx.params.get('scope');
  await proofStep(ctx, () => verifySessionProof(proof, {
    sessionToken: token, audience: proofAudience(app, tenant, proof), nonce: app.deviceNonces, replay: app.dpopReplay, now: Math.floor(Date.now() / 1000),
    // Only the session's current key: a rolled-over key is refused (session_key_unknown).
    loadSealedKey: (kid) => (kid === session.sessionKeyId ? session.sealedKey : undefined),
    unseal: (sealed, aad) => {
      try { return app.sealer.unseal(sealed, aad); } catch { return undefined; }
    },
    expect: { clientId: ctx.client!.client.app.appId, dpopJkt, ...(scope !== undefined ? { scope } : {}) },
  }));

  // Session key possession proven: a failure below (disabled user, revoked sessions) is a bound sign-in that failed.
  ctx.possession = { kind: 'device', deviceId: device.deviceId, device, jkt: dpopJkt };
  ctx.event.tokenProtectionStatusDetails = tokenProtectionStatus(ctx);
  // The user's state first (a disabled user's sessions are also revoked, but "disabled" is the reason).
  const user = await loadActiveUser(ctx, row.userId, row.issuedAt);
  if (row.status === 'rotated') throw new InvalidGrant('The session token was renewed; use the new one.', { aadsts: 70008 });
  if (row.status === 'revoked') throw new InvalidGrant('The provided grant has been revoked; a fresh sign-in is needed.', { aadsts: 50173 });
  if (row.expiresAt <= Date.now()) throw new InvalidGrant('The session token has expired; sign in again on this device.', { aadsts: 700082 });
  const scopes = await resolveScopes(app.directory, tenant.id, scope);
  // The session token is the refresh credential; a refresh token bound to the device would be unusable elsewhere anyway.
  scopes.oidc.delete('offline_access');
  const perms = await userPermissions(app, tenant.id, user.id, scopes);
  return { subject: { kind: 'user', user }, scopes, ...perms, sid: row.sid, authTime: row.authTime, amr: row.amr, originalTransferMethod: String(row.context.originalTransferMethod ?? 'none') };
}
