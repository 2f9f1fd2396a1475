/**
 * Sealing server-held secrets (session keys) under a master key: AES-256-GCM with a random
 * 96-bit IV (NIST SP 800-38D §8.2.2) and the record's identity as additional authenticated data,
 * so a sealed value copied to another row (another session key id) fails to open.
 *
 * Wire form: `v1.` + base64url(iv[12] || tag[16] || ciphertext).
 */
import { Buffer } from 'node:buffer';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { isB64u } from '../crypto/base64url.ts';

export interface Sealer {
  seal(plaintext: Uint8Array, aad: string): string;
  /** Returns `undefined` when the value was not sealed by this key for this `aad`. */
  unseal(sealed: string, aad: string): Buffer | undefined;
}

/**
 * @example
 * const sealer = createAesGcmSealer(masterKey); // 32 bytes from the master key file or env
 * const row = { id, sealed: sealer.seal(secret, `session-key:${id}`) };
 */
export function createAesGcmSealer(masterKey: Uint8Array): Sealer {
  if (masterKey.byteLength !== 32) throw new TypeError('master key must be 32 bytes');
  const key = Buffer.from(masterKey);
  return {
    seal(plaintext, aad) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      c.setAAD(Buffer.from(aad, 'utf8'));
      const ct = Buffer.concat([c.update(plaintext), c.final()]);
      return `v1.${Buffer.concat([iv, c.getAuthTag(), ct]).toString('base64url')}`;
    },
    unseal(sealed, aad) {
      if (typeof sealed !== 'string' || !sealed.startsWith('v1.') || sealed.length > 4096) return undefined;
      const body = sealed.slice(3);
      if (!isB64u(body)) return undefined;
      const raw = Buffer.from(body, 'base64url');
      if (raw.length < 28) return undefined;
      try {
        const d = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
        d.setAAD(Buffer.from(aad, 'utf8'));
        d.setAuthTag(raw.subarray(12, 28));
        return Buffer.concat([d.update(raw.subarray(28)), d.final()]);
      } catch {
        return undefined;
      }
    },
  };
}
