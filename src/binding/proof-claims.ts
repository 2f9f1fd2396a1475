/**
 * Claim rules shared by Tessera's device-protocol proofs (registration proof, device-signed login
 * request, session proof; docs/token-protection.md §3): audience, freshness, server nonce and
 * one-time `jti`. DPoP has its own rules (dpop.ts) because RFC 9449 fixes them.
 */
import { isNumericDate } from '../crypto/claims.ts';
import { InvalidGrant, InvalidRequest, OAuthError } from '../errors/oauth.ts';
import type { NonceService } from './nonce.ts';
import type { ReplayCache } from './replay-cache.ts';

/** Stable machine-readable reasons, sent as `suberror` (docs/token-protection.md §7). */
export type DeviceProofSuberror =
  | 'device_proof_invalid'
  | 'device_proof_replayed'
  | 'device_nonce_required'
  | 'device_unknown'
  | 'session_proof_invalid'
  | 'session_key_unknown';

/** Entra's AADSTS50155, "Device authentication failed", for every failed device/session proof. */
export const AADSTS_DEVICE_AUTH_FAILED = 50155;

/** Where a proof is checked: the registration endpoint (`invalid_request`) or the token endpoint (`invalid_grant`). */
export type ProofEndpoint = 'registration' | 'token';

export function proofError(
  endpoint: ProofEndpoint,
  suberror: DeviceProofSuberror,
  description: string,
  detail?: string,
  extra: Record<string, unknown> = {},
  headers?: Record<string, string>,
): OAuthError {
  const Ctor = endpoint === 'registration' ? InvalidRequest : InvalidGrant;
  return new Ctor(description, {
    aadsts: suberror === 'device_nonce_required' ? undefined : AADSTS_DEVICE_AUTH_FAILED,
    detail,
    extra: { suberror, ...extra },
    headers,
  });
}

export interface ProofClaimOptions {
  /** The tenant authority the proof must be addressed to, e.g. `http://localhost:8080/t1`. */
  audience: string;
  nonce: NonceService;
  replay: ReplayCache;
  now: number;
  /** Accept `iat` this far in the past (default 300 s: the nonce already bounds freshness). */
  maxAgeSec?: number;
  /** Accept `iat` this far in the future (default 60 s of clock skew). */
  futureSkewSec?: number;
  /** Longest `exp - iat` accepted (default 600 s). */
  maxLifetimeSec?: number;
}

/** Check aud, iat, exp, nonce and jti (in that order; jti last so a bad proof burns nothing). */
export async function checkProofClaims(
  claims: Record<string, unknown>,
  replayScope: string,
  opts: ProofClaimOptions,
  endpoint: ProofEndpoint,
  suberror: 'device_proof_invalid' | 'session_proof_invalid',
): Promise<{ jti: string; iat: number; exp: number }> {
  const bad = (d: string) => proofError(endpoint, suberror, d);
  const { aud, iat, exp, nonce, jti } = claims;
  if (aud !== opts.audience) throw bad('proof audience mismatch');
  if (!isNumericDate(iat) || !isNumericDate(exp)) throw bad('proof iat/exp missing');
  if (iat > opts.now + (opts.futureSkewSec ?? 60)) throw bad('proof is from the future');
  if (iat < opts.now - (opts.maxAgeSec ?? 300)) throw bad('proof is too old');
  if (exp <= opts.now || exp <= iat || exp - iat > (opts.maxLifetimeSec ?? 600)) throw bad('proof expired or lives too long');
  const state = opts.nonce.check(nonce, opts.now);
  if (state !== 'valid') {
    const fresh = opts.nonce.current(opts.now);
    throw proofError(endpoint, 'device_nonce_required', state === 'stale' ? 'nonce expired; retry with the new nonce' : 'a server nonce is required', undefined, { nonce: fresh }, { 'Tessera-Nonce': fresh });
  }
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > 256) throw bad('proof jti missing');
  if (!(await opts.replay.use(`${replayScope}:${jti}`, exp + 1, opts.now))) {
    throw proofError(endpoint, 'device_proof_replayed', 'proof already used');
  }
  return { jti, iat, exp };
}
