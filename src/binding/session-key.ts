/**
 * Session keys of the device-bound sign-in session (Tessera's primary refresh token;
 * docs/token-protection.md §3.3–3.4).
 *
 * At login the server makes a random 256-bit key, sends it to the device as an encrypted JWK
 * (RFC 7517 §7: compact JWE, `cty: jwk+json`) to the device's transport key, and keeps it only
 * sealed under the master key. Every later request with the session token carries a session proof:
 * a JWS `HS256` under that key (`typ: tessera-session+jwt`, `kid` = session key id) over a server
 * nonce, checked in constant time. A hash of the key would not do: verifying an HMAC needs the key.
 */
import { Buffer } from 'node:buffer';
import { createHash, createSecretKey, randomBytes } from 'node:crypto';
import { CompactEncrypt, importJWK } from 'jose';
import { b64uEncode } from '../crypto/base64url.ts';
import { decodeCompactJws, checkJwsHeader, verifyJwsSignature } from '../crypto/jwt.ts';
import { jwkThumbprint } from '../crypto/jwk.ts';
import { checkProofClaims, proofError, type ProofClaimOptions } from './proof-claims.ts';
import type { TransportAlgorithm } from './device-proof.ts';

export const SESSION_PROOF_TYP = 'tessera-session+jwt';
const KEY_BYTES = 32;

/** The additional authenticated data a session key is sealed under (binds it to its id). */
export function sessionKeyAad(sessionKeyId: string): string {
  return `tessera-session-key:${sessionKeyId}`;
}

/** base64url(SHA-256(session token)): the `sth` claim binding a proof to the token it travels with. */
export function sessionTokenHash(sessionToken: string): string {
  return createHash('sha256').update(sessionToken, 'utf8').digest('base64url');
}

export interface IssueSessionKeyOptions {
  /** The transport key registered for the device (public JWK) and its declared algorithm. */
  transportJwk: Record<string, string>;
  transportAlg: TransportAlgorithm;
  /** Seals the raw key for storage (e.g. `createAesGcmSealer(master).seal`). */
  seal(rawKey: Uint8Array, aad: string): string | Promise<string>;
}

export interface IssuedSessionKey {
  /** Random id, the `kid` of later session proofs; store it on the session. */
  sessionKeyId: string;
  /** Compact JWE for the device: only the holder of the transport private key can open it. */
  encryptedForDevice: string;
  /** The key sealed for storage; the raw key is never returned. */
  sealedKey: string;
}

/**
 * Make a new session key for a device (at login and at every renewal, which rolls the key).
 *
 * @example
 * const sk = await issueSessionKey({ transportJwk: device.transportJwk, transportAlg: device.transportAlg, seal: sealer.seal });
 * await sessions.create({ ..., sessionKeyId: sk.sessionKeyId, sealedSessionKey: sk.sealedKey });
 * return { session_key_jwe: sk.encryptedForDevice, session_key_id: sk.sessionKeyId, ... };
 */
export async function issueSessionKey(opts: IssueSessionKeyOptions): Promise<IssuedSessionKey> {
  const raw = randomBytes(KEY_BYTES);
  const sessionKeyId = b64uEncode(randomBytes(16));
  try {
    const pub = await importJWK({ ...opts.transportJwk, alg: opts.transportAlg }, opts.transportAlg);
    const jwk = { kty: 'oct', k: raw.toString('base64url'), kid: sessionKeyId, alg: 'HS256', use: 'sig' };
    const encryptedForDevice = await new CompactEncrypt(Buffer.from(JSON.stringify(jwk), 'utf8'))
      // RFC 7516 §4.1: kid names the transport key; RFC 7517 §7: cty marks an encrypted JWK.
      .setProtectedHeader({ alg: opts.transportAlg, enc: 'A256GCM', cty: 'jwk+json', kid: jwkThumbprint(opts.transportJwk) })
      .encrypt(pub);
    const sealedKey = await opts.seal(raw, sessionKeyAad(sessionKeyId));
    return { sessionKeyId, encryptedForDevice, sealedKey };
  } finally {
    raw.fill(0);
  }
}

export interface SessionProofOptions extends ProofClaimOptions {
  /** The sealed key stored for `sessionKeyId`, or `undefined` when the id is unknown or rolled over. */
  loadSealedKey(sessionKeyId: string): string | undefined | Promise<string | undefined>;
  /** Opens a sealed key (e.g. `createAesGcmSealer(master).unseal`); `undefined` if it does not open. */
  unseal(sealed: string, aad: string): Uint8Array | undefined | Promise<Uint8Array | undefined>;
  /** The session token sent with the proof: `sth` must hash it. */
  sessionToken: string;
  /** Request parameters the proof must repeat, when the request has them. */
  expect?: { clientId?: string; scope?: string; dpopJkt?: string };
}

export interface SessionProofResult {
  sessionKeyId: string;
  jti: string;
  claims: Record<string, unknown>;
}

/**
 * Verify a session proof sent as `grant_type=urn:tessera:params:oauth:grant-type:session`,
 * `session_token=…`, `proof=<jwt>` (docs/token-protection.md §3.4).
 *
 * @example
 * const p = await verifySessionProof(form.proof, {
 *   sessionToken: form.session_token, audience, nonce, replay, now,
 *   loadSealedKey: (kid) => (kid === session.sessionKeyId ? session.sealedSessionKey : undefined),
 *   unseal: sealer.unseal, expect: { clientId: form.client_id, scope: form.scope, dpopJkt },
 * });
 */
export async function verifySessionProof(proof: unknown, opts: SessionProofOptions): Promise<SessionProofResult> {
  const bad = (d: string, detail?: string) => proofError('token', 'session_proof_invalid', d, detail);
  let decoded;
  try {
    decoded = decodeCompactJws(proof, 8 * 1024);
    checkJwsHeader(decoded.header, { algorithms: ['HS256'], typ: SESSION_PROOF_TYP });
  } catch (e) {
    throw bad('session proof malformed', (e as Error).message);
  }
  const kid = decoded.header.kid;
  if (typeof kid !== 'string' || kid.length === 0 || kid.length > 128) throw bad('session proof kid missing');
  const sealed = await opts.loadSealedKey(kid);
  if (sealed === undefined) throw proofError('token', 'session_key_unknown', 'session key unknown or rolled over', kid);
  const raw = await opts.unseal(sealed, sessionKeyAad(kid));
  if (!raw || raw.byteLength !== KEY_BYTES) throw proofError('token', 'session_key_unknown', 'session key cannot be opened', kid);
  const key = createSecretKey(raw);
  // HS256 check compares MACs with timingSafeEqual (crypto/jwt.ts).
  if (!verifyJwsSignature('HS256', key, decoded.signingInput, decoded.signature)) throw bad('session proof signature invalid');
  const { payload } = decoded;
  if (payload.sth !== sessionTokenHash(opts.sessionToken)) throw bad('session proof is for another session token');
  const e = opts.expect ?? {};
  if (e.clientId !== undefined && payload.client_id !== e.clientId) throw bad('session proof client_id mismatch');
  if (e.scope !== undefined && payload.scope !== e.scope) throw bad('session proof scope mismatch');
  if (e.dpopJkt !== undefined && payload.dpop_jkt !== e.dpopJkt) throw bad('session proof dpop_jkt mismatch');
  const { jti } = await checkProofClaims(payload, `sess:${kid}`, opts, 'token', 'session_proof_invalid');
  return { sessionKeyId: kid, jti, claims: payload };
}
