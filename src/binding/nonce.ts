/**
 * Stateless server nonces (RFC 9449 §8 for DPoP; the same construction serves device registration
 * and session proofs). A nonce is
 *
 *     base64url( bucket:uint32be || HMAC-SHA256(secret, label || 0x00 || context || 0x00 || bucket)[0..16] )
 *
 * where `bucket = floor(now / periodSec)`. It is valid in its own bucket and the next one, so a
 * nonce lives between `periodSec` and `2 * periodSec`. No storage, so every node of a cluster that
 * shares the secret accepts every other node's nonces. A nonce is not single-use (the proof's `jti`
 * is); it proves the proof was made after the server handed the nonce out, which bounds how far
 * ahead an attacker with brief access to the key can pre-compute proofs (RFC 9449 §11.2).
 *
 * `label` separates uses (a DPoP nonce is not a device-registration nonce); `context` can bind
 * nonces to one audience (e.g. the token endpoint vs. a resource server).
 */
import { Buffer } from 'node:buffer';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { isB64u } from '../crypto/base64url.ts';

export type NonceCheck = 'valid' | 'stale' | 'invalid';

export interface NonceService {
  /** The nonce to hand out now (same value for the whole bucket). */
  current(nowSec: number): string;
  /** `valid`: issued in this or the previous bucket; `stale`: well-formed but older; `invalid`: not ours. */
  check(nonce: unknown, nowSec: number): NonceCheck;
  /** True when `nonce` is from the current bucket (no need to send a new one). */
  isCurrent(nonce: string, nowSec: number): boolean;
}

export interface HmacNonceOptions {
  /**
   * Secrets, newest first: nonces are issued with the first and accepted under any (rotation).
   * At least 32 bytes each.
   */
  secrets: readonly Uint8Array[];
  /** Domain separation: `dpop`, `device-registration`, `session`. */
  label: string;
  /** Optional binding, e.g. the resource's audience. */
  context?: string;
  /** Bucket length in seconds (default 300: nonces live 5 to 10 minutes). */
  periodSec?: number;
}

const MAC_BYTES = 16;

/**
 * @example
 * const nonces = createHmacNonceService({ secrets: [secret], label: 'dpop' });
 * res.setHeader('DPoP-Nonce', nonces.current(nowSec));
 */
export function createHmacNonceService(opts: HmacNonceOptions): NonceService {
  if (!opts.secrets.length || opts.secrets.some((s) => s.byteLength < 32)) throw new TypeError('nonce secrets must be at least 32 bytes');
  const period = opts.periodSec ?? 300;
  if (!(period >= 1)) throw new TypeError('periodSec must be >= 1');
  const prefix = Buffer.from(`${opts.label}\0${opts.context ?? ''}\0`, 'utf8');
  let cached: { bucket: number; value: string } | undefined;

  function mac(secret: Uint8Array, bucket: number): Buffer {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(bucket >>> 0);
    return createHmac('sha256', secret).update(prefix).update(b).digest().subarray(0, MAC_BYTES);
  }
  function make(bucket: number): string {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(bucket >>> 0);
    return Buffer.concat([b, mac(opts.secrets[0]!, bucket)]).toString('base64url');
  }
  const bucketOf = (nowSec: number) => Math.floor(nowSec / period);

  return {
    current(nowSec) {
      const bucket = bucketOf(nowSec);
      if (cached?.bucket !== bucket) cached = { bucket, value: make(bucket) };
      return cached.value;
    },
    check(nonce, nowSec) {
      // 4 + 16 bytes = 27 base64url characters
      if (typeof nonce !== 'string' || nonce.length !== 27 || !isB64u(nonce)) return 'invalid';
      const raw = Buffer.from(nonce, 'base64url');
      const bucket = raw.readUInt32BE(0);
      const given = raw.subarray(4);
      if (!opts.secrets.some((s) => timingSafeEqual(mac(s, bucket), given))) return 'invalid';
      const now = bucketOf(nowSec) >>> 0;
      if (bucket === now || bucket === ((now - 1) >>> 0)) return 'valid';
      return 'stale';
    },
    isCurrent(nonce, nowSec) {
      return nonce === this.current(nowSec);
    },
  };
}
