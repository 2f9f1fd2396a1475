/**
 * Authorization-code + PKCE flow driven over HTTP like a browser would, to obtain refresh tokens
 * for the benchmarks. Written defensively against a login page we do not control:
 *
 *  GET authorize → HTML page → pick the form (the one with a password field, else the first), keep
 *  every hidden/pre-filled input, fill `username`-like and `password` fields (and an OTP field when an
 *  `otp` callback is given), POST it to the form's action → follow redirects on the same server,
 *  fill further forms (e.g. username first, then password; consent "accept" buttons) → a redirect to
 *  `redirectUri` with `code` → token exchange with `code_verifier`.
 *
 * Cookies are kept in a jar, so a second flow with the same jar can ride the SSO session and skip
 * the form (used to issue many refresh tokens cheaply for the memory scenario).
 */
import { createHash, randomBytes } from 'node:crypto';

export interface CodeFlowOptions {
  /** e.g. `http://127.0.0.1:PORT/bench.local` — the tenant base. */
  authority: string;
  authorizeUrl?: string;
  tokenUrl?: string;
  clientId: string;
  clientSecret?: string;
  /** How the client authenticates at the token endpoint; `none` for public clients. */
  clientAuth?: 'basic' | 'post' | 'none';
  redirectUri: string;
  scope: string;
  username: string;
  password: string;
  otp?: () => string;
  /** Extra headers on every request (e.g. a DPoP proof builder is out of scope here). */
  headers?: Record<string, string>;
  /** Extra headers for the token exchange only, e.g. a fresh DPoP proof (`nonce` after a `use_dpop_nonce`). */
  tokenRequestHeaders?: (nonce?: string) => Record<string, string>;
  jar?: CookieJar;
  maxSteps?: number;
}

export interface CodeFlowResult {
  tokens: Record<string, unknown> & { access_token?: string; refresh_token?: string };
  jar: CookieJar;
  /** True when the authorize request was answered from the session without a form. */
  sso: boolean;
  steps: number;
  /** The token endpoint's last `DPoP-Nonce`, if any, for the client's next proof. */
  dpopNonce?: string;
}

export class CookieJar {
  readonly cookies = new Map<string, string>();
  absorb(res: Response): void {
    for (const sc of res.headers.getSetCookie()) {
      const [pair = '', ...attrs] = sc.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const expired = attrs.some((a) => /^\s*max-age\s*=\s*(0|-\d+)\s*$/i.test(a))
        || attrs.some((a) => /^\s*expires\s*=/i.test(a) && Date.parse(a.split('=').slice(1).join('=')) < Date.now());
      if (expired) this.cookies.delete(name); else this.cookies.set(name, pair.slice(eq + 1).trim());
    }
  }
  header(): string { return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '); }
}

export interface HtmlForm { action: string; method: string; fields: { name: string; value: string; type: string }[] }

const decode = (s: string): string => s
  .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
  .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
  .replace(/&quot;/g, '"').replace(/&#39;|&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

function attrs(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([^\s=<>"'/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?/g;
  const body = tag.replace(/^<\s*\w+/, '').replace(/\/?>$/, '');
  for (let m = re.exec(body), n = 0; m && n < 200; m = re.exec(body), n++) {
    out[(m[1] ?? '').toLowerCase()] = decode(m[2] ?? m[3] ?? m[4] ?? '');
  }
  return out;
}

/** Every `<form>` of a page with its inputs, selects (first/selected option) and named buttons. */
export function parseForms(html: string): HtmlForm[] {
  const forms: HtmlForm[] = [];
  const formRe = /<form\b[^>]*>([\s\S]*?)<\/form>/gi;
  for (let m = formRe.exec(html), n = 0; m && n < 50; m = formRe.exec(html), n++) {
    const open = /<form\b[^>]*>/i.exec(m[0])?.[0] ?? '<form>';
    const fa = attrs(open);
    const fields: HtmlForm['fields'] = [];
    const inner = m[1] ?? '';
    for (const tag of inner.match(/<input\b[^>]*>/gi) ?? []) {
      const a = attrs(tag);
      if (!a.name || a.disabled !== undefined) continue;
      const type = (a.type ?? 'text').toLowerCase();
      if ((type === 'checkbox' || type === 'radio') && a.checked === undefined) continue;
      if (type === 'submit' || type === 'button' || type === 'image' || type === 'reset') continue;
      fields.push({ name: a.name, value: a.value ?? (type === 'checkbox' ? 'on' : ''), type });
    }
    for (const sm of inner.matchAll(/<select\b[^>]*>([\s\S]*?)<\/select>/gi)) {
      const a = attrs(/<select\b[^>]*>/i.exec(sm[0])?.[0] ?? '');
      const opts = [...(sm[1] ?? '').matchAll(/<option\b[^>]*>/gi)].map((o) => attrs(o[0]));
      const pick = opts.find((o) => o.selected !== undefined) ?? opts[0];
      if (a.name && pick) fields.push({ name: a.name, value: pick.value ?? '', type: 'select' });
    }
    for (const tag of [...inner.match(/<button\b[^>]*>/gi) ?? [], ...inner.match(/<input\b[^>]*type\s*=\s*["']?submit[^>]*>/gi) ?? []]) {
      const a = attrs(tag);
      // Only the first named submit button is "clicked", as a browser does on Enter.
      if (a.name && (a.type ?? 'submit').toLowerCase() === 'submit' && !fields.some((f) => f.type === 'submit')) {
        fields.push({ name: a.name, value: a.value ?? '', type: 'submit' });
      }
    }
    forms.push({ action: fa.action ?? '', method: (fa.method ?? 'get').toLowerCase(), fields });
  }
  return forms;
}

const USER_RE = /^(username|user|login|loginfmt|email|upn|user_?name|identifier)$/i;
const OTP_RE = /^(otp|totp|code|otc|mfa|mfa_?code|one_?time_?code|verification_?code)$/i;

/** Fills a form for the sign-in: known fields get credentials, everything else keeps its value. */
export function fillForm(form: HtmlForm, opts: Pick<CodeFlowOptions, 'username' | 'password' | 'otp'>): URLSearchParams {
  const body = new URLSearchParams();
  for (const f of form.fields) {
    if (f.type === 'password') body.append(f.name, opts.password);
    else if (USER_RE.test(f.name) || f.type === 'email') body.append(f.name, f.value || opts.username);
    else if (OTP_RE.test(f.name) && f.type !== 'hidden' && opts.otp) body.append(f.name, opts.otp());
    else body.append(f.name, f.value);
  }
  return body;
}

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

async function call(url: string, init: RequestInit, jar: CookieJar, extra?: Record<string, string>): Promise<Response> {
  const headers = new Headers(init.headers);
  for (const [k, v] of Object.entries(extra ?? {})) headers.set(k, v);
  const cookie = jar.header();
  if (cookie) headers.set('cookie', cookie);
  const res = await fetch(url, { ...init, headers, redirect: 'manual', signal: AbortSignal.timeout(15_000) });
  jar.absorb(res);
  return res;
}

/** Runs one code + PKCE flow and the token exchange; throws with a precise reason on any surprise. */
export async function codeFlow(opts: CodeFlowOptions): Promise<CodeFlowResult> {
  const jar = opts.jar ?? new CookieJar();
  const authorizeUrl = opts.authorizeUrl ?? `${opts.authority}/oauth2/v2.0/authorize`;
  const tokenUrl = opts.tokenUrl ?? `${opts.authority}/oauth2/v2.0/token`;
  const { verifier, challenge } = pkcePair();
  const state = randomBytes(12).toString('base64url');
  const nonce = randomBytes(12).toString('base64url');
  const q = new URLSearchParams({
    client_id: opts.clientId, response_type: 'code', redirect_uri: opts.redirectUri, scope: opts.scope,
    state, nonce, code_challenge: challenge, code_challenge_method: 'S256',
  });
  let res = await call(`${authorizeUrl}?${q}`, { method: 'GET' }, jar, opts.headers);
  let pageUrl = `${authorizeUrl}?${q}`;
  let sso = true;
  let code: string | undefined;
  const maxSteps = opts.maxSteps ?? 8;
  let steps = 0;
  let passwordPosts = 0;
  for (; steps < maxSteps && code === undefined; steps++) {
    if (res.status >= 300 && res.status < 400) {
      const loc = res.headers.get('location');
      await res.arrayBuffer();
      if (!loc) throw new Error(`redirect without Location at ${pageUrl}`);
      const next = new URL(loc, pageUrl);
      if (next.href.startsWith(opts.redirectUri)) {
        const p = next.searchParams.size ? next.searchParams : new URLSearchParams(next.hash.slice(1));
        if (p.get('error')) throw new Error(`authorize error: ${p.get('error')} ${p.get('error_description') ?? ''}`.trim());
        if (p.get('state') !== state) throw new Error('authorize response state mismatch');
        code = p.get('code') ?? undefined;
        if (!code) throw new Error(`redirect to redirect_uri without code: ${next.href}`);
        break;
      }
      pageUrl = next.href;
      res = await call(pageUrl, { method: 'GET' }, jar, opts.headers);
      continue;
    }
    const html = await res.text();
    if (res.status !== 200) throw new Error(`authorize step ${steps}: HTTP ${res.status} at ${pageUrl}: ${html.slice(0, 300)}`);
    const forms = parseForms(html);
    const form = forms.find((f) => f.fields.some((x) => x.type === 'password'))
      ?? forms.find((f) => f.fields.some((x) => USER_RE.test(x.name) || (OTP_RE.test(x.name) && x.type !== 'hidden')))
      ?? forms[0];
    if (!form) throw new Error(`authorize step ${steps}: no form on page ${pageUrl}: ${html.replace(/\s+/g, ' ').slice(0, 300)}`);
    sso = false;
    if (form.fields.some((x) => x.type === 'password') && passwordPosts++ > 0) {
      const text = html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim();
      throw new Error(`sign-in form shown again after the password was posted (rejected?): ${text.slice(0, 300)}`);
    }
    const body = fillForm(form, opts);
    const action = new URL(form.action || pageUrl, pageUrl).href;
    if (form.method === 'post') {
      res = await call(action, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } }, jar, opts.headers);
    } else {
      const u = new URL(action);
      for (const [k, v] of body) u.searchParams.append(k, v);
      res = await call(u.href, { method: 'GET' }, jar, opts.headers);
    }
    pageUrl = action;
  }
  if (!code) throw new Error(`no authorization code after ${steps} steps (last page ${pageUrl})`);

  const form = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: opts.redirectUri, code_verifier: verifier });
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  const auth = opts.clientAuth ?? (opts.clientSecret ? 'basic' : 'none');
  if (auth === 'basic' && opts.clientSecret) {
    headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(opts.clientId)}:${encodeURIComponent(opts.clientSecret)}`).toString('base64')}`;
  } else {
    form.set('client_id', opts.clientId);
    if (auth === 'post' && opts.clientSecret) form.set('client_secret', opts.clientSecret);
  }
  const exchange = (nonce?: string): Promise<Response> => fetch(tokenUrl, {
    method: 'POST', body: form, headers: { ...opts.headers, ...opts.tokenRequestHeaders?.(nonce), ...headers }, signal: AbortSignal.timeout(15_000),
  });
  let tr = await exchange();
  let text = await tr.text();
  const dpopNonce = tr.headers.get('dpop-nonce');
  if (tr.status === 400 && dpopNonce && opts.tokenRequestHeaders && text.includes('use_dpop_nonce')) {
    tr = await exchange(dpopNonce);
    text = await tr.text();
  }
  if (tr.status !== 200) throw new Error(`token exchange: HTTP ${tr.status}: ${text.slice(0, 300)}`);
  const tokens = JSON.parse(text) as CodeFlowResult['tokens'];
  const lastNonce = tr.headers.get('dpop-nonce') ?? dpopNonce ?? undefined;
  return { tokens, jar, sso, steps, ...(lastNonce ? { dpopNonce: lastNonce } : {}) };
}
