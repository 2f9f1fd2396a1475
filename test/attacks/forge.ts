/**
 * What an attacker can make without the victim's keys: JWTs signed with their own keys (or none),
 * a session key of their own planted under the victim's session key id, and verbatim copies of the
 * victim's requests (captured by a recording fetch, as a proxy or malware on the wire would see them).
 */
import { createHmac, generateKeyPairSync, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { CompactEncrypt, importJWK } from 'jose';
import { b64uJson } from '../../src/crypto/base64url.ts';
import { signJws } from '../../src/crypto/jwt.ts';
import { exportPublicJwk } from '../../src/crypto/jwk.ts';
import { acceptSessionKey, type KeyStore } from '../../sdk/device/index.ts';

export function hs256(header: Record<string, unknown>, payload: Record<string, unknown>, key: Uint8Array | string): string {
  const input = `${b64uJson({ ...header, alg: 'HS256' })}.${b64uJson(payload)}`;
  return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`;
}

/** `alg: none`: no signature at all (RFC 7518 §3.6). */
export function unsigned(header: Record<string, unknown>, payload: Record<string, unknown>): string {
  return `${b64uJson({ ...header, alg: 'none' })}.${b64uJson(payload)}.`;
}

export function es256(header: Record<string, unknown>, payload: Record<string, unknown>, key: KeyObject): string {
  return signJws({ ...header, alg: 'ES256' } as never, payload, key);
}

export function ecKey(): { privateKey: KeyObject; publicKey: KeyObject; jwk: Record<string, string> } {
  const k = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { ...k, jwk: exportPublicJwk(k.publicKey) };
}

export const nowSec = (): number => Math.floor(Date.now() / 1000);

/** DPoP claims for a request (RFC 9449 §4.2). */
export function dpopClaims(method: string, url: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { jti: randomUUID(), htm: method, htu: url, iat: nowSec(), ...extra };
}

/**
 * Plants a session key the attacker made up under the stolen session key id, so the attacker's own
 * agent signs session proofs with it (the real key never left the victim's store).
 */
export async function plantGuessedSessionKey(store: KeyStore, sessionKeyId: string): Promise<void> {
  if (!(await store.get('transport'))) await store.generate('transport', 'ECDH-ES+A256KW');
  const tk = (await store.get('transport'))!;
  const jwk = { kty: 'oct', k: randomBytes(32).toString('base64url'), kid: sessionKeyId, alg: 'HS256', use: 'sig' };
  const jwe = await new CompactEncrypt(Buffer.from(JSON.stringify(jwk)))
    .setProtectedHeader({ alg: 'ECDH-ES+A256KW', enc: 'A256GCM', cty: 'jwk+json' })
    .encrypt(await importJWK({ ...tk.publicJwk, alg: 'ECDH-ES+A256KW' }, 'ECDH-ES+A256KW'));
  await acceptSessionKey(store, { jwe, sessionKeyId });
}

export interface Captured { url: string; method: string; headers: Record<string, string>; body: string }

/** A fetch that records every request it sends (what a TLS-terminating proxy or a process on the wire sees). */
export function recordingFetch(): { fetch: typeof fetch; calls: Captured[] } {
  const calls: Captured[] = [];
  const f: typeof fetch = async (input, init) => {
    const headers: Record<string, string> = {};
    for (const [k, v] of new Headers(init?.headers as ConstructorParameters<typeof Headers>[0])) headers[k] = v;
    calls.push({ url: String(input), method: init?.method ?? 'GET', headers, body: typeof init?.body === 'string' ? init.body : init?.body instanceof URLSearchParams ? init.body.toString() : '' });
    return fetch(input, init);
  };
  return { fetch: f, calls };
}

/** Sends a captured request again, verbatim. */
export async function replay(c: Captured): Promise<{ status: number; body: Record<string, any>; headers: Headers }> {
  const res = await fetch(c.url, { method: c.method, headers: c.headers, ...(c.method === 'GET' ? {} : { body: c.body }) });
  const text = await res.text();
  let body: Record<string, any> = {};
  try { body = JSON.parse(text) as Record<string, any>; } catch { body = { raw: text }; }
  return { status: res.status, body, headers: res.headers };
}
