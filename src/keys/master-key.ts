/**
 * The master key seals secrets at rest (signing keys, TOTP seeds, session keys): AES-256-GCM with a
 * random 96-bit IV per value. It comes from TESSERA_MASTER_KEY, or a file in the data folder created
 * on first start with mode 0600 (owner-only). Losing it makes sealed values unreadable, by design.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Sealer {
  seal(plaintext: string | Buffer, aad?: string): string;
  unseal(sealed: string, aad?: string): Buffer;
}

export class MasterKeyError extends Error {
  override readonly name = 'MasterKeyError';
}

function parseKey(b64: string, where: string): Buffer {
  const key = Buffer.from(b64.trim(), 'base64');
  if (key.length !== 32) throw new MasterKeyError(`${where} must be 32 bytes of base64 (got ${key.length} bytes)`);
  return key;
}

/** Resolves the master key: explicit value, else `<dataDir>/master.key` (created owner-only if absent). */
export function loadMasterKey(explicit: string | undefined, dataDir: string): Buffer {
  if (explicit) return parseKey(explicit, 'TESSERA_MASTER_KEY');
  const file = join(dataDir, 'master.key');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(file, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  }
  const mode = statSync(file).mode & 0o777;
  if (mode & 0o077) chmodSync(file, 0o600); // never leave the key readable by others
  return parseKey(readFileSync(file, 'utf8'), file);
}

/** `v1.<iv>.<tag>.<ciphertext>` in base64url; `aad` binds a sealed value to its purpose (e.g. the kid). */
export function createSealer(key: Buffer): Sealer {
  return {
    seal(plaintext, aad) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      if (aad) c.setAAD(Buffer.from(aad));
      const ct = Buffer.concat([c.update(plaintext), c.final()]);
      return ['v1', iv.toString('base64url'), c.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.');
    },
    unseal(sealed, aad) {
      const [v, iv, tag, ct] = sealed.split('.');
      if (v !== 'v1' || !iv || !tag || ct === undefined) throw new MasterKeyError('sealed value is malformed');
      const d = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      if (aad) d.setAAD(Buffer.from(aad));
      d.setAuthTag(Buffer.from(tag, 'base64url'));
      try {
        return Buffer.concat([d.update(Buffer.from(ct, 'base64url')), d.final()]);
      } catch {
        throw new MasterKeyError('sealed value does not open with this master key');
      }
    },
  };
}
