/**
 * Load client for refresh_token chains: each virtual client holds one refresh token, redeems it,
 * and continues with the rotated one from the response. With `dpop`, each virtual client has its own
 * ES256 key and sends a fresh DPoP proof (new jti, iat, server nonce when one was given) per request.
 *
 * Where the first refresh token comes from (setup, not measured):
 *  - `mint`: POST to a peer's bench-only mint route (`&jkt=` is appended for DPoP-bound tokens);
 *  - `code-flow`: the authorization-code + PKCE flow through the login form (see ../code-flow.ts);
 *  - `tokens`: given in params, one per virtual client.
 */
import { codeFlow } from '../code-flow.ts';
import type { CodeFlowOptions } from '../code-flow.ts';
import { dpopProof, generateEs256Key } from '../es256.ts';
import type { ClientFactory, LoadRequest } from '../load.ts';
import { basicAuth } from './static.ts';

export interface RefreshParams {
  tokenPath: string;
  clientId: string;
  clientSecret?: string;
  auth: 'basic' | 'post' | 'none';
  /** Optional `scope` parameter sent with each refresh. */
  scope?: string;
  dpop?: boolean;
  source:
    | { kind: 'mint'; path: string }
    | { kind: 'code-flow'; flow: Omit<CodeFlowOptions, 'jar' | 'tokenRequestHeaders'> }
    | { kind: 'tokens'; tokens: string[] };
}

export const createClient: ClientFactory = async (index, params, { baseUrl }) => {
  const p = params as RefreshParams;
  const key = p.dpop ? generateEs256Key() : undefined;
  const htu = `${baseUrl}${p.tokenPath}`;
  let nonce: string | undefined;
  const proof = (n?: string): Record<string, string> => (key ? { dpop: dpopProof(key, 'POST', htu, { nonce: n }) } : {});

  let refreshToken: string | undefined;
  if (p.source.kind === 'tokens') {
    refreshToken = p.source.tokens[index % p.source.tokens.length];
  } else if (p.source.kind === 'mint') {
    const url = `${baseUrl}${p.source.path}${key ? `&jkt=${key.kid}` : ''}`;
    const res = await fetch(url, { method: 'POST', signal: AbortSignal.timeout(15_000) });
    const body = await res.json() as { tokens?: string[]; error?: string };
    refreshToken = body.tokens?.[0];
    if (!refreshToken) throw new Error(`mint failed: HTTP ${res.status} ${body.error ?? ''}`);
  } else {
    const r = await codeFlow({ ...p.source.flow, tokenRequestHeaders: key ? proof : undefined });
    refreshToken = r.tokens.refresh_token;
    nonce = r.dpopNonce;
    if (!refreshToken) throw new Error(`code flow returned no refresh_token (scope "${p.source.flow.scope}"; keys: ${Object.keys(r.tokens).join(',')})`);
  }
  if (!refreshToken) throw new Error('no refresh token for virtual client');

  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (p.auth === 'basic' && p.clientSecret) headers.authorization = basicAuth(p.clientId, p.clientSecret);
  let ok = 0;
  let failed = 0;
  let dpopTyped = 0;
  let current: string = refreshToken;
  return {
    next(): LoadRequest {
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: current });
      if (p.auth !== 'basic') form.set('client_id', p.clientId);
      if (p.auth === 'post' && p.clientSecret) form.set('client_secret', p.clientSecret);
      if (p.scope) form.set('scope', p.scope);
      return { method: 'POST', path: p.tokenPath, headers: { ...headers, ...proof(nonce) }, body: form.toString() };
    },
    onResponse(status, body, resHeaders) {
      const n = resHeaders['dpop-nonce'];
      if (typeof n === 'string') nonce = n;
      if (status !== 200) { failed++; return; }
      try {
        const j = JSON.parse(body) as { refresh_token?: string; token_type?: string };
        if (j.refresh_token) current = j.refresh_token;
        if (j.token_type?.toLowerCase() === 'dpop') dpopTyped++;
        ok++;
      } catch {
        failed++;
      }
    },
    // `tokenTypeDPoP`: responses with token_type DPoP — a sanity check that the binding took.
    counters: () => ({ refreshed: ok, refreshFailed: failed, tokenTypeDPoP: dpopTyped }),
  };
};
