/**
 * HTTP client for the device protocol (docs/token-protection.md §4). The endpoints named here are
 * the protocol the core server must implement; this client is the reference for their wire format.
 *
 *   POST {authority}/devices/nonce                       → { nonce, expires_in }
 *   POST {authority}/devices/register   (JSON)           → 201 { device_id, device_key_jkt, transport_key_jkt, trust_type }
 *   POST {authority}/devices/unregister (JSON)           → 200 { device_id, status: "deleted", revoked_tokens }
 *   POST {authority}/oauth2/v2.0/token  grant_type=urn:tessera:params:oauth:grant-type:device-request
 *   POST {authority}/oauth2/v2.0/token  grant_type=urn:tessera:params:oauth:grant-type:session
 */
import type { KeyStore } from './key-store.ts';
import { acceptSessionKey, buildDeviceRequest, buildRegistrationProof, buildSessionProof, buildUnregisterProof, sessionKeyName, type RegistrationProofInput } from './proofs.ts';
import { createDpopProof } from './dpop.ts';

export const GRANT_DEVICE_REQUEST = 'urn:tessera:params:oauth:grant-type:device-request';
export const GRANT_SESSION = 'urn:tessera:params:oauth:grant-type:session';

/** A failed protocol call: the server's OAuth error, or a transport failure (`error: 'network'`). */
export class DeviceClientError extends Error {
  override readonly name = 'DeviceClientError';
  constructor(
    readonly error: string,
    readonly description: string,
    readonly status: number,
    readonly suberror?: string,
  ) {
    super(description ? `${error}: ${description}` : error);
  }
}

export interface DeviceRegistration {
  deviceId: string;
  deviceKeyJkt: string;
  transportKeyJkt: string;
  trustType: string;
}

/** The server's answer to `unregister`: the device object is gone and its tokens are revoked. */
export interface DeviceUnregistration {
  deviceId: string;
  /** Session and refresh tokens that were still active and are now revoked. */
  revokedTokens: number;
}

/** What the agent keeps between runs (the session token is a secret: store it 0600). */
export interface DeviceSession {
  deviceId: string;
  sessionToken: string;
  sessionKeyId: string;
  /** Epoch seconds. */
  expiresAt: number;
  /** Renew (new session token and key) after this time. */
  refreshAt: number;
}

export interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in: number;
  scope?: string;
}

export interface DeviceClientOptions {
  /** Tenant authority, e.g. `http://localhost:8080/{tenantId}`. */
  authority: string;
  store: KeyStore;
  /** Application id the agent signs in as (the broker's client id). */
  clientId: string;
  fetch?: typeof fetch;
  /** Key-store names (defaults `device`, `transport`, `dpop`). */
  keys?: { device?: string; transport?: string; dpop?: string };
}

type Json = Record<string, unknown>;

/**
 * @example
 * const client = new DeviceClient({ authority: 'http://localhost:8080/t1', store, clientId: BROKER });
 * const reg = await client.register({ username: 'ada@contoso.com', password: 'pw', device: { operatingSystem: 'Linux' } });
 * const session = await client.login(reg.deviceId, { username: 'ada@contoso.com', password: 'pw' });
 * const at = await client.acquireToken(session, { clientId: APP, scope: 'api://orders/.default' });
 * const res = await client.fetchWithToken('https://api.example/orders', at.access_token);
 */
export class DeviceClient {
  private readonly f: typeof fetch;
  private readonly k: { device: string; transport: string; dpop: string };
  private readonly authority: string;
  /** Last `DPoP-Nonce` per origin (RFC 9449 §8.2). */
  private readonly dpopNonces = new Map<string, string>();

  constructor(private readonly opts: DeviceClientOptions) {
    this.f = opts.fetch ?? fetch;
    this.k = { device: opts.keys?.device ?? 'device', transport: opts.keys?.transport ?? 'transport', dpop: opts.keys?.dpop ?? 'dpop' };
    this.authority = opts.authority.replace(/\/$/, '');
  }

  private async call(url: string, init: RequestInit): Promise<{ status: number; body: Json; headers: Headers }> {
    let res: Response;
    try {
      res = await this.f(url, { ...init, signal: AbortSignal.timeout(15_000) });
    } catch (e) {
      throw new DeviceClientError('network', e instanceof Error ? e.message : String(e), 0);
    }
    let body: Json = {};
    try {
      body = (await res.json()) as Json;
    } catch {
      // non-JSON answer: reported below by status
    }
    return { status: res.status, body, headers: res.headers };
  }

  private static fail(r: { status: number; body: Json }): DeviceClientError {
    const b = r.body;
    return new DeviceClientError(typeof b.error === 'string' ? b.error : `http_${r.status}`, typeof b.error_description === 'string' ? b.error_description : '', r.status, typeof b.suberror === 'string' ? b.suberror : undefined);
  }

  /**
   * A fresh server nonce for device proofs.
   * @example const nonce = await client.nonce();
   */
  async nonce(): Promise<string> {
    const r = await this.call(`${this.authority}/devices/nonce`, { method: 'POST' });
    if (r.status !== 200 || typeof r.body.nonce !== 'string') throw DeviceClient.fail(r);
    return r.body.nonce;
  }

  /** Run `attempt` with a nonce; if the server answers `device_nonce_required`, retry once with its nonce. */
  private async withNonce(attempt: (nonce: string) => Promise<{ status: number; body: Json; headers: Headers }>, ok: number): Promise<Json> {
    let r = await attempt(await this.nonce());
    if (r.status !== ok && r.body.suberror === 'device_nonce_required' && typeof r.body.nonce === 'string') r = await attempt(r.body.nonce);
    if (r.status !== ok) throw DeviceClient.fail(r);
    return r.body;
  }

  private async ensureKeys(): Promise<void> {
    const s = this.opts.store;
    if (!(await s.get(this.k.device))) await s.generate(this.k.device, 'ES256');
    if (!(await s.get(this.k.transport))) await s.generate(this.k.transport, 'ECDH-ES+A256KW');
    if (!(await s.get(this.k.dpop))) await s.generate(this.k.dpop, 'ES256');
  }

  /**
   * Register this device (keys are created on first use), with user credentials or an enrollment token.
   * @example const { deviceId } = await client.register({ username, password, device: { operatingSystem: 'Linux' } });
   */
  async register(input: { username?: string; password?: string; otp?: string; enrollmentToken?: string; device?: RegistrationProofInput['device'] }): Promise<DeviceRegistration> {
    await this.ensureKeys();
    const body = await this.withNonce(async (nonce) => {
      const proofInput: RegistrationProofInput = { audience: this.authority, nonce, deviceKey: this.k.device, transportKey: this.k.transport };
      if (input.device) proofInput.device = input.device;
      const registration_proof = await buildRegistrationProof(this.opts.store, proofInput);
      return this.call(`${this.authority}/devices/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ registration_proof, username: input.username, password: input.password, otp: input.otp, enrollment_token: input.enrollmentToken }),
      });
    }, 201);
    return { deviceId: String(body.device_id), deviceKeyJkt: String(body.device_key_jkt), transportKeyJkt: String(body.transport_key_jkt), trustType: String(body.trust_type) };
  }

  /**
   * Remove this device from the directory: proves possession of the device key over a fresh server
   * nonce; Tessera deletes the device object and revokes its session and refresh tokens. The keys
   * stay in the key store: delete them afterwards (they prove nothing any more). Fails with
   * `DeviceClientError` (`suberror` `device_unknown` when the server no longer knows the device,
   * `device_disabled` when an administrator disabled it, `error: 'network'` when unreachable).
   *
   * @example
   * await client.unregister(deviceId);
   * for (const k of await store.list()) await store.delete(k.name);
   */
  async unregister(deviceId: string): Promise<DeviceUnregistration> {
    const body = await this.withNonce(async (nonce) => {
      const unregister_proof = await buildUnregisterProof(this.opts.store, { audience: this.authority, nonce, deviceId, deviceKey: this.k.device });
      return this.call(`${this.authority}/devices/unregister`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ unregister_proof }),
      });
    }, 200);
    return { deviceId: String(body.device_id), revokedTokens: Number(body.revoked_tokens ?? 0) };
  }

  private async deviceGrant(deviceId: string, grant: 'password' | 'refresh_token' | 'session_renewal', params: Record<string, string | undefined>, previousKeyId?: string): Promise<DeviceSession> {
    const body = await this.withNonce(async (nonce) => {
      const request = await buildDeviceRequest(this.opts.store, { audience: this.authority, nonce, deviceId, grant, params: { ...params, client_id: this.opts.clientId }, deviceKey: this.k.device });
      return this.call(`${this.authority}/oauth2/v2.0/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: GRANT_DEVICE_REQUEST, client_id: this.opts.clientId, request }),
      });
    }, 200);
    const { session_token, session_key_id, session_key_jwe, session_token_expires_in, refresh_in } = body;
    if (typeof session_token !== 'string' || typeof session_key_id !== 'string' || typeof session_key_jwe !== 'string') {
      throw new DeviceClientError('invalid_response', 'session answer incomplete', 200);
    }
    await acceptSessionKey(this.opts.store, { jwe: session_key_jwe, sessionKeyId: session_key_id, transportKey: this.k.transport });
    if (previousKeyId && previousKeyId !== session_key_id) await this.opts.store.delete(sessionKeyName(previousKeyId));
    const now = Math.floor(Date.now() / 1000);
    return {
      deviceId,
      sessionToken: session_token,
      sessionKeyId: session_key_id,
      expiresAt: now + (typeof session_token_expires_in === 'number' ? session_token_expires_in : 14 * 86400),
      refreshAt: now + (typeof refresh_in === 'number' ? refresh_in : 4 * 3600),
    };
  }

  /**
   * Sign a user in on this device (password, then `otp` when the tenant requires it).
   * @example const session = await client.login(deviceId, { username, password, otp: '123456' });
   */
  login(deviceId: string, input: { username: string; password: string; otp?: string; scope?: string }): Promise<DeviceSession> {
    return this.deviceGrant(deviceId, 'password', { username: input.username, password: input.password, otp: input.otp, scope: input.scope });
  }

  /**
   * Upgrade an existing (unbound) refresh token into a device-bound session.
   * @example const session = await client.loginWithRefreshToken(deviceId, refreshToken);
   */
  loginWithRefreshToken(deviceId: string, refreshToken: string): Promise<DeviceSession> {
    return this.deviceGrant(deviceId, 'refresh_token', { refresh_token: refreshToken });
  }

  /**
   * Renew the session: new session token and a rolled session key.
   * @example if (Date.now() / 1000 > session.refreshAt) session = await client.renew(session);
   */
  renew(session: DeviceSession): Promise<DeviceSession> {
    return this.deviceGrant(session.deviceId, 'session_renewal', { session_token: session.sessionToken }, session.sessionKeyId);
  }

  /**
   * Get an access token for an app through the session, DPoP-bound to the agent's DPoP key.
   * @example const { access_token } = await client.acquireToken(session, { clientId: appId, scope: 'api://orders/.default' });
   */
  async acquireToken(session: DeviceSession, input: { clientId: string; scope: string }): Promise<TokenResponse> {
    const tokenUrl = `${this.authority}/oauth2/v2.0/token`;
    const dpopJkt = (await this.opts.store.get(this.k.dpop))?.jkt;
    const attempt = async (nonce: string) => {
      const proof = await buildSessionProof(this.opts.store, { audience: this.authority, nonce, sessionKeyId: session.sessionKeyId, sessionToken: session.sessionToken, clientId: input.clientId, scope: input.scope, ...(dpopJkt ? { dpopJkt } : {}) });
      const dpop = await this.dpopFor('POST', tokenUrl);
      return this.call(tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', DPoP: dpop },
        body: new URLSearchParams({ grant_type: GRANT_SESSION, client_id: input.clientId, scope: input.scope, session_token: session.sessionToken, proof }),
      });
    };
    let r = await attempt(await this.nonce());
    this.noteNonce(tokenUrl, r.headers);
    if (r.body.error === 'use_dpop_nonce' || (r.body.suberror === 'device_nonce_required' && typeof r.body.nonce === 'string')) {
      r = await attempt(typeof r.body.nonce === 'string' ? r.body.nonce : await this.nonce());
      this.noteNonce(tokenUrl, r.headers);
    }
    if (r.status !== 200 || typeof r.body.access_token !== 'string') throw DeviceClient.fail(r);
    const out: TokenResponse = { access_token: r.body.access_token, token_type: String(r.body.token_type), expires_in: Number(r.body.expires_in) };
    if (typeof r.body.scope === 'string') out.scope = r.body.scope;
    return out;
  }

  private noteNonce(url: string, headers: Headers): void {
    const n = headers.get('dpop-nonce');
    if (n) this.dpopNonces.set(new URL(url).origin, n);
  }

  private dpopFor(method: string, url: string, accessToken?: string): Promise<string> {
    const nonce = this.dpopNonces.get(new URL(url).origin);
    return createDpopProof(this.opts.store, { method, url, key: this.k.dpop, ...(accessToken ? { accessToken } : {}), ...(nonce ? { nonce } : {}) });
  }

  /**
   * Call a protected resource with a DPoP-bound token and a fresh proof; retries once on `use_dpop_nonce`.
   * @example const res = await client.fetchWithToken('https://api.example/orders', access_token);
   */
  async fetchWithToken(url: string, accessToken: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Response> {
    const method = init.method ?? 'GET';
    const send = async () =>
      this.f(url, { method, headers: { ...init.headers, authorization: `DPoP ${accessToken}`, dpop: await this.dpopFor(method, url, accessToken) }, ...(init.body !== undefined ? { body: init.body } : {}) });
    let res = await send();
    this.noteNonce(url, res.headers);
    if (res.status === 401 && /error="use_dpop_nonce"/.test(res.headers.get('www-authenticate') ?? '')) {
      res = await send();
      this.noteNonce(url, res.headers);
    }
    return res;
  }
}
