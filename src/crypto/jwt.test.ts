import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, createSecretKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import * as jose from 'jose';
import fc from 'fast-check';
import { b64uDecode, b64uEncode, b64uJson } from './base64url.ts';
import { createEs256Signer, decodeCompactJws, JwsError, signJws, verifyCompactJws, type JwsAlgorithm } from './jwt.ts';
import { exportPublicJwk, importPublicJwk, jwkThumbprint, JwkError, PublicKeyCache } from './jwk.ts';

const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ec384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ed = generateKeyPairSync('ed25519');

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof JwsError) return e.code;
    throw e;
  }
  return 'ok';
}

const only = (k: KeyObject) => () => k;

test('ES256 signer round-trips and carries kid and typ', () => {
  const signer = createEs256Signer(ec.privateKey, 'k1');
  const t = signer.sign({ sub: 'u1', n: 1 }, { typ: 'at+jwt' });
  const { header, payload } = verifyCompactJws(t, (h) => (h.kid === 'k1' ? ec.publicKey : undefined), { algorithms: ['ES256'], typ: 'at+jwt' });
  assert.deepEqual(header, { alg: 'ES256', typ: 'at+jwt', kid: 'k1' });
  assert.deepEqual(payload, { sub: 'u1', n: 1 });
  // the cached header is reused, extras are not
  const t2 = signer.sign({ a: 1 }, { typ: 'at+jwt', nonce: 'x' });
  assert.equal(decodeCompactJws(t2).header.nonce, 'x');
  assert.equal(code(() => verifyCompactJws(t, only(ec.publicKey), { algorithms: ['ES256'], typ: 'dpop+jwt' })), 'bad_typ');
  assert.equal(code(() => verifyCompactJws(t, () => undefined, { algorithms: ['ES256'] })), 'unknown_key');
});

test('tokens interoperate with jose in both directions', async () => {
  const signer = createEs256Signer(ec.privateKey, 'k1');
  const ours = signer.sign({ sub: 'x' }, { typ: 'at+jwt' });
  const r = await jose.jwtVerify(ours, ec.publicKey, { typ: 'at+jwt' });
  assert.equal(r.payload.sub, 'x');
  for (const [alg, kp] of [['ES256', ec], ['PS256', rsa], ['RS256', rsa], ['EdDSA', ed], ['ES384', ec384]] as const) {
    const theirs = await new jose.SignJWT({ a: alg }).setProtectedHeader({ alg }).sign(kp.privateKey);
    assert.equal(verifyCompactJws(theirs, only(kp.publicKey), { algorithms: [alg] }).payload.a, alg);
    const mine = signJws({ alg }, { a: alg }, kp.privateKey);
    assert.equal((await jose.jwtVerify(mine, kp.publicKey)).payload.a, alg);
  }
  const secret = createSecretKey(Buffer.alloc(32, 7));
  const hs = signJws({ alg: 'HS256' }, { a: 1 }, secret);
  assert.equal((await jose.jwtVerify(hs, secret)).payload.a, 1);
  assert.equal(verifyCompactJws(hs, only(secret), { algorithms: ['HS256'] }).payload.a, 1);
});

test('alg none is rejected even if a caller lists it', () => {
  const t = `${b64uJson({ alg: 'none' })}.${b64uJson({ sub: 'admin' })}.`;
  assert.equal(code(() => verifyCompactJws(t, only(ec.publicKey), { algorithms: ['ES256'] })), 'malformed');
  const t2 = `${b64uJson({ alg: 'none' })}.${b64uJson({ sub: 'admin' })}.AAAA`;
  assert.equal(code(() => verifyCompactJws(t2, only(ec.publicKey), { algorithms: ['none' as JwsAlgorithm, 'ES256'] })), 'alg_not_allowed');
});

test('HMAC-with-the-public-key confusion fails (RFC 8725 §2.1)', () => {
  for (const secretBytes of [
    Buffer.from(ec.publicKey.export({ format: 'pem', type: 'spki' })),
    Buffer.from(JSON.stringify(ec.publicKey.export({ format: 'jwk' }))),
    ec.publicKey.export({ format: 'der', type: 'spki' }),
  ]) {
    const input = `${b64uJson({ alg: 'HS256', kid: 'k1' })}.${b64uJson({ sub: 'admin' })}`;
    const forged = `${input}.${createHmac('sha256', secretBytes).update(input).digest('base64url')}`;
    assert.equal(code(() => verifyCompactJws(forged, only(ec.publicKey), { algorithms: ['ES256'] })), 'alg_not_allowed');
    // even a verifier that (wrongly) allows HS256 refuses to use an EC key as a secret
    assert.equal(code(() => verifyCompactJws(forged, only(ec.publicKey), { algorithms: ['ES256', 'HS256'] })), 'key_mismatch');
  }
});

test('key type must match alg: RS256 on an EC key, ES256 on RSA, ES384 on P-256', () => {
  const rs = signJws({ alg: 'RS256' }, { a: 1 }, rsa.privateKey);
  assert.equal(code(() => verifyCompactJws(rs, only(ec.publicKey), { algorithms: ['ES256', 'RS256'] })), 'key_mismatch');
  const es = signJws({ alg: 'ES256' }, { a: 1 }, ec.privateKey);
  assert.equal(code(() => verifyCompactJws(es, only(rsa.publicKey), { algorithms: ['ES256', 'RS256'] })), 'key_mismatch');
  const relabeled = `${b64uJson({ alg: 'ES384' })}.${es.split('.')[1]}.${es.split('.')[2]}`;
  assert.equal(code(() => verifyCompactJws(relabeled, only(ec.publicKey), { algorithms: ['ES256', 'ES384'] })), 'key_mismatch');
  assert.equal(code(() => verifyCompactJws(es, only(ec384.publicKey), { algorithms: ['ES256', 'ES384'] })), 'key_mismatch');
  assert.throws(() => signJws({ alg: 'ES256' }, {}, rsa.privateKey), JwsError);
  assert.throws(() => createEs256Signer(ec384.privateKey, 'k'), JwsError);
  // HMAC keys shorter than the hash output are refused
  const short = createSecretKey(Buffer.alloc(16, 1));
  const hs = `${b64uJson({ alg: 'HS256' })}.${b64uJson({})}`;
  const t = `${hs}.${createHmac('sha256', short).update(hs).digest('base64url')}`;
  assert.equal(code(() => verifyCompactJws(t, only(short), { algorithms: ['HS256'] })), 'key_mismatch');
});

test('crit, jku, x5u and x5c headers are rejected before any key lookup', () => {
  let lookups = 0;
  const getKey = () => {
    lookups++;
    return ec.publicKey;
  };
  for (const extra of <Record<string, unknown>[]>[{ crit: ['exp'] }, { crit: ['b64'], b64: false }, { jku: 'https://evil/jwks' }, { x5u: 'https://evil/x' }, { x5c: ['MII'] }, { kid: 7 }]) {
    const t = signJws({ alg: 'ES256', ...extra }, { a: 1 }, ec.privateKey);
    assert.equal(code(() => verifyCompactJws(t, getKey, { algorithms: ['ES256'] })), 'bad_header', JSON.stringify(extra));
  }
  assert.equal(lookups, 0);
});

test('tampering and bad signatures fail', () => {
  const t = signJws({ alg: 'ES256' }, { role: 'user' }, ec.privateKey);
  const [h, , s] = t.split('.');
  const tampered = `${h}.${b64uJson({ role: 'admin' })}.${s}`;
  assert.equal(code(() => verifyCompactJws(tampered, only(ec.publicKey), { algorithms: ['ES256'] })), 'bad_signature');
  // DER-encoded signature (wrong encoding for JWS) is refused by length
  const der = `${h}.${t.split('.')[1]}.${b64uEncode(Buffer.alloc(70, 1))}`;
  assert.equal(code(() => verifyCompactJws(der, only(ec.publicKey), { algorithms: ['ES256'] })), 'bad_signature');
  const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  assert.equal(code(() => verifyCompactJws(t, only(other.publicKey), { algorithms: ['ES256'] })), 'bad_signature');
  // zero signature (r = s = 0) is invalid
  const zero = `${h}.${t.split('.')[1]}.${b64uEncode(Buffer.alloc(64))}`;
  assert.equal(code(() => verifyCompactJws(zero, only(ec.publicKey), { algorithms: ['ES256'] })), 'bad_signature');
});

test('garbage input: malformed compact serialisations give JwsError, never a crash', () => {
  const opts = { algorithms: ['ES256'] as const };
  const cases: unknown[] = [
    undefined, null, 42, {}, [], '', '.', '..', 'a.b', 'a.b.c.d', 'a..c', '.b.c', 'a.b.',
    `${b64uJson({ alg: 'ES256' })}.${b64uJson([1])}.AAAA`,
    `${b64uJson([1])}.${b64uJson({})}.AAAA`,
    `${b64uJson('str')}.${b64uJson({})}.AAAA`,
    `${b64uJson({ alg: 5 })}.${b64uJson({})}.AAAA`,
    `${b64uJson({ alg: 'ES256' })}.${b64uJson({})}.AA=A`,
    `${b64uJson({ alg: 'ES256' })}.e30*.AAAA`,
    `${b64uJson({ alg: 'ES256' })}.${b64uEncode('{"a":')}.AAAA`,
    `${b64uJson({ alg: 'ES256' })}.${b64uJson({})}.A`,
    'x'.repeat(1_000_000),
  ];
  for (const c of cases) {
    const got = code(() => verifyCompactJws(c, only(ec.publicKey), opts));
    assert.ok(['malformed', 'too_large', 'bad_header', 'bad_signature'].includes(got), `${String(c).slice(0, 40)} → ${got}`);
  }
  fc.assert(
    fc.property(fc.string({ maxLength: 300 }), fc.string({ maxLength: 50 }), fc.string({ maxLength: 50 }), (a, b, c) => {
      const got = code(() => verifyCompactJws(`${a}.${b}.${c}`, only(ec.publicKey), opts));
      return got !== 'ok';
    }),
  );
});

test('strict base64url', () => {
  assert.deepEqual(b64uDecode('AQID'), Buffer.from([1, 2, 3]));
  for (const bad of ['AQ==', 'A+B/', 'A', 'AQ ID', 'A\nQ']) assert.throws(() => b64uDecode(bad), TypeError, bad);
});

test('RFC 7638 §3.1 thumbprint vector, and EC/OKP thumbprints agree with jose', async () => {
  const n =
    '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw';
  assert.equal(jwkThumbprint({ kty: 'RSA', n, e: 'AQAB', alg: 'RS256', kid: '2011-04-29' }), 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  for (const kp of [ec, ed, rsa]) {
    const jwk = exportPublicJwk(kp.publicKey);
    assert.equal(jwkThumbprint(jwk), await jose.calculateJwkThumbprint(jwk as jose.JWK));
    assert.equal(new PublicKeyCache().get(jwk).jkt, jwkThumbprint(jwk));
  }
});

test('public JWK import rejects private members, bad curves and off-curve points', () => {
  const priv = ec.privateKey.export({ format: 'jwk' });
  assert.throws(() => importPublicJwk(priv), JwkError);
  assert.throws(() => jwkThumbprint(priv), JwkError);
  const pub = exportPublicJwk(ec.publicKey);
  assert.throws(() => importPublicJwk({ ...pub, crv: 'secp256k1' }), JwkError);
  assert.throws(() => importPublicJwk({ ...pub, x: pub.x!.slice(2) }), JwkError);
  assert.throws(() => importPublicJwk({ ...pub, y: b64uEncode(Buffer.alloc(32, 1)) }), JwkError);
  assert.throws(() => importPublicJwk({ kty: 'RSA', n: b64uEncode(Buffer.alloc(128, 0xff)), e: 'AQAB' }), JwkError);
  for (const bad of [null, 'x', [], { kty: 'oct', k: 'AAAA' }, { kty: 'EC' }, { kty: 'EC', crv: 'P-256', x: 1, y: 2 }]) {
    assert.throws(() => importPublicJwk(bad), JwkError);
  }
  assert.equal(importPublicJwk({ ...pub, alg: 'ES256', use: 'sig' }).asymmetricKeyType, 'ec');
});

test('header cache: parsed once per segment, frozen, bounded, and checks still run on every use', () => {
  const cache = new Map();
  const t1 = signJws({ alg: 'ES256', typ: 'dpop+jwt', jwk: exportPublicJwk(ec.publicKey) }, { a: 1 }, ec.privateKey);
  const t2 = signJws({ alg: 'ES256', typ: 'dpop+jwt', jwk: exportPublicJwk(ec.publicKey) }, { a: 2 }, ec.privateKey);
  const h1 = decodeCompactJws(t1, undefined, cache).header;
  const h2 = decodeCompactJws(t2, undefined, cache).header;
  assert.equal(h1, h2, 'same object for the same segment');
  assert.ok(Object.isFrozen(h1) && Object.isFrozen(h1.jwk));
  assert.throws(() => {
    (h1 as { alg: string }).alg = 'none';
  }, TypeError);
  assert.equal(code(() => verifyCompactJws(t1, only(ec.publicKey), { algorithms: ['ES384'] })), 'alg_not_allowed');
  for (let i = 0; i < 1100; i++) decodeCompactJws(signJws({ alg: 'ES256', n: i }, {}, ec.privateKey), undefined, cache);
  assert.ok(cache.size <= 1024);
  assert.equal(code(() => decodeCompactJws(`${b64uJson({ typ: 'x' })}.${b64uJson({})}.AAAA`, undefined, cache)), 'bad_header');
});
