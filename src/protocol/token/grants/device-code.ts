/** The device authorization grant's token request (RFC 8628 §3.4, §3.5). */
import { AccessDenied, AuthorizationPending, ExpiredToken, InvalidGrant, SlowDown } from '../../../errors/oauth.ts';
import { sha256 } from '../../../util/ids.ts';
import { resolveScopes } from '../../resources.ts';
import type { GrantOutcome, TokenContext } from '../context.ts';
import { loadActiveUser } from './load-user.ts';
import { userPermissions } from './scopes-for-user.ts';


export async function deviceCodeGrant(ctx: TokenContext): Promise<GrantOutcome> {
  ctx.event.eventType = 'interactiveUser';
  ctx.event.isInteractive = true;
  ctx.event.authenticationProtocol = 'deviceCode';
  ctx.event.originalTransferMethod = 'deviceCodeFlow';
  const raw = ctx.params.require('device_code');
  if (raw.length > 512) throw new InvalidGrant('The device code is malformed.', { aadsts: 9002313 });
  const hash = sha256(raw);
  const dc = await ctx.app.store.deviceCodes.get(hash);
  if (!dc || dc.tenantId !== ctx.tenant.id || dc.clientId !== ctx.client!.client.app.appId) {
    throw new InvalidGrant('The device code is not valid.', { aadsts: 70000 });
  }
  const now = Date.now();
  if (dc.expiresAt <= now) throw new ExpiredToken('The device code has expired; start a new device code flow.', { aadsts: 70020 });
  if (dc.status === 'denied') throw new AccessDenied('The user declined the sign-in.', { aadsts: 70019 });
  if (dc.status === 'consumed') throw new InvalidGrant('The device code was already redeemed.', { aadsts: 54005 });
  if (dc.status === 'pending') {
    const last = await ctx.app.store.deviceCodes.touch(hash, now);
    // RFC 8628 §3.5: polling faster than the interval earns slow_down.
    if (last !== null && now - last < dc.intervalS * 1000) throw new SlowDown('Polling too fast; wait the interval between requests.', { aadsts: 70016 });
    throw new AuthorizationPending('The user has not yet finished signing in.', { aadsts: 70016 });
  }
  if (!(await ctx.app.store.deviceCodes.consume(hash))) throw new InvalidGrant('The device code was already redeemed.', { aadsts: 54005 });
  const user = await loadActiveUser(ctx, dc.userId!, dc.authTime ?? now);
  const scopes = await resolveScopes(ctx.app.directory, ctx.tenant.id, dc.scope);
  const perms = await userPermissions(ctx.app, ctx.tenant.id, user.id, scopes);
  return {
    subject: { kind: 'user', user }, scopes, ...perms, sid: dc.sid ?? undefined, authTime: dc.authTime ?? now, amr: dc.amr ?? ['pwd'],
    originalTransferMethod: 'deviceCodeFlow',
  };
}
