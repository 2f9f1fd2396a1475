/**
 * Compact JWS (RFC 7515 §7.1) signing and verification on `node:crypto`, for the hot path.
 *
 * Why not `jose` here: one `jose` verify is several times slower than `crypto.verify` with a
 * cached KeyObject (docs/DESIGN.md "Hot path budget"). `jose` stays in use for JWE and JWKS.
 *
 * Header rules, all enforced before any key is looked up:
 * - `alg` must be in the caller's allow-list; `none` is never accepted (RFC 8725 §3.1).
 * - the key must match the algorithm's key type, so an RSA or EC *public* key can never be used
 *   as an HMAC secret (the classic "HS256 with the public key" confusion, RFC 8725 §2.1), and an
 *   ES256 token cannot be checked against an RSA key or an ES384 key.
 * - `crit` is rejected: Tessera understands no extension (RFC 7515 §4.1.11 requires rejecting
 *   unknown critical parameters; that includes `b64: false`, RFC 7797).
 * - `jku` and `x5u` are rejected: keys are never fetched from URLs named by the token
 *   (RFC 8725 §3.10). `x5c` is rejected too unless the caller opts in.
 */
import { Buffer } from 'node:buffer';
import { constants, createHmac, sign as cryptoSign, timingSafeEqual, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { b64uDecode, b64uJson, isB64u } from './base64url.ts';

/** Algorithms Tessera can sign and verify. */
export type JwsAlgorithm = 'ES256' | 'ES384' | 'EdDSA' | 'RS256' | 'PS256' | 'HS256';
export const SUPPORTED_ALGORITHMS: readonly JwsAlgorithm[] = ['ES256', 'ES384', 'EdDSA', 'RS256', 'PS256', 'HS256'];

export type JwsErrorCode =
  | 'malformed'
  | 'too_large'
  | 'alg_not_allowed'
  | 'bad_header'
  | 'bad_typ'
  | 'unknown_key'
  | 'key_mismatch'
  | 'bad_signature';

/** Every JWS failure; `code` is stable, callers map it to their protocol error. */
export class JwsError extends Error {
  override readonly name = 'JwsError';
  constructor(readonly code: JwsErrorCode, message: string) {
    super(message);
  }
}

export interface JwsHeader {
  alg: string;
  typ?: string;
  kid?: string;
  jwk?: unknown;
  [name: string]: unknown;
}

export type JwtPayload = Record<string, unknown>;

export interface DecodedJws {
  header: JwsHeader;
  payload: JwtPayload;
  /** `BASE64URL(header) . BASE64URL(payload)`, the JWS signing input. */
  signingInput: string;
  signature: Buffer;
}

/** Default ceiling on a compact token's length: bigger inputs are rejected before parsing. */
export const DEFAULT_MAX_TOKEN_LENGTH = 16 * 1024;

function parseJsonObject(part: string, what: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(b64uDecode(part).toString('utf8'));
  } catch {
    throw new JwsError('malformed', `${what} is not base64url JSON`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new JwsError('malformed', `${what} is not a JSON object`);
  return v as Record<string, unknown>;
}

/** Most distinct header segments a header cache keeps before it starts over. */
const HEADER_CACHE_MAX = 1024;

function parseHeader(segment: string, cache: Map<string, JwsHeader> | undefined): JwsHeader {
  const hit = cache?.get(segment);
  if (hit) return hit;
  const header = parseJsonObject(segment, 'header');
  if (typeof header.alg !== 'string') throw new JwsError('bad_header', 'header.alg missing');
  if (cache) {
    // cached headers are shared between calls: freeze them (and a nested jwk) against mutation
    if (typeof header.jwk === 'object' && header.jwk !== null) Object.freeze(header.jwk);
    Object.freeze(header);
    if (cache.size >= HEADER_CACHE_MAX) cache.clear();
    cache.set(segment, header as JwsHeader);
  }
  return header as JwsHeader;
}

/**
 * Split and decode a compact JWS without verifying it. Use only to read the header before
 * verification (e.g. `kid`, or a DPoP `jwk`); never trust the payload from this alone.
 *
 * `headerCache` memoises parsed (frozen) headers by their encoded segment: a client sends the same
 * header on every proof and an issuer on every token, so the parse is done once.
 */
export function decodeCompactJws(token: unknown, maxLength = DEFAULT_MAX_TOKEN_LENGTH, headerCache?: Map<string, JwsHeader>): DecodedJws {
  if (typeof token !== 'string') throw new JwsError('malformed', 'token is not a string');
  if (token.length > maxLength) throw new JwsError('too_large', 'token too large');
  const a = token.indexOf('.');
  const b = a < 0 ? -1 : token.indexOf('.', a + 1);
  if (a <= 0 || b < 0 || token.indexOf('.', b + 1) !== -1 || b === a + 1) {
    throw new JwsError('malformed', 'not a compact JWS (three non-empty parts)');
  }
  const sigPart = token.slice(b + 1);
  if (!isB64u(sigPart) || sigPart.length === 0) throw new JwsError('malformed', 'signature is not base64url');
  const header = parseHeader(token.slice(0, a), headerCache);
  const payload = parseJsonObject(token.slice(a + 1, b), 'payload');
  return { header, payload, signingInput: token.slice(0, b), signature: b64uDecode(sigPart) };
}

type KeyKind = 'p256' | 'p384' | 'ed25519' | 'rsa' | 'rsa-pss' | 'secret' | 'other';
const kindCache = new WeakMap<KeyObject, KeyKind>();

function keyKind(key: KeyObject): KeyKind {
  let k = kindCache.get(key);
  if (k) return k;
  if (key.type === 'secret') k = 'secret';
  else {
    const t = key.asymmetricKeyType;
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (t === 'ec' && curve === 'prime256v1') k = 'p256';
    else if (t === 'ec' && curve === 'secp384r1') k = 'p384';
    else if (t === 'ed25519') k = 'ed25519';
    else if (t === 'rsa') k = 'rsa';
    else if (t === 'rsa-pss') k = 'rsa-pss';
    else k = 'other';
  }
  kindCache.set(key, k);
  return k;
}

/** True when `key` is the right kind of key for `alg` (RFC 7518 §3.1 table). */
export function keyFitsAlgorithm(alg: JwsAlgorithm, key: KeyObject): boolean {
  const k = keyKind(key);
  switch (alg) {
    case 'ES256': return k === 'p256';
    case 'ES384': return k === 'p384';
    case 'EdDSA': return k === 'ed25519';
    case 'RS256': return k === 'rsa';
    case 'PS256': return k === 'rsa' || k === 'rsa-pss';
    case 'HS256': return k === 'secret' && (key.symmetricKeySize ?? 0) >= 32;
  }
}

/** Verify a raw JWS signature; the key kind must already match (see `keyFitsAlgorithm`). */
export function verifyJwsSignature(alg: JwsAlgorithm, key: KeyObject, signingInput: string, signature: Buffer): boolean {
  const data = Buffer.from(signingInput, 'latin1'); // signing input is ASCII by construction
  switch (alg) {
    case 'ES256':
      // RFC 7518 §3.4: R || S, 32 bytes each.
      return signature.length === 64 && cryptoVerify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature);
    case 'ES384':
      return signature.length === 96 && cryptoVerify('sha384', data, { key, dsaEncoding: 'ieee-p1363' }, signature);
    case 'EdDSA':
      return signature.length === 64 && cryptoVerify(null, data, key, signature);
    case 'RS256':
      return cryptoVerify('sha256', data, { key, padding: constants.RSA_PKCS1_PADDING }, signature);
    case 'PS256':
      // RFC 7518 §3.5: salt length equals the hash length.
      return cryptoVerify('sha256', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, signature);
    case 'HS256': {
      const mac = createHmac('sha256', key).update(data).digest();
      return signature.length === mac.length && timingSafeEqual(mac, signature);
    }
  }
}

/** Produce a raw JWS signature over `signingInput`. */
export function createJwsSignature(alg: JwsAlgorithm, key: KeyObject, signingInput: string): Buffer {
  if (!keyFitsAlgorithm(alg, key)) throw new JwsError('key_mismatch', `key does not fit ${alg}`);
  const data = Buffer.from(signingInput, 'latin1');
  switch (alg) {
    case 'ES256':
    case 'ES384':
      return cryptoSign(alg === 'ES256' ? 'sha256' : 'sha384', data, { key, dsaEncoding: 'ieee-p1363' });
    case 'EdDSA':
      return cryptoSign(null, data, key);
    case 'RS256':
      return cryptoSign('sha256', data, { key, padding: constants.RSA_PKCS1_PADDING });
    case 'PS256':
      return cryptoSign('sha256', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
    case 'HS256':
      return createHmac('sha256', key).update(data).digest();
  }
}

/**
 * Sign `payload` with `header` (which must carry `alg`) and return the compact JWS.
 *
 * @example
 * const proof = signJws({ alg: 'ES256', typ: 'dpop+jwt', jwk }, { htm: 'GET', htu, iat, jti }, privateKey);
 */
export function signJws(header: JwsHeader, payload: JwtPayload, key: KeyObject): string {
  if (!(SUPPORTED_ALGORITHMS as readonly string[]).includes(header.alg)) throw new JwsError('alg_not_allowed', `cannot sign ${header.alg}`);
  const input = `${b64uJson(header)}.${b64uJson(payload)}`;
  return `${input}.${createJwsSignature(header.alg as JwsAlgorithm, key, input).toString('base64url')}`;
}

export interface Es256Signer {
  readonly kid: string;
  /**
   * Sign `payload` as an ES256 compact JWS with header `{alg, typ, kid, ...extra}`.
   * `typ` defaults to `JWT`; pass `at+jwt` for RFC 9068 access tokens.
   */
  sign(payload: JwtPayload, header?: { typ?: string; [name: string]: unknown }): string;
}

/**
 * A signer bound to one P-256 private key and its `kid`; encoded headers are cached per `typ`.
 *
 * @example
 * const signer = createEs256Signer(privateKey, 'k1');
 * const at = signer.sign({ iss, aud, sub, exp, cnf: { jkt } }, { typ: 'at+jwt' });
 */
export function createEs256Signer(privateKey: KeyObject, kid: string): Es256Signer {
  if (privateKey.type !== 'private' || !keyFitsAlgorithm('ES256', privateKey)) {
    throw new JwsError('key_mismatch', 'ES256 signer needs a P-256 private key');
  }
  const headerCache = new Map<string, string>();
  return {
    kid,
    sign(payload, header) {
      let encodedHeader: string | undefined;
      const typ = header?.typ ?? 'JWT';
      const simple = !header || Object.keys(header).every((k) => k === 'typ');
      if (simple) encodedHeader = headerCache.get(typ);
      if (!encodedHeader) {
        encodedHeader = b64uJson({ ...header, alg: 'ES256', typ, kid });
        if (simple && headerCache.size < 16) headerCache.set(typ, encodedHeader);
      }
      const input = `${encodedHeader}.${b64uJson(payload)}`;
      const sig = cryptoSign('sha256', Buffer.from(input, 'latin1'), { key: privateKey, dsaEncoding: 'ieee-p1363' });
      return `${input}.${sig.toString('base64url')}`;
    },
  };
}

/** Resolves the verification key from the (untrusted, already alg-checked) header. */
export type KeyResolver = (header: JwsHeader, alg: JwsAlgorithm) => KeyObject | undefined;

export interface VerifyJwsOptions {
  /** The algorithms accepted; required, so no caller can forget to pin them. */
  algorithms: readonly JwsAlgorithm[];
  /**
   * Expected `typ` (RFC 7515 §4.1.9; compared case-insensitively, `application/` prefix optional).
   * RFC 8725 §3.11: explicit typing stops one kind of JWT being accepted as another.
   */
  typ?: string;
  /** Allow an `x5c` header (off by default). */
  allowX5c?: boolean;
  maxLength?: number;
}

function normTyp(t: string): string {
  const l = t.toLowerCase();
  return l.startsWith('application/') ? l.slice(12) : l;
}

/** Header checks shared by every verifier: allow-list, `crit`, `jku`/`x5u`, `typ`. */
export function checkJwsHeader(header: JwsHeader, opts: VerifyJwsOptions): JwsAlgorithm {
  const alg = header.alg;
  if (alg === 'none' || !(opts.algorithms as readonly string[]).includes(alg) || !(SUPPORTED_ALGORITHMS as readonly string[]).includes(alg)) {
    throw new JwsError('alg_not_allowed', `alg ${String(alg).slice(0, 20)} not allowed`);
  }
  if (header.crit !== undefined) throw new JwsError('bad_header', 'crit header not supported');
  if (header.jku !== undefined || header.x5u !== undefined) throw new JwsError('bad_header', 'jku/x5u not accepted');
  if (header.x5c !== undefined && !opts.allowX5c) throw new JwsError('bad_header', 'x5c not accepted');
  if (header.kid !== undefined && typeof header.kid !== 'string') throw new JwsError('bad_header', 'kid must be a string');
  if (opts.typ !== undefined) {
    if (typeof header.typ !== 'string' || normTyp(header.typ) !== normTyp(opts.typ)) {
      throw new JwsError('bad_typ', `typ must be ${opts.typ}`);
    }
  }
  return alg as JwsAlgorithm;
}

/**
 * Verify a compact JWS: parse, check the header, resolve the key, check key type against alg,
 * check the signature. Claims (exp, aud, …) are the caller's job (see `claims.ts`).
 *
 * @example
 * const { header, payload } = verifyCompactJws(token, (h) => keysByKid.get(h.kid!), { algorithms: ['ES256'], typ: 'at+jwt' });
 */
export function verifyCompactJws(token: unknown, getKey: KeyResolver, opts: VerifyJwsOptions): DecodedJws {
  const decoded = decodeCompactJws(token, opts.maxLength);
  const alg = checkJwsHeader(decoded.header, opts);
  const key = getKey(decoded.header, alg);
  if (!key) throw new JwsError('unknown_key', 'no key for this token');
  if (!keyFitsAlgorithm(alg, key)) throw new JwsError('key_mismatch', `key does not fit ${alg}`);
  if (!verifyJwsSignature(alg, key, decoded.signingInput, decoded.signature)) {
    throw new JwsError('bad_signature', 'signature does not verify');
  }
  return decoded;
}
