/**
 * Validating an authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3, RFC 9449 §10). Until the
 * client and redirect URI are known good, errors are shown on a page; after that they go back to
 * the client by redirect (RFC 6749 §4.1.2.1).
 */
import type { App } from '../../app/app.ts';
import type { ClientRecord } from '../../app/directory-cache.ts';
import type { FormParams } from '../../server/form.ts';
import type { Tenant } from '../../store/types.ts';
import { OAuthError } from '../../errors/oauth.ts';
import { resolveScopes } from '../resources.ts';
import type { AuthorizeParams } from './interaction.ts';

export class PageError extends Error {
  constructor(readonly title: string, message: string, readonly status = 400) { super(message); }
}

export class RedirectError extends Error {
  constructor(readonly error: string, readonly description: string, readonly params: Pick<AuthorizeParams, 'redirectUri' | 'state' | 'responseMode'>) { super(description); }
}

/** RFC 8252 §7.3: loopback redirect URIs match whatever port the native app listens on. */
export function redirectAllowed(registered: readonly string[], uri: string): boolean {
  if (registered.includes(uri)) return true;
  let u: URL;
  try { u = new URL(uri); } catch { return false; }
  if (u.protocol !== 'http:' || !['127.0.0.1', '[::1]'].includes(u.hostname)) return false;
  return registered.some((r) => {
    try {
      const x = new URL(r);
      return x.protocol === 'http:' && x.hostname === u.hostname && x.pathname === u.pathname && x.search === u.search;
    } catch { return false; }
  });
}

export async function validateAuthorize(app: App, tenant: Tenant, p: FormParams): Promise<{ params: AuthorizeParams; client: ClientRecord }> {
  let clientId: string | undefined;
  let redirectUri: string | undefined;
  try {
    clientId = p.get('client_id');
    redirectUri = p.get('redirect_uri');
  } catch (e) {
    throw new PageError('Sign-in request is not valid', e instanceof Error ? e.message : 'Invalid request.');
  }
  if (!clientId) throw new PageError('Sign-in request is not valid', "The request must contain the 'client_id' parameter. (AADSTS900144)");
  const client = clientId.length <= 256 ? await app.directory.client(clientId) : undefined;
  if (!client || client.app.tenantId !== tenant.id) throw new PageError('Application not found', `Application with identifier '${clientId.slice(0, 80)}' was not found in the directory '${tenant.domain}'. (AADSTS700016)`);
  if (!redirectUri) throw new PageError('Sign-in request is not valid', "The request must contain the 'redirect_uri' parameter. (AADSTS900144)");
  if (!redirectAllowed(client.app.redirectUris, redirectUri)) {
    throw new PageError('Redirect URI mismatch', `The redirect URI '${redirectUri.slice(0, 200)}' specified in the request does not match the redirect URIs configured for the application '${client.app.appId}'. (AADSTS50011)`);
  }
  let state: string | undefined;
  let responseModeRaw: string | undefined;
  try { state = p.get('state'); responseModeRaw = p.get('response_mode'); } catch (e) {
    throw new PageError('Sign-in request is not valid', e instanceof Error ? e.message : 'Invalid request.');
  }
  const responseMode = responseModeRaw === 'form_post' ? 'form_post' : 'query';
  const back = { redirectUri, state, responseMode } as const;
  const redirect = (error: string, description: string): RedirectError => new RedirectError(error, description, back);
  try {
    if (responseModeRaw && !['query', 'form_post'].includes(responseModeRaw)) throw redirect('invalid_request', `AADSTS900144: response_mode '${responseModeRaw.slice(0, 40)}' is not supported; use query or form_post.`);
    const responseType = p.get('response_type');
    if (responseType !== 'code') throw redirect('unsupported_response_type', `AADSTS700054: response_type '${(responseType ?? '').slice(0, 40)}' is not enabled for the application; use 'code'.`);
    const scope = p.get('scope') ?? 'openid';
    await resolveScopes(app.directory, tenant.id, scope);
    const codeChallenge = p.get('code_challenge');
    const method = p.get('code_challenge_method');
    if (codeChallenge) {
      if ((method ?? 'plain') !== 'S256') throw redirect('invalid_request', 'AADSTS501491: code_challenge_method must be S256.');
      if (!/^[A-Za-z0-9_-]{43}$/.test(codeChallenge)) throw redirect('invalid_request', 'AADSTS501491: code_challenge must be a base64url SHA-256 value (43 characters).');
    } else if (client.app.isPublic) {
      // OAuth 2.1 / RFC 9700 §2.1.1: public clients must use PKCE.
      throw redirect('invalid_request', 'AADSTS9002325: Proof Key for Code Exchange is required for public clients (code_challenge with S256).');
    }
    const dpopJkt = p.get('dpop_jkt');
    if (dpopJkt && !/^[A-Za-z0-9_-]{43}$/.test(dpopJkt)) throw redirect('invalid_request', 'dpop_jkt must be a base64url SHA-256 JWK thumbprint (RFC 9449 §10).');
    const nonce = p.get('nonce');
    if (nonce && nonce.length > 512) throw redirect('invalid_request', 'nonce is too long.');
    if (state && state.length > 2048) throw redirect('invalid_request', 'state is too long.');
    return { client, params: { clientId, redirectUri, scope, state, nonce, codeChallenge, responseMode, dpopJkt, loginHint: p.get('login_hint')?.slice(0, 256) } };
  } catch (e) {
    if (e instanceof RedirectError) throw e;
    if (e instanceof OAuthError) throw redirect(e.code, e.aadsts ? `AADSTS${e.aadsts}: ${e.description}` : e.description);
    throw e;
  }
}
