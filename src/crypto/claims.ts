/**
 * Registered-claim checks of RFC 7519 §4.1 for verified JWT payloads: `exp`, `nbf`, `iat`,
 * `iss`, `aud`. Pure functions; the caller maps `ClaimError.code` to its protocol error.
 */

export type ClaimErrorCode = 'expired' | 'not_yet_valid' | 'bad_iss' | 'bad_aud' | 'missing_claim' | 'bad_claim';

export class ClaimError extends Error {
  override readonly name = 'ClaimError';
  constructor(readonly code: ClaimErrorCode, message: string) {
    super(message);
  }
}

/** RFC 7519 §2 NumericDate: a finite number of seconds. */
export function isNumericDate(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 && v < 1e11;
}

export interface ClaimCheckOptions {
  /** Current time in seconds. */
  now: number;
  /** Tolerance for exp/nbf/iat against clocks that disagree (seconds). */
  clockSkewSec?: number;
  issuer?: string | readonly string[];
  /** The token's `aud` (string or array) must contain one of these. */
  audience?: string | readonly string[];
  /** Require `exp` (default true). */
  requireExp?: boolean;
}

/**
 * Check `exp`, `nbf`, `iat`, `iss`, `aud` of a verified payload.
 *
 * @example
 * checkRegisteredClaims(payload, { now: Math.floor(Date.now() / 1000), issuer, audience: 'api://orders', clockSkewSec: 60 });
 */
export function checkRegisteredClaims(payload: Record<string, unknown>, opts: ClaimCheckOptions): void {
  const skew = opts.clockSkewSec ?? 0;
  const { exp, nbf, iat } = payload;
  if (exp === undefined) {
    if (opts.requireExp !== false) throw new ClaimError('missing_claim', 'exp missing');
  } else {
    if (!isNumericDate(exp)) throw new ClaimError('bad_claim', 'exp is not a NumericDate');
    // RFC 7519 §4.1.4: the token MUST NOT be accepted on or after exp.
    if (opts.now >= exp + skew) throw new ClaimError('expired', 'token expired');
  }
  if (nbf !== undefined) {
    if (!isNumericDate(nbf)) throw new ClaimError('bad_claim', 'nbf is not a NumericDate');
    if (opts.now + skew < nbf) throw new ClaimError('not_yet_valid', 'token not yet valid');
  }
  if (iat !== undefined && !isNumericDate(iat)) throw new ClaimError('bad_claim', 'iat is not a NumericDate');
  if (opts.issuer !== undefined) {
    const ok = typeof opts.issuer === 'string' ? payload.iss === opts.issuer : opts.issuer.includes(payload.iss as string);
    if (!ok || typeof payload.iss !== 'string') throw new ClaimError('bad_iss', 'issuer mismatch');
  }
  if (opts.audience !== undefined) {
    const want = typeof opts.audience === 'string' ? [opts.audience] : opts.audience;
    const aud = payload.aud;
    const have = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud.filter((a): a is string => typeof a === 'string') : [];
    if (!have.some((a) => want.includes(a))) throw new ClaimError('bad_aud', 'audience mismatch');
  }
}
