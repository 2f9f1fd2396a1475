/**
 * Public JWK handling: strict import of public keys (RFC 7517/7518), and JWK thumbprints
 * (RFC 7638) for EC P-256, RSA, OKP Ed25519 and oct keys.
 */
import { createHash, createPublicKey, type KeyObject, type JsonWebKey } from 'node:crypto';
import { b64uDecode, isB64u } from './base64url.ts';

/** Private-key members of RFC 7518 §6.2.2 / §6.3.2 / RFC 8037 §2 and symmetric `k`. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

/** Thrown for any JWK that is not an acceptable public key. */
export class JwkError extends Error {
  override readonly name = 'JwkError';
}

/** True when the JWK carries any private or symmetric member. */
export function hasPrivateMembers(jwk: Record<string, unknown>): boolean {
  return PRIVATE_MEMBERS.some((m) => jwk[m] !== undefined);
}

function b64uMember(jwk: Record<string, unknown>, name: string, len?: number): string {
  const v = jwk[name];
  if (typeof v !== 'string' || v.length === 0 || v.length > 2048 || !isB64u(v)) {
    throw new JwkError(`jwk.${name} must be base64url`);
  }
  if (len !== undefined && b64uDecode(v).length !== len) throw new JwkError(`jwk.${name} must be ${len} bytes`);
  return v;
}

/**
 * The RFC 7638 §3.2 required members of a public JWK, validated, in lexicographic order.
 * This is also the canonical public form used for import (extra members such as `alg` or
 * `use` are dropped, so they cannot influence anything).
 */
export function canonicalPublicJwk(input: unknown): Record<string, string> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new JwkError('jwk must be an object');
  const jwk = input as Record<string, unknown>;
  if (hasPrivateMembers(jwk)) throw new JwkError('jwk contains private key members');
  switch (jwk.kty) {
    case 'EC': {
      const sizes: Record<string, number> = { 'P-256': 32, 'P-384': 48, 'P-521': 66 };
      const crv = jwk.crv;
      if (typeof crv !== 'string' || !(crv in sizes)) throw new JwkError('unsupported EC curve');
      const n = sizes[crv]!;
      return { crv, kty: 'EC', x: b64uMember(jwk, 'x', n), y: b64uMember(jwk, 'y', n) };
    }
    case 'RSA': {
      const n = b64uMember(jwk, 'n');
      // RFC 7518 §3.3: RSA keys of 2048 bits or larger MUST be used.
      if (b64uDecode(n).length < 256) throw new JwkError('RSA modulus shorter than 2048 bits');
      return { e: b64uMember(jwk, 'e'), kty: 'RSA', n };
    }
    case 'OKP': {
      if (jwk.crv !== 'Ed25519') throw new JwkError('unsupported OKP curve');
      return { crv: 'Ed25519', kty: 'OKP', x: b64uMember(jwk, 'x', 32) };
    }
    default:
      throw new JwkError('unsupported kty');
  }
}

/**
 * RFC 7638 JWK thumbprint: base64url(SHA-256(JSON of the required members, sorted, no spaces)).
 * Also accepts `oct` keys (`{"k","kty"}`), for completeness.
 *
 * @example
 * jwkThumbprint({ kty: 'RSA', e: 'AQAB', n: '0vx7agoebGcQ…' }) // 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs' (RFC 7638 §3.1)
 */
export function jwkThumbprint(jwk: unknown): string {
  let canon: Record<string, string>;
  const j = jwk as Record<string, unknown> | null;
  if (j && typeof j === 'object' && j.kty === 'oct' && typeof j.k === 'string') canon = { k: j.k, kty: 'oct' };
  else canon = canonicalPublicJwk(jwk);
  // JSON.stringify keeps insertion order, and canonicalPublicJwk inserts in lexicographic order.
  return createHash('sha256').update(JSON.stringify(canon)).digest('base64url');
}

/** Import a public JWK (validated, private members rejected) as a node KeyObject. */
export function importPublicJwk(jwk: unknown): KeyObject {
  const canon = canonicalPublicJwk(jwk);
  try {
    return createPublicKey({ key: canon as JsonWebKey, format: 'jwk' });
  } catch (e) {
    // e.g. an EC point that is not on the curve
    throw new JwkError('jwk is not a valid public key', { cause: e });
  }
}

/** Export the public half of a key as a canonical public JWK (no `alg`, `kid`, `use`). */
export function exportPublicJwk(key: KeyObject): Record<string, string> {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return canonicalPublicJwk(pub.export({ format: 'jwk' }));
}

/**
 * A small bounded cache from a JWK's thumbprint to its imported KeyObject, so a client that
 * sends the same DPoP key on every request costs one import, not one per request.
 */
export class PublicKeyCache {
  private readonly map = new Map<string, { key: KeyObject; jkt: string; jwk: Record<string, string> }>();
  constructor(private readonly max = 10_000) {}

  /** Validate and import `jwk`, returning the key, its canonical form and RFC 7638 thumbprint. */
  get(jwk: unknown): { key: KeyObject; jkt: string; jwk: Record<string, string> } {
    const canon = canonicalPublicJwk(jwk);
    const id = JSON.stringify(canon);
    const hit = this.map.get(id);
    if (hit) return hit;
    let key: KeyObject;
    try {
      key = createPublicKey({ key: canon as JsonWebKey, format: 'jwk' });
    } catch (e) {
      throw new JwkError('jwk is not a valid public key', { cause: e });
    }
    const entry = { key, jkt: createHash('sha256').update(id).digest('base64url'), jwk: canon };
    if (this.map.size >= this.max) {
      const oldest = this.map.keys().next().value;
      if (oldest !== undefined) this.map.delete(oldest);
    }
    this.map.set(id, entry);
    return entry;
  }
}
