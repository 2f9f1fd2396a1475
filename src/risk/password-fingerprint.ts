/**
 * Password fingerprints for spray detection. A spray is "many accounts, few passwords", so the detector needs to
 * know whether two attempts used the same password — not the password. HMAC-SHA256 with a key that lives only in
 * this process (or a key the operator shares across nodes) makes equal passwords comparable while an offline
 * dictionary attack on stored fingerprints needs the key. Fingerprints are truncated to 64 bits: collisions only
 * merge two passwords in a count, and a shorter value is worth less to anyone who reads memory.
 */
import { createHmac, randomBytes } from 'node:crypto';

export type PasswordFingerprinter = (password: string) => string;

export function createPasswordFingerprinter(key: Uint8Array = randomBytes(32)): PasswordFingerprinter {
  if (key.byteLength < 16) throw new RangeError('password fingerprint key must be at least 16 bytes');
  const k = Buffer.from(key);
  return (password) => createHmac('sha256', k).update(password, 'utf8').digest('base64url').slice(0, 11);
}
