/**
 * ES256 JWTs and DPoP proofs with node:crypto only (IEEE P1363 signatures), for the bare limit
 * server and for load clients that must build a fresh DPoP proof per request.
 */
import { createHash, createPrivateKey, generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import type { JsonWebKey, KeyObject } from 'node:crypto';

export const b64u = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

export interface Es256Key {
  privateKey: KeyObject;
  publicJwk: { kty: 'EC'; crv: 'P-256'; x: string; y: string };
  kid: string;
}

export function es256KeyFromJwk(jwk: JsonWebKey): Es256Key {
  const privateKey = createPrivateKey({ key: jwk, format: 'jwk' });
  const publicJwk = { kty: 'EC' as const, crv: 'P-256' as const, x: String(jwk.x), y: String(jwk.y) };
  return { privateKey, publicJwk, kid: jwkThumbprint(publicJwk) };
}

export function generateEs256Key(): Es256Key {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return es256KeyFromJwk(privateKey.export({ format: 'jwk' }));
}

/** RFC 7638 thumbprint of an EC public key. */
export function jwkThumbprint(jwk: { crv: string; kty: string; x: string; y: string }): string {
  const canonical = `{"crv":"${jwk.crv}","kty":"${jwk.kty}","x":"${jwk.x}","y":"${jwk.y}"}`;
  return createHash('sha256').update(canonical).digest('base64url');
}

export function signJwt(header: Record<string, unknown>, payload: Record<string, unknown>, key: KeyObject): string {
  const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(payload))}`;
  const sig = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${sig.toString('base64url')}`;
}

/** An RFC 9449 DPoP proof for `htm` `htu`, optionally with a server nonce and access-token hash. */
export function dpopProof(key: Es256Key, htm: string, htu: string, extra: { nonce?: string; ath?: string } = {}): string {
  const payload: Record<string, unknown> = { jti: randomUUID(), htm, htu, iat: Math.floor(Date.now() / 1000) };
  if (extra.nonce) payload.nonce = extra.nonce;
  if (extra.ath) payload.ath = extra.ath;
  return signJwt({ typ: 'dpop+jwt', alg: 'ES256', jwk: key.publicJwk }, payload, key.privateKey);
}
