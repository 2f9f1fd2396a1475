import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import fc from 'fast-check';
import { signJws, type JwsHeader } from '../crypto/jwt.ts';
import { exportPublicJwk, jwkThumbprint } from '../crypto/jwk.ts';
import { b64uJson } from '../crypto/base64url.ts';
import { OAuthError } from '../errors/oauth.ts';
import { accessTokenHash, verifyDpopProof, type VerifyDpopOptions } from './dpop.ts';
import { MemoryReplayCache } from './replay-cache.ts';
import { createHmacNonceService } from './nonce.ts';

const NOW = 1_800_000_000;
const URL_ = 'https://id.example.com/t1/oauth2/v2.0/token';
const kp = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const jwk = exportPublicJwk(kp.publicKey);
const jkt = jwkThumbprint(jwk);

function proof(claims: Record<string, unknown> = {}, header: Partial<JwsHeader> = {}, key: KeyObject = kp.privateKey): string {
  return signJws(
    { alg: 'ES256', typ: 'dpop+jwt', jwk, ...header },
    { jti: randomUUID(), htm: 'POST', htu: URL_, iat: NOW, ...claims },
    key,
  );
}

function opts(extra: Partial<VerifyDpopOptions> = {}): VerifyDpopOptions {
  return { method: 'POST', url: URL_, replay: new MemoryReplayCache(), now: NOW, ...extra };
}

async function err(p: Promise<unknown>): Promise<OAuthError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof OAuthError, String(e));
    return e;
  }
  assert.fail('expected an OAuthError');
}

test('a good proof verifies and yields the RFC 7638 thumbprint', async () => {
  const r = await verifyDpopProof(proof(), opts());
  assert.equal(r.jkt, jkt);
  assert.equal(r.alg, 'ES256');
  assert.deepEqual(r.jwk, jwk);
});

test('EdDSA, PS256 and RS256 proofs verify', async () => {
  for (const [alg, k] of [
    ['EdDSA', generateKeyPairSync('ed25519')],
    ['PS256', generateKeyPairSync('rsa', { modulusLength: 2048 })],
    ['RS256', generateKeyPairSync('rsa', { modulusLength: 2048 })],
  ] as const) {
    const pj = exportPublicJwk(k.publicKey);
    const p = signJws({ alg, typ: 'dpop+jwt', jwk: pj }, { jti: randomUUID(), htm: 'POST', htu: URL_, iat: NOW }, k.privateKey);
    assert.equal((await verifyDpopProof(p, opts())).jkt, jwkThumbprint(pj));
  }
});

test('replayed jti is rejected; jti is scoped by key', async () => {
  const o = opts();
  const p = proof({ jti: 'same-jti-1' });
  await verifyDpopProof(p, o);
  assert.equal((await err(verifyDpopProof(p, o))).code, 'invalid_dpop_proof');
  const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const p2 = proof({ jti: 'same-jti-1' }, { jwk: exportPublicJwk(other.publicKey) }, other.privateKey);
  await verifyDpopProof(p2, o);
});

test('an invalid proof does not burn its jti', async () => {
  const o = opts();
  await err(verifyDpopProof(proof({ jti: 'j-1', htm: 'GET' }), o));
  await verifyDpopProof(proof({ jti: 'j-1' }), o);
});

test('htm and htu must match; query and fragment ignored; normalisation applies', async () => {
  assert.match((await err(verifyDpopProof(proof({ htm: 'GET' }), opts()))).description, /htm/);
  assert.match((await err(verifyDpopProof(proof({ htm: 'post' }), opts()))).description, /htm/);
  assert.match((await err(verifyDpopProof(proof({ htu: 'https://id.example.com/t1/oauth2/v2.0/authorize' }), opts()))).description, /htu/);
  assert.match((await err(verifyDpopProof(proof({ htu: 'https://evil.example.com/t1/oauth2/v2.0/token' }), opts()))).description, /htu/);
  assert.match((await err(verifyDpopProof(proof({ htu: 'http://id.example.com/t1/oauth2/v2.0/token' }), opts()))).description, /htu/);
  await verifyDpopProof(proof({ htu: `${URL_}?x=1#frag` }), opts({ url: `${URL_}?y=2` }));
  await verifyDpopProof(proof({ htu: 'HTTPS://ID.EXAMPLE.COM:443/t1/oauth2/v2.0/./token' }), opts());
  await verifyDpopProof(proof({ htu: 'https://id.example.com/a%2fb' }), opts({ url: 'https://id.example.com/a%2Fb' }));
  assert.match((await err(verifyDpopProof(proof({ htu: 'https://user@id.example.com/t1/oauth2/v2.0/token' }), opts()))).description, /htu/);
  assert.match((await err(verifyDpopProof(proof({ htu: 'ftp://id.example.com/t1/oauth2/v2.0/token' }), opts({ url: 'ftp://id.example.com/t1/oauth2/v2.0/token' })))).description, /htu/);
});

test('iat window: too old and from the future are rejected, edges accepted', async () => {
  assert.match((await err(verifyDpopProof(proof({ iat: NOW - 61 }), opts()))).description, /too old/);
  assert.match((await err(verifyDpopProof(proof({ iat: NOW + 61 }), opts()))).description, /future/);
  await verifyDpopProof(proof({ iat: NOW - 60 }), opts());
  await verifyDpopProof(proof({ iat: NOW + 60 }), opts());
  assert.match((await err(verifyDpopProof(proof({ iat: NOW - 10 }), opts({ iatPastSec: 5 })))).description, /too old/);
  for (const iat of ['1800000000', null, -5, 1e12, Number.NaN]) {
    assert.match((await err(verifyDpopProof(proof({ iat }), opts()))).description, /iat/);
  }
});

test('ath is required and must hash the presented access token', async () => {
  const at = 'eyJ.header.payload';
  const o = opts({ accessToken: at, context: 'resource' });
  await verifyDpopProof(proof({ ath: accessTokenHash(at) }), o);
  const e = await err(verifyDpopProof(proof(), o));
  assert.equal(e.status, 401);
  assert.match(e.headers['WWW-Authenticate']!, /^DPoP algs="[^"]+", error="invalid_dpop_proof"/);
  await err(verifyDpopProof(proof({ ath: accessTokenHash('another') }), o));
});

test('cnf.jkt mismatch: key B proof for a token bound to key A', async () => {
  const b = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pb = proof({}, { jwk: exportPublicJwk(b.publicKey) }, b.privateKey);
  const e = await err(verifyDpopProof(pb, opts({ expectedJkt: jkt, context: 'resource' })));
  assert.equal(e.code, 'invalid_token');
  assert.match(e.headers['WWW-Authenticate']!, /error="invalid_token"/);
  assert.equal((await err(verifyDpopProof(pb, opts({ expectedJkt: jkt })))).code, 'invalid_dpop_proof');
  await verifyDpopProof(proof(), opts({ expectedJkt: jkt }));
});

test('server nonces: missing, stale and forged nonces earn use_dpop_nonce with a fresh DPoP-Nonce', async () => {
  const nonces = createHmacNonceService({ secrets: [randomBytes(32)], label: 'dpop', periodSec: 300 });
  const n = nonces.current(NOW);
  const e1 = await err(verifyDpopProof(proof(), opts({ nonce: nonces })));
  assert.equal(e1.code, 'use_dpop_nonce');
  assert.equal(e1.status, 400);
  assert.equal(e1.headers['DPoP-Nonce'], n);
  await verifyDpopProof(proof({ nonce: n }), opts({ nonce: nonces }));
  // one period later the nonce is still good, and a fresher one is offered
  const later = await verifyDpopProof(proof({ nonce: n, iat: NOW + 300 }), opts({ nonce: nonces, now: NOW + 300 }));
  assert.equal(later.nextNonce, nonces.current(NOW + 300));
  const stale = await err(verifyDpopProof(proof({ nonce: n, iat: NOW + 700 }), opts({ nonce: nonces, now: NOW + 700, context: 'resource' })));
  assert.equal(stale.code, 'use_dpop_nonce');
  assert.equal(stale.status, 401);
  assert.match(stale.headers['WWW-Authenticate']!, /error="use_dpop_nonce"/);
  const other = createHmacNonceService({ secrets: [randomBytes(32)], label: 'dpop' });
  assert.equal((await err(verifyDpopProof(proof({ nonce: other.current(NOW) }), opts({ nonce: nonces })))).code, 'use_dpop_nonce');
  assert.equal((await err(verifyDpopProof(proof({ nonce: 42 }), opts({ nonce: nonces })))).code, 'use_dpop_nonce');
});

test('header attacks: typ, alg none, HS256, private jwk, missing jwk, jwk that does not fit alg', async () => {
  const base = { jti: randomUUID(), htm: 'POST', htu: URL_, iat: NOW };
  const cases: string[] = [
    proof({}, { typ: 'JWT' }),
    proof({}, { typ: undefined }),
    `${b64uJson({ alg: 'none', typ: 'dpop+jwt', jwk })}.${b64uJson(base)}.AAAA`,
    signJws({ alg: 'HS256', typ: 'dpop+jwt', jwk: { kty: 'oct', k: 'x'.repeat(43) } }, base, (await import('node:crypto')).createSecretKey(randomBytes(32))),
    proof({}, { jwk: kp.privateKey.export({ format: 'jwk' }) }),
    proof({}, { jwk: undefined }),
    proof({}, { jwk: 'string' }),
    proof({}, { jku: 'https://evil/jwks' }),
    proof({}, { crit: ['exp'] }),
    `${b64uJson({ alg: 'RS256', typ: 'dpop+jwt', jwk })}.${b64uJson(base)}.${'A'.repeat(342)}`,
  ];
  for (const c of cases) assert.equal((await err(verifyDpopProof(c, opts()))).code, 'invalid_dpop_proof');
  // signed by a key other than the one in the header
  const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  assert.match((await err(verifyDpopProof(proof({}, {}, other.privateKey), opts()))).description, /signature/);
});

test('garbage input never escapes as anything but invalid_dpop_proof', async () => {
  const o = opts();
  for (const g of [undefined, null, 1, {}, ['a'], '', 'a.b.c', `${proof()},${proof()}`, 'x'.repeat(100_000), proof({ jti: 'x'.repeat(300) }), proof({ htu: 5 }), proof({ htm: undefined })]) {
    assert.equal((await err(verifyDpopProof(g, o))).code, 'invalid_dpop_proof');
  }
  await fc.assert(
    fc.asyncProperty(fc.string({ maxLength: 400 }), async (s) => {
      const e = await err(verifyDpopProof(s, o));
      return e.code === 'invalid_dpop_proof';
    }),
    { numRuns: 200 },
  );
});
