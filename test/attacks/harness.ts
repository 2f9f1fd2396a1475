/**
 * Shared set-up for the token-theft attack suite and the device-agent flow: a real Tessera, a user,
 * an API protected by `tessera/resource` on a real node:http server, device agents with their own
 * key stores, and the sign-in records read back from the log tables.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DeviceClient, MemoryKeyStore, type DeviceSession } from '../../sdk/device/index.ts';
import { createVerifier, nodeHttpGuard } from '../../sdk/resource/index.ts';
import { brokerClientId } from '../../src/protocol/device/broker.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import * as oidc from 'openid-client';
import { addApp, addUser, browserSignIn } from '../helpers/fixtures.ts';
import type { Application } from '../../src/store/types.ts';

export const PASSWORD = 'Tr0ub4dor&3-horse';
export const API_URI = 'api://orders';
export const API_SCOPE = `${API_URI}/Orders.Read`;

export interface Api { url: string; close(): Promise<void> }

/** The orders API: answers 200 with the caller's subject when `tessera/resource` accepts the request. */
export async function startApi(s: TestServer): Promise<Api> {
  const verifier = createVerifier({ issuer: `${s.authority}/v2.0`, audience: API_URI, requiredScopes: ['Orders.Read'] });
  const server = http.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const guard = nodeHttpGuard(verifier, { origin });
  server.on('request', (req, res) => {
    void guard(req, res).then((p) => {
      if (!p) return;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ sub: p.subject, bound: Boolean((p.claims as { cnf?: unknown }).cnf) }));
    });
  });
  return { url: `${origin}/orders`, close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

export interface World { s: TestServer; api: Api; orders: Application; userId: string; upn: string; close(): Promise<void> }

export async function startWorld(env: Record<string, string> = {}): Promise<World> {
  const s = await startTestServer(env);
  const upn = 'ada@contoso.test';
  const userId = await addUser(s, upn, PASSWORD);
  const orders = await addApp(s, {
    displayName: 'Orders API', identifierUris: [API_URI],
    scopes: [{ id: '0b5c5f5e-3f7e-4c1a-9f0e-7a1d2c3b4a51', value: 'Orders.Read', adminConsentDisplayName: 'Read orders', adminConsentDescription: 'Read orders', type: 'User', isEnabled: true }],
  });
  const api = await startApi(s);
  return { s, api, orders, userId, upn, async close() { await api.close(); await s.stop(); } };
}

/** A device agent with its own (in-memory) key store: the victim's device, or an attacker's machine. */
export function agent(s: TestServer, opts: { store?: MemoryKeyStore; fetch?: typeof fetch } = {}): { client: DeviceClient; store: MemoryKeyStore; clientId: string } {
  const clientId = brokerClientId(s.tenantId);
  const store = opts.store ?? new MemoryKeyStore();
  return { client: new DeviceClient({ authority: s.authority, store, clientId, ...(opts.fetch ? { fetch: opts.fetch } : {}) }), store, clientId };
}

/** Registers a device for `upn` and signs in: the legitimate agent's state. */
export async function enrolledAgent(w: World, device: { operatingSystem?: string; operatingSystemVersion?: string; displayName?: string } = { operatingSystem: 'Windows', operatingSystemVersion: '10.0.22631' }, fetchImpl?: typeof fetch) {
  const a = agent(w.s, fetchImpl ? { fetch: fetchImpl } : {});
  const reg = await a.client.register({ username: w.upn, password: PASSWORD, device });
  const session = await a.client.login(reg.deviceId, { username: w.upn, password: PASSWORD });
  return { ...a, deviceId: reg.deviceId, session };
}

export interface SignInRow {
  table: string;
  resultType: string;
  status: { signInSessionStatus: string; signInSessionStatusCode: number | null };
  policies: { id: string; result: string; sessionControlsNotSatisfied?: string[] }[];
  device: { deviceId: string; trustType: string };
  appId: string;
  upn: string;
}

const parse = (v: unknown): any => (typeof v === 'string' ? JSON.parse(v) : v);

/** The newest sign-in records (interactive and non-interactive tables), newest first. */
export async function signIns(s: TestServer, n = 1): Promise<SignInRow[]> {
  await s.app.logs.flush();
  const rows: (SignInRow & { at: number })[] = [];
  for (const table of ['SigninLogs', 'AADNonInteractiveUserSignInLogs']) {
    const r = await s.app.logs.query(`SELECT epoch_ms(TimeGenerated), ResultType, TokenProtectionStatusDetails, ConditionalAccessPolicies, DeviceDetail, AppId, UserPrincipalName FROM ${table} ORDER BY TimeGenerated DESC LIMIT ${n}`);
    for (const x of r.rows) {
      rows.push({ table, at: Number(x[0]), resultType: String(x[1]), status: parse(x[2]), policies: parse(x[3]) ?? [], device: parse(x[4]), appId: String(x[5]), upn: String(x[6] ?? '') });
    }
  }
  return rows.sort((a, b) => b.at - a.at).slice(0, n);
}

export async function lastSignIn(s: TestServer): Promise<SignInRow> {
  return (await signIns(s, 1))[0]!;
}

/** POST a form to the token endpoint; returns status, JSON body and headers. */
export async function tokenRequest(s: TestServer, form: Record<string, string>, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, any>; headers: Headers }> {
  const res = await fetch(`${s.authority}/oauth2/v2.0/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(form) });
  return { status: res.status, body: await res.json() as Record<string, any>, headers: res.headers };
}

export async function deviceNonce(s: TestServer): Promise<string> {
  const res = await fetch(`${s.authority}/devices/nonce`, { method: 'POST' });
  return ((await res.json()) as { nonce: string }).nonce;
}

export type { DeviceSession };

export const REDIRECT = 'http://127.0.0.1:5555/callback';

/**
 * A browser sign-in and code exchange for a public client (the ordinary, bearer way to get a refresh
 * token), optionally with DPoP so the refresh token is bound to `dpopKey` (RFC 9449 §5).
 */
export async function codeFlowTokens(w: World, clientAppId: string, scope: string, dpopKey?: Awaited<ReturnType<typeof oidc.randomDPoPKeyPair>>): Promise<{ refresh_token: string; access_token: string }> {
  const cfg = await oidc.discovery(new URL(`${w.s.authority}/v2.0`), clientAppId, { id_token_signed_response_alg: 'ES256', token_endpoint_auth_method: 'none' }, oidc.None(), { execute: [oidc.allowInsecureRequests] });
  const verifier = oidc.randomPKCECodeVerifier();
  const url = oidc.buildAuthorizationUrl(cfg, { redirect_uri: REDIRECT, scope, code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
  const { location } = await browserSignIn(url.href, w.upn, PASSWORD);
  const tokens = await oidc.authorizationCodeGrant(cfg, new URL(location), { pkceCodeVerifier: verifier }, undefined, dpopKey ? { DPoP: oidc.getDPoPHandle(cfg, dpopKey) } : {});
  return { refresh_token: tokens.refresh_token!, access_token: tokens.access_token };
}
