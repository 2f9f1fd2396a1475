/**
 * Server-side verification of DPoP proofs, RFC 9449 §4.3, in the order of that section, with
 * replay bookkeeping last so an invalid proof never burns a `jti`.
 *
 * Used by the token endpoint (`context: 'token'`, errors are 400 JSON per §5/§8) and by resource
 * servers (`context: 'resource'`, errors are 401 with a `WWW-Authenticate: DPoP` challenge, §7.1).
 */
import { createHash } from 'node:crypto';
import { decodeCompactJws, keyFitsAlgorithm, verifyJwsSignature, type JwsAlgorithm, type JwsHeader } from '../crypto/jwt.ts';
import { JwkError, PublicKeyCache } from '../crypto/jwk.ts';
import { isNumericDate } from '../crypto/claims.ts';
import { InvalidDpopProof, InvalidToken, UseDpopNonce, type OAuthError } from '../errors/oauth.ts';
import { challenge } from './challenge.ts';
import { htuMatches } from './htu.ts';
import type { NonceService } from './nonce.ts';
import type { ReplayCache } from './replay-cache.ts';

/** Asymmetric algorithms accepted in proofs (§4.3 check 5: never `none`, never a MAC). */
export type DpopAlgorithm = Extract<JwsAlgorithm, 'ES256' | 'ES384' | 'EdDSA' | 'RS256' | 'PS256'>;
export const DEFAULT_DPOP_ALGORITHMS: readonly DpopAlgorithm[] = ['ES256', 'EdDSA', 'PS256', 'RS256', 'ES384'];

/**
 * Default `iat` window: 60 s either side of the server clock. Laptop and phone clocks drift by tens
 * of seconds; replay inside the window is stopped by the `jti` cache, not by the window, so the
 * window only bounds how long a cache entry must live and how long a proof made ahead of time stays
 * usable. Deployments that need tighter freshness turn on server nonces, which measure time on the
 * server's clock instead of the client's.
 */
export const DEFAULT_IAT_WINDOW_SEC = 60;

/** Proofs are small (a P-256 proof is ~500 bytes, RSA-4096 under 1.5 KiB). */
export const MAX_PROOF_LENGTH = 8 * 1024;

export interface VerifyDpopOptions {
  /** HTTP method of the request (compared case-sensitively, as RFC 9110 methods are). */
  method: string;
  /** Full external URL of the request as the client addressed it (scheme, host, path; query ignored). */
  url: string;
  /** The access token presented with the proof; when set, `ath` is required and checked (§4.3 check 12). */
  accessToken?: string;
  /** `accessTokenHash(accessToken)` when the caller already has it (saves a SHA-256 per request). */
  accessTokenHash?: string;
  /** `cnf.jkt` of the presented token; when set, the proof key must have this thumbprint (§4.3 check 13). */
  expectedJkt?: string;
  /** Server nonces; when set, a valid nonce is required (§8), unless `requireNonce` is false. */
  nonce?: NonceService;
  requireNonce?: boolean;
  replay: ReplayCache;
  /** Current time in seconds. */
  now: number;
  algorithms?: readonly DpopAlgorithm[];
  /** Accept `iat` in `[now - iatPastSec, now + iatFutureSec]`. */
  iatPastSec?: number;
  iatFutureSec?: number;
  /** Where the proof is checked: decides the error status and challenge (default `token`). */
  context?: 'token' | 'resource';
  /** Cache of imported proof keys (default: one module-wide cache). */
  keyCache?: PublicKeyCache;
}

export interface DpopProofResult {
  /** RFC 7638 thumbprint of the proof key: what `cnf.jkt` binds to. */
  jkt: string;
  jwk: Record<string, string>;
  jti: string;
  iat: number;
  alg: DpopAlgorithm;
  /** A fresher nonce to return in `DPoP-Nonce` (§8.2), when the client's one is about to age out. */
  nextNonce?: string;
}

const defaultKeyCache = new PublicKeyCache();
/** Parsed proof headers by encoded segment, and the key imported for each (avoid re-parsing). */
const headerCache = new Map<string, JwsHeader>();
const importedByHeader = new WeakMap<JwsHeader, ReturnType<PublicKeyCache['get']>>();

/** base64url(SHA-256(ASCII(access token))), RFC 9449 §4.2 `ath`. */
export function accessTokenHash(accessToken: string): string {
  return createHash('sha256').update(accessToken, 'latin1').digest('base64url');
}

function fail(opts: VerifyDpopOptions, description: string, detail?: string): OAuthError {
  const algs = (opts.algorithms ?? DEFAULT_DPOP_ALGORITHMS).join(' ');
  if (opts.context === 'resource') {
    return new InvalidDpopProof(description, {
      status: 401,
      detail,
      headers: { 'WWW-Authenticate': challenge('DPoP', { algs, error: 'invalid_dpop_proof', error_description: description }) },
    });
  }
  return new InvalidDpopProof(description, { detail });
}

function nonceError(opts: VerifyDpopOptions, nonce: string, description: string): OAuthError {
  const headers: Record<string, string> = { 'DPoP-Nonce': nonce };
  if (opts.context === 'resource') {
    const algs = (opts.algorithms ?? DEFAULT_DPOP_ALGORITHMS).join(' ');
    headers['WWW-Authenticate'] = challenge('DPoP', { algs, error: 'use_dpop_nonce', error_description: description });
    return new UseDpopNonce(description, { status: 401, headers });
  }
  return new UseDpopNonce(description, { headers });
}

/**
 * Verify one DPoP proof against the request it came with.
 *
 * @example
 * const { jkt } = await verifyDpopProof(req.headers.dpop, {
 *   method: 'POST', url: 'https://id.example/t1/oauth2/v2.0/token',
 *   replay, nonce: dpopNonces, now: Math.floor(Date.now() / 1000),
 * });
 */
export async function verifyDpopProof(proof: unknown, opts: VerifyDpopOptions): Promise<DpopProofResult> {
  // §4.3 checks 1–2: exactly one well-formed JWT (a comma means several header values were joined).
  if (typeof proof !== 'string' || proof.length === 0) throw fail(opts, 'DPoP proof missing');
  if (proof.length > MAX_PROOF_LENGTH || proof.includes(',')) throw fail(opts, 'DPoP proof malformed');
  let decoded;
  try {
    decoded = decodeCompactJws(proof, MAX_PROOF_LENGTH, headerCache);
  } catch (e) {
    throw fail(opts, 'DPoP proof malformed', (e as Error).message);
  }
  const { header, payload } = decoded;
  // check 4: explicit typing
  if (header.typ !== 'dpop+jwt') throw fail(opts, 'DPoP proof typ must be dpop+jwt');
  // check 5: asymmetric algorithm from the allow-list
  const algs = opts.algorithms ?? DEFAULT_DPOP_ALGORITHMS;
  const alg = header.alg as DpopAlgorithm;
  if (!algs.includes(alg)) throw fail(opts, 'DPoP proof algorithm not supported');
  if (header.crit !== undefined || header.jku !== undefined || header.x5u !== undefined) throw fail(opts, 'DPoP proof header not supported');
  // check 7: the jwk is a public key (no private members) that fits alg
  let imported = opts.keyCache ? undefined : importedByHeader.get(header);
  if (!imported) {
    try {
      imported = (opts.keyCache ?? defaultKeyCache).get(header.jwk);
    } catch (e) {
      throw fail(opts, 'DPoP proof jwk invalid', e instanceof JwkError ? e.message : undefined);
    }
    if (!opts.keyCache) importedByHeader.set(header, imported);
  }
  if (!keyFitsAlgorithm(alg, imported.key)) throw fail(opts, 'DPoP proof jwk does not fit alg');
  // check 6: signature
  let ok = false;
  try {
    ok = verifyJwsSignature(alg, imported.key, decoded.signingInput, decoded.signature);
  } catch {
    ok = false; // e.g. an RSA signature of the wrong size
  }
  if (!ok) throw fail(opts, 'DPoP proof signature invalid');
  // check 3: required claims
  const { jti, htm, htu, iat, ath, nonce } = payload;
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > 256) throw fail(opts, 'DPoP proof jti missing or invalid');
  if (typeof htm !== 'string' || typeof htu !== 'string') throw fail(opts, 'DPoP proof htm/htu missing');
  if (!isNumericDate(iat)) throw fail(opts, 'DPoP proof iat missing or invalid');
  // check 8: method
  if (htm !== opts.method) throw fail(opts, 'DPoP proof htm does not match the request method', `${htm} vs ${opts.method}`);
  // check 9: target URI without query and fragment
  if (!htuMatches(htu, opts.url)) throw fail(opts, 'DPoP proof htu does not match the request URL', `${htu.slice(0, 200)} vs ${opts.url}`);
  // check 10: server nonce (§8); a missing or stale one earns a fresh one
  let nextNonce: string | undefined;
  if (opts.nonce && opts.requireNonce !== false) {
    const fresh = opts.nonce.current(opts.now);
    if (nonce === undefined) throw nonceError(opts, fresh, 'Authorization server requires nonce in DPoP proof');
    const state = opts.nonce.check(nonce, opts.now);
    if (state !== 'valid') throw nonceError(opts, fresh, state === 'stale' ? 'DPoP nonce expired' : 'DPoP nonce invalid');
    if (nonce !== fresh) nextNonce = fresh;
  }
  // check 11: iat window on the server clock
  const past = opts.iatPastSec ?? DEFAULT_IAT_WINDOW_SEC;
  const future = opts.iatFutureSec ?? DEFAULT_IAT_WINDOW_SEC;
  if (iat < opts.now - past) throw fail(opts, 'DPoP proof is too old', `iat ${iat}, now ${opts.now}`);
  if (iat > opts.now + future) throw fail(opts, 'DPoP proof is from the future', `iat ${iat}, now ${opts.now}`);
  // check 12: ath binds the proof to the access token presented with it
  if (opts.accessToken !== undefined) {
    if (typeof ath !== 'string' || ath !== (opts.accessTokenHash ?? accessTokenHash(opts.accessToken))) throw fail(opts, 'DPoP proof ath does not match the access token');
  }
  // check 13: proof key is the key the token is bound to (§7.1: invalid_token at a resource)
  if (opts.expectedJkt !== undefined && imported.jkt !== opts.expectedJkt) {
    if (opts.context === 'resource') {
      const a = algs.join(' ');
      throw new InvalidToken('DPoP proof key does not match the token binding', {
        headers: { 'WWW-Authenticate': challenge('DPoP', { algs: a, error: 'invalid_token', error_description: 'token is bound to another key' }) },
      });
    }
    throw fail(opts, 'DPoP proof key does not match the token binding');
  }
  // §11.1: one use per jti. Scoped by key, so nobody can burn another client's jti values;
  // kept until the proof would fail the iat check anyway.
  const used = await opts.replay.use(`dpop:${imported.jkt}:${jti}`, iat + past + 1, opts.now);
  if (!used) throw fail(opts, 'DPoP proof replayed', `jti ${jti.slice(0, 64)}`);
  return nextNonce === undefined
    ? { jkt: imported.jkt, jwk: imported.jwk, jti, iat, alg }
    : { jkt: imported.jkt, jwk: imported.jwk, jti, iat, alg, nextNonce };
}
