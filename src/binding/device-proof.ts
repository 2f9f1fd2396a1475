/**
 * Proofs made with the device key (docs/token-protection.md §3.1–3.2):
 *
 * - the registration proof, `typ: tessera-device-registration+jwt`, self-signed by the new device
 *   key (public key in the `jwk` header, like DPoP) over a server nonce; it also carries the
 *   transport key, so the device key vouches for it;
 * - the device request, `typ: tessera-device-request+jwt`, signed by the registered device key
 *   (`kid` = device id), which carries a sign-in (password, refresh token, or session renewal) to the
 *   token endpoint.
 */
import type { KeyObject } from 'node:crypto';
import { decodeCompactJws, keyFitsAlgorithm, verifyJwsSignature, checkJwsHeader, JwsError } from '../crypto/jwt.ts';
import { canonicalPublicJwk, JwkError, jwkThumbprint, PublicKeyCache } from '../crypto/jwk.ts';
import { checkProofClaims, proofError, type ProofClaimOptions } from './proof-claims.ts';

export const REGISTRATION_PROOF_TYP = 'tessera-device-registration+jwt';
export const DEVICE_REQUEST_TYP = 'tessera-device-request+jwt';
/** Key-management algorithms a transport key may declare (RFC 7518 §4.6, §4.3). */
export type TransportAlgorithm = 'ECDH-ES+A256KW' | 'RSA-OAEP-256';

/** Device properties a registering device may state; admins may change them later. */
export interface DeviceDescription {
  displayName?: string;
  operatingSystem?: string;
  operatingSystemVersion?: string;
  /** Requested join type: `Workplace` (registered) or `AzureAD` (joined, needs an enrollment token). */
  trustType?: 'Workplace' | 'AzureAD';
}

export interface RegistrationProofResult {
  /** Public device key, canonical JWK, and its RFC 7638 thumbprint. */
  deviceJwk: Record<string, string>;
  deviceKeyJkt: string;
  transportJwk: Record<string, string>;
  transportAlg: TransportAlgorithm;
  transportKeyJkt: string;
  device: DeviceDescription;
  jti: string;
}

const keyCache = new PublicKeyCache(1000);
const MAX_PROOF = 16 * 1024;

function str(v: unknown, max = 256): string | undefined {
  return typeof v === 'string' && v.length > 0 && v.length <= max ? v : undefined;
}

function parseDevice(v: unknown): DeviceDescription {
  if (v === undefined) return {};
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new TypeError('device must be an object');
  const d = v as Record<string, unknown>;
  const out: DeviceDescription = {};
  for (const k of ['displayName', 'operatingSystem', 'operatingSystemVersion'] as const) {
    if (d[k] === undefined) continue;
    const s = str(d[k]);
    if (s === undefined) throw new TypeError(`device.${k} must be a string of 1 to 256 characters`);
    out[k] = s;
  }
  if (d.trustType !== undefined) {
    if (d.trustType !== 'Workplace' && d.trustType !== 'AzureAD') throw new TypeError('device.trustType must be Workplace or AzureAD');
    out.trustType = d.trustType;
  }
  return out;
}

/**
 * Verify a registration proof (docs/token-protection.md §3.1). Proves the caller holds the private
 * half of the device key it registers; the transport key is accepted because the device key signed it.
 * The caller (registration endpoint) must still authenticate the user or enrollment token.
 *
 * @example
 * const reg = await verifyRegistrationProof(body.registration_proof, { audience: `${origin}/${tenantId}`, nonce, replay, now });
 * await devices.create({ deviceKeyJkt: reg.deviceKeyJkt, deviceJwk: reg.deviceJwk, transportJwk: reg.transportJwk, ... });
 */
export async function verifyRegistrationProof(proof: unknown, opts: ProofClaimOptions): Promise<RegistrationProofResult> {
  const bad = (d: string, detail?: string) => proofError('registration', 'device_proof_invalid', d, detail);
  let decoded;
  try {
    decoded = decodeCompactJws(proof, MAX_PROOF);
    checkJwsHeader(decoded.header, { algorithms: ['ES256'], typ: REGISTRATION_PROOF_TYP });
  } catch (e) {
    throw bad('registration proof malformed', (e as Error).message);
  }
  const { header, payload } = decoded;
  let dk;
  try {
    dk = keyCache.get(header.jwk);
  } catch (e) {
    throw bad('device key invalid', (e as Error).message);
  }
  if (!keyFitsAlgorithm('ES256', dk.key)) throw bad('device key must be an EC P-256 key');
  if (!verifyJwsSignature('ES256', dk.key, decoded.signingInput, decoded.signature)) throw bad('registration proof signature invalid');

  const tk = payload.transport_key as Record<string, unknown> | undefined;
  let transportJwk: Record<string, string>;
  try {
    transportJwk = canonicalPublicJwk(tk);
  } catch (e) {
    throw bad('transport key invalid', e instanceof JwkError ? e.message : undefined);
  }
  const transportAlg = tk?.alg;
  const fits =
    (transportAlg === 'ECDH-ES+A256KW' && transportJwk.kty === 'EC' && transportJwk.crv === 'P-256') ||
    (transportAlg === 'RSA-OAEP-256' && transportJwk.kty === 'RSA');
  if (!fits) throw bad('transport key alg must be ECDH-ES+A256KW (P-256) or RSA-OAEP-256 (RSA)');
  const transportKeyJkt = jwkThumbprint(transportJwk);
  if (transportKeyJkt === dk.jkt) throw bad('transport key must differ from the device key');
  let device: DeviceDescription;
  try {
    device = parseDevice(payload.device);
  } catch (e) {
    throw bad('device description invalid', (e as Error).message);
  }
  const { jti } = await checkProofClaims(payload, `reg:${dk.jkt}`, opts, 'registration', 'device_proof_invalid');
  return { deviceJwk: dk.jwk, deviceKeyJkt: dk.jkt, transportJwk, transportAlg: transportAlg as TransportAlgorithm, transportKeyJkt, device, jti };
}

/** What a device request asks for (docs/token-protection.md §3.2). */
export type DeviceGrant = 'password' | 'refresh_token' | 'session_renewal';

export interface DeviceRequestResult {
  deviceId: string;
  grant: DeviceGrant;
  /** All verified claims: `username`, `password`, `otp`, `refresh_token`, `session_token`, `client_id`, `scope`, … */
  claims: Record<string, unknown>;
  jti: string;
}

export interface DeviceRequestOptions extends ProofClaimOptions {
  /**
   * The registered public device key of `deviceId` (a JWK as stored at registration, or an
   * imported KeyObject), or `undefined` when no such device exists. Device state (enabled,
   * deleted) is the caller's check.
   */
  getDeviceKey(deviceId: string): Promise<KeyObject | Record<string, unknown> | undefined> | KeyObject | Record<string, unknown> | undefined;
}

/**
 * Verify a device-signed request JWT sent to the token endpoint as
 * `grant_type=urn:tessera:params:oauth:grant-type:device-request`, `request=<jwt>`.
 *
 * @example
 * const r = await verifyDeviceRequest(form.request, { audience, nonce, replay, now, getDeviceKey: (id) => devices.publicKey(id) });
 * if (r.grant === 'password') await signIn(r.claims.username, r.claims.password, r.claims.otp);
 */
export async function verifyDeviceRequest(request: unknown, opts: DeviceRequestOptions): Promise<DeviceRequestResult> {
  const bad = (d: string, detail?: string) => proofError('token', 'device_proof_invalid', d, detail);
  let decoded;
  try {
    decoded = decodeCompactJws(request, MAX_PROOF);
    checkJwsHeader(decoded.header, { algorithms: ['ES256'], typ: DEVICE_REQUEST_TYP });
  } catch (e) {
    throw bad('device request malformed', e instanceof JwsError ? e.message : undefined);
  }
  const { header, payload } = decoded;
  const deviceId = str(header.kid, 128);
  if (!deviceId || payload.device_id !== deviceId) throw bad('device request kid must equal device_id');
  const found = await opts.getDeviceKey(deviceId);
  if (!found) throw proofError('token', 'device_unknown', 'device not registered', deviceId);
  let key: KeyObject;
  try {
    key = isKeyObject(found) ? found : keyCache.get(found).key;
  } catch (e) {
    throw bad('stored device key invalid', (e as Error).message);
  }
  if (!keyFitsAlgorithm('ES256', key) || !verifyJwsSignature('ES256', key, decoded.signingInput, decoded.signature)) {
    throw bad('device request signature invalid');
  }
  const grant = payload.grant;
  if (grant !== 'password' && grant !== 'refresh_token' && grant !== 'session_renewal') throw bad('device request grant invalid');
  const { jti } = await checkProofClaims(payload, `dev:${deviceId}`, opts, 'token', 'device_proof_invalid');
  return { deviceId, grant, claims: payload, jti };
}

function isKeyObject(v: unknown): v is KeyObject {
  return typeof v === 'object' && v !== null && typeof (v as KeyObject).asymmetricKeyType === 'string' && typeof (v as KeyObject).export === 'function';
}
