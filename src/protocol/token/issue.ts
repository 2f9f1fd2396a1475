/** Mints the response: access token (bound when possession was proven), refresh token (rotated), ID token. */
import { InvalidGrant } from '../../errors/oauth.ts';
import { newId, newSecret, sha256 } from '../../util/ids.ts';
import { issueAccessToken, issueIdToken } from '../tokens.ts';
import type { RefreshToken } from '../../store/types.ts';
import type { TokenContext } from './context.ts';

export async function issueTokens(ctx: TokenContext): Promise<void> {
  const { app, tenant } = ctx;
  const g = ctx.grant!;
  const resource = g.scopes.resource;
  // A device login may ask for the session alone (docs/token-protection.md §4).
  if (!resource && g.issueSession) { ctx.response = await g.issueSession(ctx, {}); return; }
  if (!resource) throw new InvalidGrant('No resource was requested; add a scope such as https://graph.microsoft.com/.default.', { aadsts: 70011 });
  const clientId = ctx.client!.client.app.appId;
  const p = ctx.possession;
  const jkt = p?.kind === 'dpop' ? p.jkt : p?.kind === 'device' ? p.jkt : undefined;
  const user = g.subject.kind === 'user' ? g.subject.user : undefined;
  const at = issueAccessToken(app, {
    tenantId: tenant.id, audience: resource.audience, clientId,
    subject: user ? user.id : (g.subject as { sp: { id: string } }).sp.id,
    oid: user ? user.id : (g.subject as { sp: { id: string } }).sp.id,
    scp: g.scp, roles: g.roles, wids: g.wids, sid: g.sid, amr: g.amr, authTime: g.authTime,
    upn: user?.userPrincipalName, name: user?.displayName, idtyp: user ? 'user' : 'app',
    cnf: jkt ? { jkt } : undefined, deviceId: p?.kind === 'device' ? p.deviceId : undefined, acrs: ctx.acrs,
  });
  ctx.event.uniqueTokenIdentifier = at.uti;
  const body: Record<string, unknown> = {
    token_type: jkt ? 'DPoP' : 'Bearer',
    scope: [...(g.scp.length ? g.scp.map((s) => (resource.appId === '00000003-0000-0000-c000-000000000000' ? `https://graph.microsoft.com/${s}` : `${resource.audience}/${s}`)) : g.scopes.isDefault ? [`${resource.audience}/.default`] : []), ...g.scopes.oidc].join(' '),
    expires_in: at.expiresIn,
    ext_expires_in: at.expiresIn,
    access_token: at.token,
  };
  if (g.issueSession) { ctx.response = await g.issueSession(ctx, body); return; }

  if (user && g.scopes.oidc.has('offline_access')) {
    const now = Date.now();
    const raw = newSecret(32);
    const next: RefreshToken = {
      tokenHash: sha256(raw), familyId: g.familyId ?? newId(), tenantId: tenant.id, clientId, userId: user.id,
      scope: [...g.scopes.oidc, ...(g.scopes.isDefault ? [`${resource.audience}/.default`] : g.scopes.permissions.map((s) => (resource.appId === '00000003-0000-0000-c000-000000000000' ? s : `${resource.audience}/${s}`)))].join(' '),
      resource: resource.appId, sid: g.sid ?? newId(), authTime: g.authTime ?? now, amr: g.amr,
      // RFC 9449 §5: refresh tokens of public clients are bound to the DPoP key; confidential clients' are not.
      jkt: g.refreshJkt ?? null, deviceId: p?.kind === 'device' ? p.deviceId : null,
      issuedAt: now, expiresAt: now + app.config.refreshTokenTtl * 1000, status: 'active', usedAt: null,
      context: g.issuedTo ?? { ipAddress: ctx.http.ip, userAgent: ctx.http.userAgent, originalTransferMethod: g.originalTransferMethod, issuedAt: now },
    };
    if (g.rotate) {
      const r = await app.store.refreshTokens.rotate(g.rotate.oldHash, next, now);
      if (r === 'reused') throw new InvalidGrant('The refresh token was already used. Its whole token family has been revoked; sign in again.', { aadsts: 70008 });
      if (r === 'invalid') throw new InvalidGrant('The provided grant has been revoked; a fresh sign-in is needed.', { aadsts: 50173 });
    } else {
      await app.store.refreshTokens.save(next);
    }
    body.refresh_token = raw;
  }
  if (user && g.scopes.oidc.has('openid')) {
    body.id_token = issueIdToken(app, {
      tenantId: tenant.id, clientId, user, scopes: g.scopes.oidc, nonce: g.nonce, sid: g.sid ?? ctx.event.sessionId ?? newId(),
      authTime: g.authTime ?? Date.now(), amr: g.amr, accessToken: at.token,
    });
  }
  ctx.response = body;
}
