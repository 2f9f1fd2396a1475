/**
 * The device's halves of the token-protection protocol (docs/token-protection.md §3): every JWT is
 * signed through the `KeyStore`, so private keys never leave it.
 */
import { createHash, randomUUID } from 'node:crypto';
import { b64uJson } from '../../src/crypto/base64url.ts';
import { KeyStoreError, type KeyInfo, type KeyStore } from './key-store.ts';

export const REGISTRATION_PROOF_TYP = 'tessera-device-registration+jwt';
export const DEVICE_REQUEST_TYP = 'tessera-device-request+jwt';
export const SESSION_PROOF_TYP = 'tessera-session+jwt';
export const UNREGISTER_PROOF_TYP = 'tessera-device-unregister+jwt';

/** Proofs live five minutes: long enough for a slow network, short next to the nonce lifetime. */
const PROOF_LIFETIME_SEC = 300;

const nowSec = () => Math.floor(Date.now() / 1000);

/**
 * Sign `payload` with the named key of `store` as a compact JWS. The `alg` comes from the key.
 *
 * @example
 * const jwt = await signWithKeyStore(store, 'device', { typ: 'JWT' }, { hello: 'world' });
 */
export async function signWithKeyStore(store: KeyStore, keyName: string, header: Record<string, unknown>, payload: Record<string, unknown>): Promise<string> {
  const info = await store.get(keyName);
  if (!info) throw new KeyStoreError('not_found', `no key ${keyName}`);
  if (info.alg !== 'ES256' && info.alg !== 'HS256') throw new KeyStoreError('wrong_alg', `key ${keyName} cannot sign`);
  const input = `${b64uJson({ ...header, alg: info.alg })}.${b64uJson(payload)}`;
  const sig = await store.sign(keyName, Buffer.from(input, 'latin1'));
  return `${input}.${Buffer.from(sig).toString('base64url')}`;
}

async function requireKey(store: KeyStore, name: string, alg: KeyInfo['alg'] | KeyInfo['alg'][]): Promise<KeyInfo> {
  const info = await store.get(name);
  const algs = Array.isArray(alg) ? alg : [alg];
  if (!info || !algs.includes(info.alg)) throw new KeyStoreError('not_found', `key ${name} (${algs.join('/')}) missing`);
  return info;
}

export interface RegistrationProofInput {
  /** Tenant authority, e.g. `http://localhost:8080/t1` (the proof's `aud`). */
  audience: string;
  /** A fresh server nonce (`POST {authority}/devices/nonce`). */
  nonce: string;
  deviceKey?: string;
  transportKey?: string;
  device?: { displayName?: string; operatingSystem?: string; operatingSystemVersion?: string; trustType?: 'Workplace' | 'AzureAD' };
  now?: number;
}

/**
 * Build the registration proof: self-signed by the device key (public key in the `jwk` header),
 * carrying the transport public key and the device description.
 *
 * @example
 * await store.generate('device', 'ES256'); await store.generate('transport', 'ECDH-ES+A256KW');
 * const proof = await buildRegistrationProof(store, { audience, nonce, device: { operatingSystem: 'Linux' } });
 */
export async function buildRegistrationProof(store: KeyStore, input: RegistrationProofInput): Promise<string> {
  const dk = await requireKey(store, input.deviceKey ?? 'device', 'ES256');
  const tk = await requireKey(store, input.transportKey ?? 'transport', ['ECDH-ES+A256KW', 'RSA-OAEP-256']);
  const iat = input.now ?? nowSec();
  return signWithKeyStore(store, dk.name, { typ: REGISTRATION_PROOF_TYP, jwk: dk.publicJwk }, {
    aud: input.audience,
    iat,
    exp: iat + PROOF_LIFETIME_SEC,
    jti: randomUUID(),
    nonce: input.nonce,
    transport_key: { ...tk.publicJwk, alg: tk.alg },
    device: input.device ?? {},
  });
}

export interface DeviceRequestInput {
  audience: string;
  nonce: string;
  deviceId: string;
  grant: 'password' | 'refresh_token' | 'session_renewal';
  /** Grant parameters: `username`, `password`, `otp`, `refresh_token`, `session_token`, `client_id`, `scope`. */
  params: Record<string, string | undefined>;
  deviceKey?: string;
  now?: number;
}

/**
 * Build a device-signed request for the token endpoint (`grant_type=urn:tessera:params:oauth:grant-type:device-request`).
 *
 * @example
 * const request = await buildDeviceRequest(store, { audience, nonce, deviceId, grant: 'password', params: { username, password, client_id } });
 */
export async function buildDeviceRequest(store: KeyStore, input: DeviceRequestInput): Promise<string> {
  const params = Object.fromEntries(Object.entries(input.params).filter(([, v]) => v !== undefined));
  return signByDevice(store, DEVICE_REQUEST_TYP, input, { ...params, grant: input.grant });
}

/** A JWS by the registered device key (`kid` = device id) with the claims every such message carries (§3.2); they win over `claims`. */
function signByDevice(store: KeyStore, typ: string, input: UnregisterProofInput, claims: Record<string, unknown>): Promise<string> {
  const iat = input.now ?? nowSec();
  return signWithKeyStore(store, input.deviceKey ?? 'device', { typ, kid: input.deviceId }, {
    ...claims,
    aud: input.audience,
    iat,
    exp: iat + PROOF_LIFETIME_SEC,
    jti: randomUUID(),
    nonce: input.nonce,
    device_id: input.deviceId,
  });
}

/** What every message signed by the registered device key needs: where to, the server nonce, which device. */
export interface UnregisterProofInput {
  /** Tenant authority (the proof's `aud`). */
  audience: string;
  /** A fresh server nonce (`POST {authority}/devices/nonce`). */
  nonce: string;
  deviceId: string;
  /** Key-store name of the device key (default `device`). */
  deviceKey?: string;
  now?: number;
}

/**
 * Build the proof that asks Tessera to remove this device (`POST {authority}/devices/unregister`),
 * signed by the device key over a server nonce.
 *
 * @example
 * const unregister_proof = await buildUnregisterProof(store, { audience, nonce, deviceId });
 */
export async function buildUnregisterProof(store: KeyStore, input: UnregisterProofInput): Promise<string> {
  return signByDevice(store, UNREGISTER_PROOF_TYP, input, {});
}

/**
 * Key-store name of a session key: one name per key id, so a rolled key never overwrites in place.
 *
 * @example
 * await store.delete(sessionKeyName(oldSession.sessionKeyId));
 */
export function sessionKeyName(sessionKeyId: string): string {
  return `sk-${sessionKeyId.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 60)}`;
}

/**
 * Unwrap the session key JWE from a login or renewal answer into the key store (it never leaves),
 * returning its key-store info; `info.kid` is the session key id.
 *
 * @example
 * const sk = await acceptSessionKey(store, { jwe: body.session_key_jwe, sessionKeyId: body.session_key_id });
 */
export async function acceptSessionKey(store: KeyStore, input: { jwe: string; sessionKeyId: string; transportKey?: string }): Promise<KeyInfo> {
  const name = sessionKeyName(input.sessionKeyId);
  const info = await store.importWrappedKey(input.transportKey ?? 'transport', input.jwe, name);
  if (info.kid !== input.sessionKeyId) {
    await store.delete(name);
    throw new KeyStoreError('corrupt', 'session key id in the JWE does not match the response');
  }
  return info;
}

export interface SessionProofInput {
  audience: string;
  nonce: string;
  sessionKeyId: string;
  sessionToken: string;
  clientId?: string;
  scope?: string;
  /** Thumbprint of the DPoP key the new tokens should be bound to. */
  dpopJkt?: string;
  now?: number;
}

/**
 * Build a session proof (HS256 under the session key) for `grant_type=urn:tessera:params:oauth:grant-type:session`.
 *
 * @example
 * const proof = await buildSessionProof(store, { audience, nonce, sessionKeyId, sessionToken, clientId, scope, dpopJkt });
 */
export async function buildSessionProof(store: KeyStore, input: SessionProofInput): Promise<string> {
  const iat = input.now ?? nowSec();
  const claims: Record<string, unknown> = {
    aud: input.audience,
    iat,
    exp: iat + PROOF_LIFETIME_SEC,
    jti: randomUUID(),
    nonce: input.nonce,
    sth: createHash('sha256').update(input.sessionToken, 'utf8').digest('base64url'),
  };
  if (input.clientId !== undefined) claims.client_id = input.clientId;
  if (input.scope !== undefined) claims.scope = input.scope;
  if (input.dpopJkt !== undefined) claims.dpop_jkt = input.dpopJkt;
  return signWithKeyStore(store, sessionKeyName(input.sessionKeyId), { typ: SESSION_PROOF_TYP, kid: input.sessionKeyId }, claims);
}
