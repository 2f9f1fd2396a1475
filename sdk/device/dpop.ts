/**
 * Client-side DPoP proofs (RFC 9449 §4.2) signed through the `KeyStore`.
 */
import { createHash, randomUUID, type KeyObject } from 'node:crypto';
import { signJws } from '../../src/crypto/jwt.ts';
import { exportPublicJwk } from '../../src/crypto/jwk.ts';
import { KeyStoreError, type KeyStore } from './key-store.ts';
import { signWithKeyStore } from './proofs.ts';

export interface DpopProofInput {
  method: string;
  /** Request URL; query and fragment are removed as §4.2 requires for `htu`. */
  url: string;
  /** When calling a resource with a bound token: adds `ath` = base64url(SHA-256(token)). */
  accessToken?: string;
  /** The latest `DPoP-Nonce` the server sent (§8). */
  nonce?: string;
  /** Key-store name of the DPoP key (default `dpop`). */
  key?: string;
  now?: number;
}

/**
 * Build a DPoP proof JWT for one request.
 *
 * @example
 * const proof = await createDpopProof(store, { method: 'GET', url: 'https://api.example/orders', accessToken, nonce });
 * await fetch(url, { headers: { Authorization: `DPoP ${accessToken}`, DPoP: proof } });
 */
export async function createDpopProof(store: KeyStore, input: DpopProofInput): Promise<string> {
  const name = input.key ?? 'dpop';
  const info = await store.get(name);
  if (!info || info.alg !== 'ES256' || !info.publicJwk) throw new KeyStoreError('not_found', `DPoP key ${name} missing`);
  return signWithKeyStore(store, name, { typ: 'dpop+jwt', jwk: info.publicJwk }, dpopClaims(input));
}

/** RFC 9449 §4.2 claims for one request. */
function dpopClaims(input: DpopProofInput): Record<string, unknown> {
  const u = new URL(input.url);
  const claims: Record<string, unknown> = {
    jti: randomUUID(),
    htm: input.method,
    htu: `${u.protocol}//${u.host}${u.pathname}`,
    iat: input.now ?? Math.floor(Date.now() / 1000),
  };
  if (input.accessToken !== undefined) claims.ath = createHash('sha256').update(input.accessToken, 'latin1').digest('base64url');
  if (input.nonce !== undefined) claims.nonce = input.nonce;
  return claims;
}

const jwkCache = new WeakMap<KeyObject, Record<string, string>>();

/**
 * Build a DPoP proof with an in-memory ES256 private key, for clients without a key store
 * (tests, benchmarks, server-side clients).
 *
 * @example
 * const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
 * const proof = createDpopProofWithKey(privateKey, { method: 'POST', url: tokenEndpoint, nonce });
 */
export function createDpopProofWithKey(privateKey: KeyObject, input: Omit<DpopProofInput, 'key'>): string {
  let jwk = jwkCache.get(privateKey);
  if (!jwk) {
    jwk = exportPublicJwk(privateKey);
    jwkCache.set(privateKey, jwk);
  }
  return signJws({ alg: 'ES256', typ: 'dpop+jwt', jwk }, dpopClaims(input), privateKey);
}
