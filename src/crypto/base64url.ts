/**
 * Strict base64url (RFC 4648 §5, no padding, as JWS requires in RFC 7515 §2).
 *
 * `Buffer.from(s, 'base64url')` silently skips characters outside the alphabet, so a token with
 * junk in it would decode to *something*; every decoder here checks the alphabet first.
 */
import { Buffer } from 'node:buffer';

const ALPHABET = /^[A-Za-z0-9_-]*$/;

/** Encode bytes (or a UTF-8 string) as unpadded base64url. */
export function b64uEncode(data: Uint8Array | string): string {
  return (typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data.buffer, data.byteOffset, data.byteLength)).toString('base64url');
}

/** True when `s` is well-formed unpadded base64url (alphabet and length mod 4 ≠ 1). */
export function isB64u(s: string): boolean {
  return ALPHABET.test(s) && s.length % 4 !== 1;
}

/** Decode unpadded base64url; throws `TypeError` on anything else. */
export function b64uDecode(s: string): Buffer {
  if (typeof s !== 'string' || !isB64u(s)) throw new TypeError('invalid base64url');
  return Buffer.from(s, 'base64url');
}

/** Encode a JSON value as base64url(UTF-8(JSON)). */
export function b64uJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}
