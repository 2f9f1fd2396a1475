/**
 * Access-token verification for resource servers: RFC 9068 JWT access tokens from Tessera, presented
 * as `Bearer` (RFC 6750) or DPoP-bound (RFC 9449 §7), answered with the right `WWW-Authenticate`.
 */
import { checkJwsHeader, decodeCompactJws, JwsError, keyFitsAlgorithm, verifyJwsSignature, type DecodedJws, type JwsAlgorithm, type JwsHeader } from '../../src/crypto/jwt.ts';
import { checkRegisteredClaims, ClaimError } from '../../src/crypto/claims.ts';
import { challenge } from '../../src/binding/challenge.ts';
import { accessTokenHash, DEFAULT_DPOP_ALGORITHMS, verifyDpopProof, type DpopAlgorithm } from '../../src/binding/dpop.ts';
import type { NonceService } from '../../src/binding/nonce.ts';
import { MemoryReplayCache, type ReplayCache } from '../../src/binding/replay-cache.ts';
import { InsufficientScope, InvalidRequest, InvalidToken, OAuthError, TemporarilyUnavailable } from '../../src/errors/oauth.ts';
import { discoverJwksUri, JwksCache, type CachedKey, type JwksCacheOptions } from './jwks.ts';
import { principalFromClaims, type Principal } from './principal.ts';

export interface VerifierOptions {
  /** Expected `iss`, e.g. `http://localhost:8080/{tenantId}/v2.0`. */
  issuer: string;
  /** Expected `aud` (the API's application id URI or client id); the token must name one of them. */
  audience: string | readonly string[];
  /** JWKS location; found through OpenID discovery on the issuer when absent. */
  jwksUri?: string;
  /** Tolerance for `exp`/`nbf` (default 60 s). */
  clockSkewSec?: number;
  /** Delegated permissions every request needs (all of them, in `scp`). */
  requiredScopes?: readonly string[];
  /** App roles every request needs (all of them, in `roles`). With `requiredScopes`, either set satisfies. */
  requiredRoles?: readonly string[];
  /** Token signature algorithms accepted (default ES256, what Tessera signs with). */
  algorithms?: readonly JwsAlgorithm[];
  dpop?: {
    /** Require server nonces in proofs (RFC 9449 §9). */
    nonce?: NonceService;
    /** `jti` store (default: one in-memory cache shared by all verifiers of the process; use Redis behind a load balancer). */
    replay?: ReplayCache;
    algorithms?: readonly DpopAlgorithm[];
    /** Accepted proof age either side of now (default 60 s). */
    iatWindowSec?: number;
    /** Refuse bearer tokens altogether (only DPoP-bound tokens are accepted). */
    required?: boolean;
  };
  /** `realm` in challenges. */
  realm?: string;
  jwks?: Omit<JwksCacheOptions, 'jwksUri' | 'fetch'>;
  fetch?: typeof fetch;
}

/** The parts of an HTTP request the verifier reads. Header names lower-case (as Node gives them). */
export interface VerifyRequest {
  method: string;
  /** The full URL as the client addressed it (scheme, host, path); the query is ignored for `htu`. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
}

export interface Verifier {
  /** Verify the request's token (and proof); resolves a Principal or rejects with an `OAuthError`
   *  whose `status` and `headers` (WWW-Authenticate, DPoP-Nonce) are ready to send (503
   *  `temporarily_unavailable` when the issuer's keys cannot be fetched at all). */
  verify(req: VerifyRequest, opts?: { scopes?: readonly string[]; roles?: readonly string[] }): Promise<Principal>;
  /** The JWKS cache (after discovery, when no `jwksUri` was given). */
  jwks(): Promise<JwksCache>;
}

const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;

/** One process-wide jti cache shared by every verifier, so a proof accepted by one cannot be replayed to another. */
const processReplayCache = new MemoryReplayCache();

function header(h: VerifyRequest['headers'], name: string): string | string[] | undefined {
  return h[name];
}

/**
 * Create a verifier for one API.
 *
 * @example
 * const verifier = createVerifier({
 *   issuer: 'http://localhost:8080/8a5b…/v2.0',
 *   audience: 'api://orders',
 *   requiredScopes: ['Orders.Read'],
 * });
 * const principal = await verifier.verify({ method: 'GET', url: 'https://api.example/orders', headers: req.headers });
 */
export function createVerifier(options: VerifierOptions): Verifier {
  const algorithms = options.algorithms ?? ['ES256'];
  const dpopAlgs = options.dpop?.algorithms ?? DEFAULT_DPOP_ALGORITHMS;
  const replay = options.dpop?.replay ?? processReplayCache;
  const skew = options.clockSkewSec ?? 60;
  const window = options.dpop?.iatWindowSec ?? 60;
  const realm = options.realm;
  // Discovery runs lazily and is retried on the next request if it fails.
  let jwksP: Promise<JwksCache> | undefined;
  const getJwks = (): Promise<JwksCache> => {
    jwksP ??= (async () => {
      const uri = options.jwksUri ?? (await discoverJwksUri(options.issuer, options.fetch));
      const o: JwksCacheOptions = { ...options.jwks, jwksUri: uri };
      if (options.fetch) o.fetch = options.fetch;
      return new JwksCache(o);
    })();
    jwksP.catch(() => {
      jwksP = undefined;
    });
    return jwksP;
  };
  let jwks: JwksCache | undefined;
  /** The issuer sends the same token header every time: parse it once. */
  const tokenHeaders = new Map<string, JwsHeader>();
  /**
   * A client presents the same access token on every call for its lifetime: keep its parse and
   * `ath` (not its verification: the signature is checked on every request).
   */
  const parsed = new Map<string, { decoded: DecodedJws; ath: string }>();
  const parseToken = (token: string): { decoded: DecodedJws; ath: string } => {
    let hit = parsed.get(token);
    if (!hit) {
      const decoded = decodeCompactJws(token, undefined, tokenHeaders);
      Object.freeze(decoded.payload);
      hit = { decoded, ath: accessTokenHash(token) };
      if (parsed.size >= 4096) parsed.clear();
      parsed.set(token, hit);
    }
    return hit;
  };

  const challengeFor = (scheme: 'Bearer' | 'DPoP', error?: string, description?: string, scope?: string) => {
    const p: Record<string, string> = {};
    if (realm) p.realm = realm;
    if (scheme === 'DPoP') p.algs = dpopAlgs.join(' ');
    if (error) p.error = error;
    if (description) p.error_description = description;
    if (scope) p.scope = scope;
    return challenge(scheme, p);
  };
  const invalidToken = (scheme: 'Bearer' | 'DPoP', description: string, detail?: string) =>
    new InvalidToken(description, { detail, headers: { 'WWW-Authenticate': challengeFor(scheme, 'invalid_token', description) } });
  const noCredentials = () => {
    const headers: Record<string, string> = { 'WWW-Authenticate': `${challengeFor('Bearer')}, ${challengeFor('DPoP')}` };
    if (options.dpop?.nonce) headers['DPoP-Nonce'] = options.dpop.nonce.current(Math.floor(Date.now() / 1000));
    // RFC 6750 §3.1: no error code when the request carried no credentials.
    return new InvalidRequest('authorization required', { status: 401, headers });
  };

  /** The key for `kid`, fetching (rate-limited) when unknown. Issuer unreachable before any key set
   *  was loaded: 503 `temporarily_unavailable`, so clients do not throw good tokens away. */
  async function keyFor(kid: unknown): Promise<CachedKey | undefined> {
    if (typeof kid !== 'string') return undefined;
    try {
      jwks ??= await getJwks();
      return jwks.get(kid) ?? (await jwks.getAfterRefresh(kid));
    } catch (e) {
      throw new TemporarilyUnavailable('signing keys unavailable', { detail: e instanceof Error ? e.message : String(e) });
    }
  }

  return {
    jwks: getJwks,
    async verify(req, per) {
      // RFC 6750 §2.1 / RFC 9449 §7.1: `Authorization: <scheme> <token68>`
      const auth = header(req.headers, 'authorization');
      if (auth === undefined || auth === '') throw noCredentials();
      if (typeof auth !== 'string') throw new InvalidRequest('multiple Authorization headers');
      const sp = auth.indexOf(' ');
      const schemeRaw = sp > 0 ? auth.slice(0, sp).toLowerCase() : auth.toLowerCase();
      if (schemeRaw !== 'bearer' && schemeRaw !== 'dpop') throw noCredentials();
      const scheme = schemeRaw === 'dpop' ? 'DPoP' : 'Bearer';
      const token = sp > 0 ? auth.slice(sp + 1).trim() : '';
      if (!token || token.length > 16 * 1024 || !TOKEN68.test(token)) {
        throw new InvalidRequest('malformed Authorization header', { headers: { 'WWW-Authenticate': challengeFor(scheme, 'invalid_request') } });
      }
      if (scheme === 'Bearer' && options.dpop?.required) throw invalidToken('DPoP', 'this resource accepts only DPoP-bound tokens');

      // The access token: signature first, then claims (RFC 9068 §4).
      let decoded: DecodedJws;
      let ath: string;
      try {
        ({ decoded, ath } = parseToken(token));
        const alg = checkJwsHeader(decoded.header, { algorithms, typ: 'at+jwt' });
        // fast path: the key is cached, no await
        const kid = decoded.header.kid;
        const cached = (jwks && typeof kid === 'string' ? jwks.get(kid) : undefined) ?? (await keyFor(kid));
        if (!cached) throw new JwsError('unknown_key', 'signing key not found');
        const key = cached.key;
        // RFC 7517 §4.4: a JWK that names its alg is only used with that alg.
        if (cached.alg !== undefined && cached.alg !== alg) throw new JwsError('key_mismatch', 'key pinned to another alg');
        if (!keyFitsAlgorithm(alg, key) || !verifyJwsSignature(alg, key, decoded.signingInput, decoded.signature)) {
          throw new JwsError('bad_signature', 'signature invalid');
        }
      } catch (e) {
        if (e instanceof JwsError) throw invalidToken(scheme, e.code === 'unknown_key' ? 'signing key not found' : 'token invalid', e.message);
        throw e;
      }
      const claims = decoded.payload;
      const now = Math.floor(Date.now() / 1000);
      try {
        checkRegisteredClaims(claims, { now, clockSkewSec: skew, issuer: options.issuer, audience: options.audience });
      } catch (e) {
        if (e instanceof ClaimError) throw invalidToken(scheme, e.code === 'expired' ? 'token expired' : 'token invalid', e.message);
        throw e;
      }
      if (typeof claims.sub !== 'string') throw invalidToken(scheme, 'token invalid', 'sub missing');

      // Binding (RFC 9449 §6.1, §7.1)
      const cnf = claims.cnf as { jkt?: unknown } | undefined;
      const jkt = cnf && typeof cnf === 'object' ? cnf.jkt : undefined;
      if (cnf !== undefined && typeof jkt !== 'string') throw invalidToken(scheme, 'token invalid', 'cnf without jkt');
      let nextNonce: string | undefined;
      if (typeof jkt === 'string') {
        if (scheme !== 'DPoP') throw invalidToken('DPoP', 'DPoP-bound token presented as a bearer token');
        const proofs = header(req.headers, 'dpop');
        if (typeof proofs !== 'string') {
          throw new OAuthError('invalid_dpop_proof', 'exactly one DPoP proof required', {
            status: 401,
            headers: { 'WWW-Authenticate': challengeFor('DPoP', 'invalid_dpop_proof', 'exactly one DPoP proof required') },
          });
        }
        const r = await verifyDpopProof(proofs, {
          method: req.method,
          url: req.url,
          accessToken: token,
          accessTokenHash: ath,
          expectedJkt: jkt,
          ...(options.dpop?.nonce ? { nonce: options.dpop.nonce } : {}),
          replay,
          now,
          algorithms: dpopAlgs,
          iatPastSec: window,
          iatFutureSec: window,
          context: 'resource',
        });
        nextNonce = r.nextNonce;
      } else if (scheme === 'DPoP') {
        throw invalidToken('DPoP', 'token is not DPoP-bound');
      }

      // Permissions (RFC 6750 §3.1 insufficient_scope, 403)
      const needScopes = per?.scopes ?? options.requiredScopes;
      const needRoles = per?.roles ?? options.requiredRoles;
      const principal = principalFromClaims(claims, scheme, typeof jkt === 'string' ? jkt : undefined);
      if (needScopes?.length || needRoles?.length) {
        const scopesOk = !!needScopes?.length && needScopes.every((s) => principal.scopes.includes(s));
        const rolesOk = !!needRoles?.length && needRoles.every((r) => principal.roles.includes(r));
        if (!scopesOk && !rolesOk) {
          const scope = [...(needScopes ?? []), ...(needRoles ?? [])].join(' ');
          throw new InsufficientScope('token lacks the required permissions', {
            headers: { 'WWW-Authenticate': challengeFor(scheme, 'insufficient_scope', 'token lacks the required permissions', scope) },
          });
        }
      }
      if (nextNonce !== undefined) principal.dpopNonce = nextNonce;
      return principal;
    },
  };
}
