/**
 * Revocation (RFC 7009), introspection (RFC 7662), userinfo (OIDC Core §5.3, with DPoP per
 * RFC 9449 §7) and logout (OIDC RP-Initiated Logout 1.0).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../app/app.ts';
import { InvalidRequest, InvalidToken, OAuthError, UnauthorizedClient, UnsupportedTokenType } from '../errors/oauth.ts';
import { verifyDpopProof } from '../binding/dpop.ts';
import { challenge } from '../binding/challenge.ts';
import { FormParams } from '../server/form.ts';
import { requireForm, resolveTenant } from '../server/request.ts';
import { sha256 } from '../util/ids.ts';
import { authenticateClient } from './client-auth.ts';
import { revokeAccessTokenJti, TokenInvalid, verifyAccessToken } from './verify-access-token.ts';
import { endSsoSession } from './authorize/sso.ts';
import { messagePage } from './authorize/pages.ts';
import { redirectAllowed } from './authorize/request.ts';

type Req = FastifyRequest<{ Params: { tenant: string } }>;

export function registerTokenManagement(f: FastifyInstance, app: App): void {
  f.post('/:tenant/oauth2/v2.0/revoke', async (req: Req, reply) => {
    requireForm(req);
    const tenant = await resolveTenant(app, req.params.tenant);
    const params = new FormParams(req.body as Record<string, unknown>);
    const auth = req.headers.authorization;
    const { client } = await authenticateClient(app, tenant.id, `${app.baseUrl}/${req.params.tenant}/oauth2/v2.0/revoke`, params, typeof auth === 'string' ? auth : undefined);
    const token = params.require('token');
    const hint = params.get('token_type_hint');
    if (hint && !['refresh_token', 'access_token'].includes(hint)) throw new UnsupportedTokenType(`token_type_hint '${hint.slice(0, 40)}' is not supported.`);
    if (token.length <= 512) {
      const rt = await app.store.refreshTokens.find(sha256(token));
      // RFC 7009 §2.1: a client may revoke only its own tokens; revoking a refresh token ends its family.
      if (rt && rt.clientId === client.app.appId) await app.store.refreshTokens.revokeFamily(rt.familyId);
    }
    if (token.includes('.')) {
      try {
        const v = await verifyAccessToken(app, tenant, token);
        if (v.claims.client_id === client.app.appId && typeof v.claims.jti === 'string') revokeAccessTokenJti(v.claims.jti, Number(v.claims.exp));
      } catch (e) {
        if (!(e instanceof TokenInvalid)) throw e;
      }
    }
    // RFC 7009 §2.2: 200 whether or not the token was valid.
    return reply.status(200).header('Cache-Control', 'no-store').send('');
  });

  f.post('/:tenant/oauth2/v2.0/introspect', async (req: Req, reply) => {
    requireForm(req);
    const tenant = await resolveTenant(app, req.params.tenant);
    const params = new FormParams(req.body as Record<string, unknown>);
    const auth = req.headers.authorization;
    const { client, method } = await authenticateClient(app, tenant.id, `${app.baseUrl}/${req.params.tenant}/oauth2/v2.0/introspect`, params, typeof auth === 'string' ? auth : undefined);
    if (method === 'none') throw new UnauthorizedClient('Introspection requires an authenticated (confidential) client.', { aadsts: 7000218 });
    const token = params.require('token');
    void reply.header('Cache-Control', 'no-store');
    if (token.length <= 512 && !token.includes('.')) {
      const rt = await app.store.refreshTokens.find(sha256(token));
      if (!rt || rt.status !== 'active' || rt.expiresAt <= Date.now() || rt.clientId !== client.app.appId) return { active: false };
      const user = await app.store.users.get(tenant.id, rt.userId);
      if (!user?.accountEnabled || user.signInSessionsValidFrom > rt.issuedAt) return { active: false };
      return { active: true, token_type: 'refresh_token', client_id: rt.clientId, sub: rt.userId, scope: rt.scope, exp: Math.floor(rt.expiresAt / 1000), iat: Math.floor(rt.issuedAt / 1000), iss: app.issuer(tenant.id), ...(rt.jkt ? { cnf: { jkt: rt.jkt } } : {}) };
    }
    try {
      const v = await verifyAccessToken(app, tenant, token);
      const c = v.claims;
      return {
        active: true, token_type: v.jkt ? 'DPoP' : 'Bearer', scope: c.scp, client_id: c.client_id, username: c.upn, sub: c.sub, aud: c.aud,
        iss: c.iss, exp: c.exp, iat: c.iat, nbf: c.nbf, jti: c.jti, tid: c.tid, oid: c.oid, roles: c.roles, ...(c.cnf ? { cnf: c.cnf } : {}),
      };
    } catch (e) {
      if (e instanceof TokenInvalid) return { active: false };
      throw e;
    }
  });

  const userinfo = async (req: Req, reply: FastifyReply) => {
    const tenant = await resolveTenant(app, req.params.tenant);
    const authz = String(req.headers.authorization ?? '');
    const m = /^(Bearer|DPoP) ([A-Za-z0-9\-._~+/]+=*)$/i.exec(authz);
    const fail = (error: 'invalid_token' | 'invalid_request', description: string, scheme: 'Bearer' | 'DPoP' = 'Bearer'): OAuthError =>
      new (error === 'invalid_token' ? InvalidToken : InvalidRequest)(description, { status: 401, headers: { 'WWW-Authenticate': challenge(scheme, { error, error_description: description, ...(scheme === 'DPoP' ? { algs: 'ES256 EdDSA PS256 RS256' } : {}) }) } });
    if (!m) throw fail('invalid_request', 'An access token is required (Authorization: Bearer or DPoP).');
    const scheme = m[1]!.toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer';
    const token = m[2]!;
    let v;
    try { v = await verifyAccessToken(app, tenant, token); } catch (e) {
      if (e instanceof TokenInvalid) throw fail('invalid_token', e.message, scheme);
      throw e;
    }
    if (v.jkt) {
      // RFC 9449 §7.1: a DPoP-bound token must come with the DPoP scheme and a proof by its key.
      if (scheme !== 'DPoP') throw fail('invalid_token', 'This token is DPoP-bound; present it with the DPoP scheme and a proof.', 'DPoP');
      const proof = req.headers.dpop;
      if (typeof proof !== 'string') throw fail('invalid_token', 'A DPoP proof is required.', 'DPoP');
      await verifyDpopProof(proof, { method: req.method, url: `${app.baseUrl}${req.url.split('?')[0]}`, accessToken: token, expectedJkt: v.jkt, replay: app.dpopReplay, now: Math.floor(Date.now() / 1000), context: 'resource' });
    } else if (scheme === 'DPoP') {
      throw fail('invalid_token', 'This token is not DPoP-bound; use the Bearer scheme.');
    }
    if (v.claims.idtyp !== 'user') throw fail('invalid_token', 'userinfo needs a token issued to a user.', scheme);
    const user = await app.store.users.get(tenant.id, String(v.claims.oid));
    if (!user) throw fail('invalid_token', 'The user no longer exists.', scheme);
    void reply.header('Cache-Control', 'no-store');
    return { sub: user.id, oid: user.id, tid: tenant.id, name: user.displayName, preferred_username: user.userPrincipalName, given_name: user.givenName ?? undefined, family_name: user.surname ?? undefined, email: user.mail ?? undefined };
  };
  f.get('/:tenant/openid/userinfo', userinfo);
  f.post('/:tenant/openid/userinfo', userinfo);

  const logout = async (req: Req, reply: FastifyReply) => {
    const tenant = await resolveTenant(app, req.params.tenant);
    const q = new FormParams((req.method === 'GET' ? req.query : req.body) as Record<string, unknown>);
    const session = await endSsoSession(app, req, reply, tenant);
    if (session) {
      // Logging out ends the refresh tokens issued within that browser session too.
      await app.store.sessions.revoke(session.id);
    }
    const target = q.get('post_logout_redirect_uri');
    const clientId = q.get('client_id');
    if (target && clientId) {
      const client = await app.directory.client(clientId);
      if (client && client.app.tenantId === tenant.id && redirectAllowed(client.app.redirectUris, target)) {
        const u = new URL(target);
        const state = q.get('state');
        if (state) u.searchParams.set('state', state);
        return reply.status(302).header('Location', u.toString()).send();
      }
    }
    return reply.status(200).header('Content-Type', 'text/html; charset=utf-8').send(messagePage('Signed out', 'You have signed out. You can close this window.', true));
  };
  f.get('/:tenant/oauth2/v2.0/logout', logout);
  f.post('/:tenant/oauth2/v2.0/logout', logout);
}
