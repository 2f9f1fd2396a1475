/**
 * GET|POST /{tenant}/oauth2/v2.0/authorize and the sign-in form it shows. A browser single sign-on
 * session (cookie sealed under the master key, revocable server-side) skips the form unless
 * `prompt=login`; `prompt=none` without a session answers `login_required`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../app/app.ts';
import { FormParams } from '../../server/form.ts';
import { requestInfo, resolveTenant } from '../../server/request.ts';
import type { Tenant, User } from '../../store/types.ts';
import { newId, newSecret, sha256 } from '../../util/ids.ts';
import { checkPassword, checkTotp, recordOtpFailure, type Attempt } from './credentials.ts';
import { openInteraction, sealInteraction, type AuthorizeParams, type Interaction } from './interaction.ts';
import { formPostPage, loginPage, messagePage, otpPage } from './pages.ts';
import { PageError, RedirectError, validateAuthorize } from './request.ts';
import { readSsoSession, startSsoSession } from './sso.ts';
import { evaluateInteractive } from './conditional-access.ts';
import { assessLogin, type LoginRisk } from './risk.ts';
import type { RiskLevel } from '../../policy/schema/enums.ts';

type Req = FastifyRequest<{ Params: { tenant: string } }>;

function html(reply: FastifyReply, body: string, status = 200): FastifyReply {
  // Sign-in pages must never be framed (clickjacking) or cached.
  return reply.status(status).header('Content-Type', 'text/html; charset=utf-8').header('Cache-Control', 'no-store')
    .header('X-Frame-Options', 'DENY').header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; form-action *; frame-ancestors 'none'; base-uri 'none'").send(body);
}

export function sendToClient(app: App, reply: FastifyReply, tenant: Tenant, to: { redirectUri: string; responseMode: 'query' | 'form_post'; state?: string | undefined }, fields: Record<string, string>): FastifyReply {
  // RFC 9207: the issuer travels with the response so a client can tell which server answered.
  const all: Record<string, string> = { ...fields, ...(to.state !== undefined ? { state: to.state } : {}), iss: app.issuer(tenant.id) };
  if (to.responseMode === 'form_post') return html(reply, formPostPage(to.redirectUri, all));
  const u = new URL(to.redirectUri);
  for (const [k, v] of Object.entries(all)) u.searchParams.set(k, v);
  return reply.status(302).header('Location', u.toString()).header('Cache-Control', 'no-store').send();
}

async function issueCode(app: App, tenant: Tenant, params: AuthorizeParams, user: User, sid: string, authTime: number, amr: string[], correlationId: string, loginRisk?: LoginRisk): Promise<string> {
  const code = newSecret(32);
  await app.store.authCodes.save({
    codeHash: sha256(code), tenantId: tenant.id, clientId: params.clientId, userId: user.id, redirectUri: params.redirectUri,
    scope: params.scope, resource: null, codeChallenge: params.codeChallenge ?? null, nonce: params.nonce ?? null, sid, authTime,
    amr, dpopJkt: params.dpopJkt ?? null, expiresAt: Date.now() + app.config.codeTtl * 1000, extra: { correlationId, ...(loginRisk ? { loginRisk } : {}) },
  });
  return code;
}

export function attemptOf(app: App, req: FastifyRequest, tenant: Tenant, appId: string, appName: string, correlationId: string, protocol: string): Attempt {
  const info = requestInfo(app, req, '');
  return { ip: info.ip, userAgent: info.userAgent, appId, appDisplayName: appName, correlationId, protocol };
}

export function registerAuthorize(f: FastifyInstance, app: App, completions: { device: (reply: FastifyReply, tenant: Tenant, i: Extract<Interaction, { kind: 'device' }>, user: User, amr: string[], req: FastifyRequest) => Promise<FastifyReply> }): void {
  const handler = async (req: Req, reply: FastifyReply) => {
    let tenant: Tenant;
    try {
      tenant = await resolveTenant(app, req.params.tenant);
    } catch (e) {
      return html(reply, messagePage('Tenant not found', e instanceof Error ? e.message : 'Unknown tenant.'), 400);
    }
    const p = new FormParams((req.method === 'GET' ? req.query : req.body) as Record<string, unknown>);
    try {
      const { params, client } = await validateAuthorize(app, tenant, p);
      let prompt: string | undefined;
      try { prompt = p.get('prompt'); } catch { prompt = undefined; }
      const correlationId = newId();
      const sso = prompt === 'login' ? undefined : await readSsoSession(app, req, tenant);
      if (sso) {
        const attempt = attemptOf(app, req, tenant, client.app.appId, client.app.displayName, correlationId, 'oAuth2');
        const login = assessLogin(app, tenant, attempt, sso.user, sso.session.amr, undefined);
        const verdict = await evaluateInteractive(app, tenant, attempt, sso.user, params.scope, sso.session.amr, { signIn: login.risk.riskLevelDuringSignIn as RiskLevel, user: login.risk.userRiskLevel as RiskLevel, country: login.risk.country });
        if (verdict.outcome === 'deny') return sendToClient(app, reply, tenant, params, { error: 'access_denied', error_description: `AADSTS${verdict.aadsts}: ${verdict.message}` });
        if (verdict.outcome === 'prompt-mfa') {
          // Step-up: the session has a password only; ask for the second factor, then continue.
          const interaction = sealInteraction(app, { kind: 'authorize', tenantId: tenant.id, params, correlationId, userId: sso.user.id, amr: sso.session.amr });
          return html(reply, otpPage({ action: `/${tenant.id}/oauth2/v2.0/login`, interaction, appName: client.app.displayName, reason: 'Your organisation requires a second verification step for this application.' }));
        }
        login.record();
        const code = await issueCode(app, tenant, params, sso.user, sso.session.id, sso.session.authTime, sso.session.amr, correlationId, login.risk);
        return sendToClient(app, reply, tenant, params, { code });
      }
      if (prompt === 'none') return sendToClient(app, reply, tenant, params, { error: 'login_required', error_description: 'AADSTS50058: A silent sign-in request was sent but no user is signed in.' });
      const interaction = sealInteraction(app, { kind: 'authorize', tenantId: tenant.id, params, correlationId });
      return html(reply, loginPage({ action: `/${tenant.id}/oauth2/v2.0/login`, interaction, appName: client.app.displayName, username: params.loginHint, tenantDomain: tenant.domain }));
    } catch (e) {
      if (e instanceof PageError) return html(reply, messagePage(e.title, e.message), e.status);
      if (e instanceof RedirectError) return sendToClient(app, reply, tenant, e.params, { error: e.error, error_description: e.description });
      throw e;
    }
  };
  f.get('/:tenant/oauth2/v2.0/authorize', handler);
  f.post('/:tenant/oauth2/v2.0/authorize', handler);

  f.post('/:tenant/oauth2/v2.0/login', async (req: Req, reply) => {
    let tenant: Tenant;
    try { tenant = await resolveTenant(app, req.params.tenant); } catch (e) {
      return html(reply, messagePage('Tenant not found', e instanceof Error ? e.message : 'Unknown tenant.'), 400);
    }
    const form = new FormParams(req.body as Record<string, unknown>);
    let i: Interaction | undefined;
    let username: string | undefined;
    let password: string | undefined;
    let otp: string | undefined;
    try {
      i = openInteraction(app, tenant.id, form.get('interaction'));
      username = form.get('username');
      password = form.get('password');
      otp = form.get('otp');
    } catch {
      return html(reply, messagePage('Sign-in request is not valid', 'The form was submitted with repeated fields.'), 400);
    }
    if (!i) return html(reply, messagePage('Your sign-in timed out', 'The sign-in page expired or was altered. Go back to the application and start again.'), 400);
    const client = await app.directory.client(i.kind === 'authorize' ? i.params.clientId : i.clientId);
    const appName = client?.app.displayName ?? 'the application';
    const attempt = attemptOf(app, req, tenant, client?.app.appId ?? '', appName, i.correlationId, i.kind === 'device' ? 'deviceCode' : 'oAuth2');
    const action = `/${tenant.id}/oauth2/v2.0/login`;

    let user: User | undefined;
    let amr: string[];
    let fingerprint: string | undefined;
    if (i.userId) {
      // Second step: the password was verified; now the one-time code.
      user = await app.store.users.get(tenant.id, i.userId);
      if (!user || !user.accountEnabled) return html(reply, messagePage('Sign-in failed', 'Your account cannot sign in.'), 400);
      if (!otp || !checkTotp(app, user, otp.trim())) {
        recordOtpFailure(app, tenant, attempt, user);
        return html(reply, otpPage({ action, interaction: sealInteraction(app, i), appName, error: 'That code is not right. Check your authenticator app and try again.' }), 400);
      }
      amr = ['pwd', 'otp', 'mfa'];
    } else {
      if (!username || !password) {
        return html(reply, loginPage({ action, interaction: sealInteraction(app, i), appName, tenantDomain: tenant.domain, username, error: 'Enter your username and password.' }), 400);
      }
      const r = await checkPassword(app, tenant, attempt, username, password);
      if (!r.ok) return html(reply, loginPage({ action, interaction: sealInteraction(app, i), appName, tenantDomain: tenant.domain, username, error: r.message }), 400);
      user = r.user;
      fingerprint = r.passwordFingerprint;
      if (user.totpSecret) {
        return html(reply, otpPage({ action, interaction: sealInteraction(app, { ...i, userId: user.id, amr: ['pwd'] }), appName }));
      }
      amr = ['pwd'];
    }
    // Conditional access while the user is here to answer a prompt.
    const scope = i.kind === 'authorize' ? i.params.scope : (await app.store.deviceCodes.getByUserCode(i.userCode))?.scope ?? 'openid';
    const login = assessLogin(app, tenant, attempt, user, amr, fingerprint);
    const verdict = await evaluateInteractive(app, tenant, attempt, user, scope, amr, { signIn: login.risk.riskLevelDuringSignIn as RiskLevel, user: login.risk.userRiskLevel as RiskLevel, country: login.risk.country });
    if (verdict.outcome === 'prompt-mfa') {
      return html(reply, otpPage({ action, interaction: sealInteraction(app, { ...i, userId: user.id, amr }), appName, reason: 'Your organisation requires a second verification step. Enter the code from your authenticator app.' }));
    }
    if (verdict.outcome === 'deny') {
      if (i.kind === 'authorize') return sendToClient(app, reply, tenant, i.params, { error: 'access_denied', error_description: `AADSTS${verdict.aadsts}: ${verdict.message}` });
      return html(reply, messagePage('You cannot access this right now', `${verdict.message} (AADSTS${verdict.aadsts})`), 403);
    }
    login.record();
    const session = await startSsoSession(app, reply, tenant, user, amr);
    if (i.kind === 'device') return completions.device(reply, tenant, i, user, amr, req);
    const code = await issueCode(app, tenant, i.params, user, session.id, session.authTime, amr, i.correlationId, login.risk);
    return sendToClient(app, reply, tenant, i.params, { code });
  });
}
