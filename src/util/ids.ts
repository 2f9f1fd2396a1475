import { createHash, randomBytes, randomUUID, timingSafeEqual, createHmac } from 'node:crypto';

/** A random GUID (RFC 9562 v4), the shape of every Entra object id. */
export const newId = (): string => randomUUID();

// Random bytes are drawn from a pool refilled 4 KiB at a time: one getrandom call per ~128 secrets
// instead of one per secret (the token endpoint mints one or two per request).
const POOL_SIZE = 4096;
let pool = Buffer.alloc(0);
let poolOffset = 0;

function random(n: number): Buffer {
  if (n > POOL_SIZE) return randomBytes(n);
  if (poolOffset + n > pool.length) {
    pool = randomBytes(POOL_SIZE);
    poolOffset = 0;
  }
  const out = Buffer.from(pool.subarray(poolOffset, poolOffset + n));
  // Used bytes are overwritten so they never linger in the pool after being handed out.
  pool.fill(0, poolOffset, poolOffset + n);
  poolOffset += n;
  return out;
}

/** A high-entropy opaque secret (256 bits by default), base64url. Used for codes, refresh tokens, client secrets. */
export function newSecret(bytes = 32): string {
  return random(bytes).toString('base64url');
}

/** SHA-256 of a high-entropy secret, base64url. High-entropy values need no slow KDF (DESIGN.md). */
export function sha256(value: string | Buffer): string {
  return createHash('sha256').update(value).digest('base64url');
}

export function hmacSha256(key: Buffer | string, value: string): string {
  return createHmac('sha256', key).update(value).digest('base64url');
}

/** Constant-time string comparison; unequal lengths compare a digest so timing leaks nothing either. */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  if (ab.length !== bb.length) {
    timingSafeEqual(createHash('sha256').update(ab).digest(), createHash('sha256').update(bb).digest());
    return false;
  }
  return timingSafeEqual(ab, bb);
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isGuid = (s: string): boolean => GUID.test(s);

/** A GUID derived from a name (stable ids for built-in objects such as directory roles per tenant). */
export function nameBasedId(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}
