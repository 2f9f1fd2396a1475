/**
 * Software key operations shared by the software key stores: key generation, JWS signatures,
 * JWE decryption and unwrapping of session keys. A hardware store does these inside the chip.
 */
import { Buffer } from 'node:buffer';
import { createHmac, generateKeyPairSync, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { compactDecrypt } from 'jose';
import { exportPublicJwk } from '../../src/crypto/jwk.ts';
import { KeyStoreError, type GeneratedKeyAlgorithm, type KeyAlgorithm } from './key-store.ts';

/** A new key pair for `alg`: P-256 for ES256 and ECDH-ES+A256KW, RSA-2048 for RSA-OAEP-256. */
export function generateFor(alg: GeneratedKeyAlgorithm): { privateKey: KeyObject; publicJwk: Record<string, string> } {
  let pair;
  if (alg === 'ES256' || alg === 'ECDH-ES+A256KW') pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  else if (alg === 'RSA-OAEP-256') pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  else throw new KeyStoreError('wrong_alg', `cannot generate ${String(alg)}`);
  return { privateKey: pair.privateKey, publicJwk: exportPublicJwk(pair.publicKey) };
}

/** JWS signature bytes: ES256 as `R || S` (RFC 7518 §3.4), HS256 as the MAC. */
export function signWith(name: string, alg: KeyAlgorithm, key: KeyObject, data: Uint8Array): Uint8Array {
  if (alg === 'ES256') return cryptoSign('sha256', data, { key, dsaEncoding: 'ieee-p1363' });
  if (alg === 'HS256') return createHmac('sha256', key).update(data).digest();
  throw new KeyStoreError('wrong_alg', `key ${name} (${alg}) cannot sign`);
}

/** Decrypt a compact JWE with a transport key (A256GCM content encryption only). */
export async function decryptWith(name: string, alg: KeyAlgorithm, key: KeyObject, jwe: string): Promise<Uint8Array> {
  if (alg !== 'ECDH-ES+A256KW' && alg !== 'RSA-OAEP-256') throw new KeyStoreError('wrong_alg', `key ${name} (${alg}) cannot decrypt`);
  try {
    const { plaintext } = await compactDecrypt(jwe, key, { keyManagementAlgorithms: [alg], contentEncryptionAlgorithms: ['A256GCM'] });
    return plaintext;
  } catch {
    throw new KeyStoreError('decrypt_failed', 'JWE does not decrypt with this key');
  }
}

/** Parse an unwrapped session key: a 256-bit HS256 `oct` JWK (RFC 7517 §7). The input is zeroed. */
export function parseWrappedSecret(plaintext: Uint8Array): { raw: Buffer; kid?: string } {
  const plain = Buffer.from(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength);
  let jwk: Record<string, unknown>;
  try {
    jwk = JSON.parse(plain.toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new KeyStoreError('decrypt_failed', 'wrapped key is not a JWK');
  } finally {
    plain.fill(0);
  }
  if (jwk.kty !== 'oct' || jwk.alg !== 'HS256' || typeof jwk.k !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(jwk.k)) {
    throw new KeyStoreError('wrong_alg', 'wrapped key must be a 256-bit HS256 oct JWK');
  }
  const out: { raw: Buffer; kid?: string } = { raw: Buffer.from(jwk.k, 'base64url') };
  if (typeof jwk.kid === 'string' && jwk.kid.length <= 128) out.kid = jwk.kid;
  return out;
}
