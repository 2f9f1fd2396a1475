// tessera/resource against a real local JWKS/discovery server and real keys.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHmac, generateKeyPairSync, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import fc from 'fast-check';
import Fastify from 'fastify';
import { createEs256Signer, signJws } from '../../src/crypto/jwt.ts';
import { exportPublicJwk, jwkThumbprint } from '../../src/crypto/jwk.ts';
import { b64uJson } from '../../src/crypto/base64url.ts';
import { accessTokenHash } from '../../src/binding/dpop.ts';
import { createHmacNonceService } from '../../src/binding/nonce.ts';
import { OAuthError } from '../../src/errors/oauth.ts';
import { createVerifier, expressMiddleware, fastifyOnRequest, nodeHttpGuard, type VerifierOptions, type Principal } from '../../sdk/resource/index.ts';

const TENANT = '11111111-2222-3333-4444-555555555555';
const signing = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const keys: { kid: string; pub: KeyObject }[] = [{ kid: 'k1', pub: signing.publicKey }];
let jwksHits = 0;
const idp = http.createServer((req, res) => {
  const base = `http://127.0.0.1:${(idp.address() as AddressInfo).port}/${TENANT}`;
  if (req.url === `/${TENANT}/v2.0/.well-known/openid-configuration`) {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ issuer: `${base}/v2.0`, jwks_uri: `${base}/discovery/v2.0/keys` }));
  } else if (req.url === `/${TENANT}/discovery/v2.0/keys`) {
    jwksHits++;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: [...keys.map((k) => ({ ...exportPublicJwk(k.pub), kid: k.kid, use: 'sig', alg: 'ES256' })), { kty: 'oct', k: 'AAAA', kid: 'sym' }, { kty: 'EC', kid: 'junk' }, { ...exportPublicJwk(signing.publicKey), kid: 'pinned', alg: 'ES384' }] }));
  } else {
    res.statusCode = 404;
    res.end();
  }
});
await new Promise<void>((r) => idp.listen(0, '127.0.0.1', r));
after(() => idp.close());
const AUTHORITY = `http://127.0.0.1:${(idp.address() as AddressInfo).port}/${TENANT}`;
const ISSUER = `${AUTHORITY}/v2.0`;
const JWKS = `${AUTHORITY}/discovery/v2.0/keys`;
const API = 'https://api.example.com/orders';
const AUD = 'api://orders';

const signer = createEs256Signer(signing.privateKey, 'k1');
const dpopKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const dpopJwk = exportPublicJwk(dpopKey.publicKey);
const jkt = jwkThumbprint(dpopJwk);
const now = () => Math.floor(Date.now() / 1000);

function token(extra: Record<string, unknown> = {}, s = signer): string {
  const t = now();
  return s.sign({ iss: ISSUER, aud: AUD, sub: 'user-1', oid: 'oid-1', tid: TENANT, sid: 'sid-1', azp: 'app-1', scp: 'Orders.Read Orders.Write', amr: ['pwd', 'mfa'], iat: t, nbf: t, exp: t + 3600, jti: randomUUID(), ...extra }, { typ: 'at+jwt' });
}
function proof(at: string | undefined, extra: Record<string, unknown> = {}, key = dpopKey, jwk = dpopJwk): string {
  const claims: Record<string, unknown> = { jti: randomUUID(), htm: 'GET', htu: API, iat: now(), ...extra };
  if (at !== undefined && !('ath' in extra)) claims.ath = accessTokenHash(at);
  return signJws({ alg: 'ES256', typ: 'dpop+jwt', jwk }, claims, key.privateKey);
}
const verifier = (o: Partial<VerifierOptions> = {}) => createVerifier({ issuer: ISSUER, audience: AUD, jwksUri: JWKS, ...o });
const req = (headers: Record<string, string>, method = 'GET', url = API) => ({ method, url, headers });

async function fail(p: Promise<unknown>): Promise<OAuthError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof OAuthError, String(e));
    return e;
  }
  assert.fail('expected an OAuthError');
}

test('a bearer token verifies into a typed principal (JWKS found by discovery)', async () => {
  const v = createVerifier({ issuer: ISSUER, audience: [AUD, 'other'] });
  const p = await v.verify(req({ authorization: `Bearer ${token({ deviceid: 'dev-9', roles: ['Admin'] })}` }));
  assert.equal(p.subject, 'user-1');
  assert.equal(p.oid, 'oid-1');
  assert.equal(p.tenantId, TENANT);
  assert.deepEqual(p.scopes, ['Orders.Read', 'Orders.Write']);
  assert.deepEqual(p.roles, ['Admin']);
  assert.equal(p.appId, 'app-1');
  assert.equal(p.sessionId, 'sid-1');
  assert.equal(p.deviceId, 'dev-9');
  assert.deepEqual(p.authMethods, ['pwd', 'mfa']);
  assert.equal(p.scheme, 'Bearer');
  assert.equal(p.jkt, undefined);
  const bad = createVerifier({ issuer: `${ISSUER}x`, audience: AUD });
  await assert.rejects(bad.verify(req({ authorization: `Bearer ${token()}` })));
});

test('a DPoP-bound token verifies with its proof; replay, wrong key, wrong URL/method fail', async () => {
  const v = verifier();
  const at = token({ cnf: { jkt } });
  const pr = proof(at);
  const p = await v.verify(req({ authorization: `DPoP ${at}`, dpop: pr }));
  assert.equal(p.jkt, jkt);
  assert.equal(p.scheme, 'DPoP');
  assert.equal((await fail(v.verify(req({ authorization: `DPoP ${at}`, dpop: pr })))).code, 'invalid_dpop_proof');
  const b = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const eB = await fail(v.verify(req({ authorization: `DPoP ${at}`, dpop: proof(at, {}, b, exportPublicJwk(b.publicKey)) })));
  assert.equal(eB.code, 'invalid_token');
  assert.equal(eB.status, 401);
  assert.match(eB.headers['WWW-Authenticate']!, /^DPoP algs="[^"]*ES256[^"]*", error="invalid_token"/);
  assert.equal((await fail(v.verify(req({ authorization: `DPoP ${at}`, dpop: proof(at, { htu: 'https://api.example.com/admin' }) })))).code, 'invalid_dpop_proof');
  assert.equal((await fail(v.verify(req({ authorization: `DPoP ${at}`, dpop: proof(at, { htm: 'POST' }) })))).code, 'invalid_dpop_proof');
  assert.equal((await fail(v.verify(req({ authorization: `DPoP ${at}`, dpop: proof(at, { iat: now() - 300 }) })))).code, 'invalid_dpop_proof');
  assert.equal((await fail(v.verify(req({ authorization: `DPoP ${at}`, dpop: proof(at, { ath: undefined }) })))).code, 'invalid_dpop_proof');
  assert.equal((await fail(v.verify(req({ authorization: `DPoP ${at}`, dpop: proof(token({ cnf: { jkt } })) })))).code, 'invalid_dpop_proof', 'ath of another token');
  assert.equal((await fail(v.verify(req({ authorization: `DPoP ${at}` })))).code, 'invalid_dpop_proof');
  // query strings are not part of htu
  await v.verify(req({ authorization: `DPoP ${at}`, dpop: proof(at) }, 'GET', `${API}?page=2`));
});

test('a DPoP-bound token presented as Bearer is rejected (RFC 9449 §7.1); DPoP scheme needs a bound token', async () => {
  const v = verifier();
  const at = token({ cnf: { jkt } });
  const e = await fail(v.verify(req({ authorization: `Bearer ${at}`, dpop: proof(at) })));
  assert.equal(e.code, 'invalid_token');
  assert.match(e.headers['WWW-Authenticate']!, /^DPoP /);
  const unbound = token();
  assert.equal((await fail(v.verify(req({ authorization: `DPoP ${unbound}`, dpop: proof(unbound) })))).code, 'invalid_token');
  const strict = verifier({ dpop: { required: true } });
  assert.equal((await fail(strict.verify(req({ authorization: `Bearer ${unbound}` })))).code, 'invalid_token');
  assert.equal((await fail(v.verify(req({ authorization: `Bearer ${token({ cnf: { x5t: 'abc' } })}` })))).code, 'invalid_token');
});

test('resource nonces: use_dpop_nonce with DPoP-Nonce, then success', async () => {
  const nonce = createHmacNonceService({ secrets: [randomBytes(32)], label: 'dpop', context: AUD });
  const v = verifier({ dpop: { nonce } });
  const at = token({ cnf: { jkt } });
  const e = await fail(v.verify(req({ authorization: `DPoP ${at}`, dpop: proof(at) })));
  assert.equal(e.code, 'use_dpop_nonce');
  assert.equal(e.status, 401);
  assert.match(e.headers['WWW-Authenticate']!, /error="use_dpop_nonce"/);
  const n = e.headers['DPoP-Nonce']!;
  assert.ok(n);
  const p = await v.verify(req({ authorization: `DPoP ${at}`, dpop: proof(at, { nonce: n }) }));
  assert.equal(p.jkt, jkt);
  const none = await fail(v.verify(req({})));
  assert.equal(nonce.check(none.headers['DPoP-Nonce'], now()), 'valid', 'a request without credentials is handed a nonce too');
});

test('token checks: expiry with skew, nbf, audience, issuer, typ, alg none, HMAC confusion, tampering', async () => {
  const v = verifier({ clockSkewSec: 30 });
  const expect401 = async (t: string, why: string) => {
    const e = await fail(v.verify(req({ authorization: `Bearer ${t}` })));
    assert.equal(e.code, 'invalid_token', why);
    assert.equal(e.status, 401, why);
    assert.match(e.headers['WWW-Authenticate']!, /^Bearer error="invalid_token"/, why);
  };
  await v.verify(req({ authorization: `Bearer ${token({ exp: now() - 10 })}` }));
  await expect401(token({ exp: now() - 31 }), 'expired');
  await expect401(token({ nbf: now() + 120 }), 'nbf');
  await expect401(token({ aud: 'api://other' }), 'aud');
  await expect401(token({ iss: 'http://evil/v2.0' }), 'iss');
  await expect401(token({ sub: undefined }), 'sub');
  await expect401(createEs256Signer(signing.privateKey, 'k1').sign({ iss: ISSUER, aud: AUD, sub: 'x', exp: now() + 60 }), 'typ JWT is not at+jwt');
  const good = token();
  const [h, p] = good.split('.');
  await expect401(`${b64uJson({ alg: 'none', typ: 'at+jwt', kid: 'k1' })}.${p}.AAAA`, 'alg none');
  const pem = signing.publicKey.export({ format: 'pem', type: 'spki' });
  const hsInput = `${b64uJson({ alg: 'HS256', typ: 'at+jwt', kid: 'k1' })}.${p}`;
  await expect401(`${hsInput}.${createHmac('sha256', pem).update(hsInput).digest('base64url')}`, 'HS256 with the public key');
  await expect401(`${h}.${b64uJson({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), scp: 'Admin' })}.${good.split('.')[2]}`, 'tampered');
  const rogue = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  await expect401(token({}, createEs256Signer(rogue.privateKey, 'k1')), 'signed by another key under a known kid');
  await expect401(token({}, createEs256Signer(rogue.privateKey, 'sym')), 'symmetric JWKS entry is ignored');
  await expect401(token({}, createEs256Signer(signing.privateKey, 'pinned')), 'JWK pinned to another alg');
});

test('unknown kid refreshes the JWKS (key rotation), rate-limited against floods', async () => {
  const v = verifier({ jwks: { minRefreshIntervalMs: 60_000 } });
  await v.verify(req({ authorization: `Bearer ${token()}` }));
  const before = jwksHits;
  const k2 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  keys.push({ kid: 'k2', pub: k2.publicKey });
  // a verifier without cool-down picks the rotated key up on first sight of its kid
  const v2 = verifier({ jwks: { minRefreshIntervalMs: 0 } });
  const p = await v2.verify(req({ authorization: `Bearer ${token({}, createEs256Signer(k2.privateKey, 'k2'))}` }));
  assert.equal(p.subject, 'user-1');
  const hits = jwksHits;
  for (let i = 0; i < 20; i++) {
    await fail(v.verify(req({ authorization: `Bearer ${token({}, createEs256Signer(k2.privateKey, `made-up-${i}`))}` })));
  }
  assert.ok(jwksHits - hits <= 1, `flood of unknown kids caused ${jwksHits - hits} fetches`);
  assert.ok(before >= 1);
  keys.pop();
});

test('insufficient_scope answers 403 with the scope; roles satisfy app-only tokens; per-route scopes', async () => {
  const v = verifier({ requiredScopes: ['Orders.Admin'], requiredRoles: ['Orders.Manage'] });
  const e = await fail(v.verify(req({ authorization: `Bearer ${token()}` })));
  assert.equal(e.code, 'insufficient_scope');
  assert.equal(e.status, 403);
  assert.match(e.headers['WWW-Authenticate']!, /error="insufficient_scope".*scope="Orders.Admin Orders.Manage"/);
  await v.verify(req({ authorization: `Bearer ${token({ scp: undefined, roles: ['Orders.Manage'] })}` }));
  await v.verify(req({ authorization: `Bearer ${token({ scp: 'Orders.Admin' })}` }));
  await verifier().verify(req({ authorization: `Bearer ${token()}` }), { scopes: ['Orders.Read'] });
  await fail(verifier().verify(req({ authorization: `Bearer ${token()}` }), { scopes: ['Orders.Delete'] }));
});

test('missing or malformed credentials', async () => {
  const v = verifier();
  const none = await fail(v.verify(req({})));
  assert.equal(none.status, 401);
  assert.equal(none.headers['WWW-Authenticate'], `Bearer, DPoP algs="ES256 EdDSA PS256 RS256 ES384"`);
  assert.equal((await fail(v.verify(req({ authorization: 'Basic dXNlcjpwdw==' })))).status, 401);
  for (const a of ['Bearer', 'Bearer ', 'Bearer a b', 'Bearer "x"', `Bearer ${'a'.repeat(20_000)}`]) {
    const e = await fail(v.verify(req({ authorization: a })));
    assert.equal(e.code, 'invalid_request', a.slice(0, 20));
    assert.equal(e.status, 400);
  }
  const multi = await fail(v.verify({ method: 'GET', url: API, headers: { authorization: ['Bearer a', 'Bearer b'] } }));
  assert.equal(multi.code, 'invalid_request');
  const at = token({ cnf: { jkt } });
  const two = await fail(v.verify({ method: 'GET', url: API, headers: { authorization: `DPoP ${at}`, dpop: [proof(at), proof(at)] } }));
  assert.equal(two.code, 'invalid_dpop_proof');
});

test('garbage tokens never escape as anything but invalid_token/invalid_request', async () => {
  const v = verifier();
  await fc.assert(
    fc.asyncProperty(fc.stringMatching(/^[A-Za-z0-9._~+/-]{1,300}$/), async (t) => {
      const e = await fail(v.verify(req({ authorization: `Bearer ${t}` })));
      return e.code === 'invalid_token' || e.code === 'invalid_request';
    }),
    { numRuns: 150 },
  );
});

test('adapters: node http guard, express-style middleware, fastify onRequest hook', async () => {
  const v = verifier();
  const at = token({ cnf: { jkt } });
  // node http
  const guard = nodeHttpGuard(v, { origin: 'https://api.example.com' });
  const api = http.createServer(async (rq, rs) => {
    const p = await guard(rq, rs);
    if (p) rs.end(JSON.stringify({ sub: p.subject }));
  });
  await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  const ok = await fetch(`${base}/orders?x=1`, { headers: { authorization: `DPoP ${at}`, dpop: proof(at) } });
  assert.equal(ok.status, 200);
  assert.deepEqual(await ok.json(), { sub: 'user-1' });
  const no = await fetch(`${base}/orders`, { headers: { authorization: `Bearer ${at}` } });
  assert.equal(no.status, 401);
  assert.match(no.headers.get('www-authenticate')!, /error="invalid_token"/);
  assert.equal(((await no.json()) as { error: string }).error, 'invalid_token');
  api.close();

  // express-style (the minimal shapes the middleware types)
  const mw = expressMiddleware(v, { origin: 'https://api.example.com' });
  const run = (headers: Record<string, string>) =>
    new Promise<{ status: number; principal?: Principal; headers: Record<string, string>; body?: string }>((resolve) => {
      const rq = { method: 'GET', url: '/orders', originalUrl: '/orders', headers } as { method: string; url: string; originalUrl: string; headers: Record<string, string>; principal?: Principal };
      const out = { status: 200, headers: {} as Record<string, string> };
      const rs = { statusCode: 200, setHeader: (k: string, val: string) => (out.headers[k] = val), end: (b?: string) => resolve({ ...out, status: rs.statusCode, body: b }) };
      mw(rq, rs, () => resolve({ ...out, principal: rq.principal! }));
    });
  const e1 = await run({ authorization: `DPoP ${at}`, dpop: proof(at) });
  assert.equal(e1.principal?.jkt, jkt);
  const e2 = await run({});
  assert.equal(e2.status, 401);
  assert.match(e2.headers['WWW-Authenticate']!, /^Bearer, DPoP/);

  // fastify
  const app = Fastify();
  app.addHook('onRequest', fastifyOnRequest(v, { origin: 'https://api.example.com', scopes: ['Orders.Read'] }));
  app.get('/orders', async (request) => ({ sub: request.principal!.subject, jkt: request.principal!.jkt }));
  const r1 = await app.inject({ method: 'GET', url: '/orders', headers: { authorization: `DPoP ${at}`, dpop: proof(at) } });
  assert.equal(r1.statusCode, 200);
  assert.deepEqual(r1.json(), { sub: 'user-1', jkt });
  const r2 = await app.inject({ method: 'GET', url: '/orders', headers: { authorization: `DPoP ${at}`, dpop: proof(at, { htm: 'POST' }) } });
  assert.equal(r2.statusCode, 401);
  assert.equal(r2.json().error, 'invalid_dpop_proof');
  const r3 = await app.inject({ method: 'GET', url: '/orders', headers: { authorization: `Bearer ${token({ scp: 'Other' })}` } });
  assert.equal(r3.statusCode, 403);
  assert.match(String(r3.headers['www-authenticate']), /insufficient_scope/);
  await app.close();
});

test('issuer unreachable before any key set loaded: 503 temporarily_unavailable, fetches rate-limited', async () => {
  let calls = 0;
  const down = createVerifier({
    issuer: ISSUER, audience: AUD, jwksUri: 'http://jwks.invalid/keys', jwks: { retryWhileDownMs: 3_600_000 },
    fetch: async () => {
      calls++;
      return new Response('oops', { status: 500 });
    },
  });
  for (let i = 0; i < 5; i++) {
    const e = await fail(down.verify(req({ authorization: `Bearer ${token()}` })));
    assert.equal(e.code, 'temporarily_unavailable');
    assert.equal(e.status, 503);
  }
  assert.equal(calls, 1, 'one fetch per retryWhileDownMs while down');
  const noDiscovery = createVerifier({ issuer: `${AUTHORITY}/nope/v2.0`, audience: AUD });
  assert.equal((await fail(noDiscovery.verify(req({ authorization: `Bearer ${token()}` })))).status, 503);
});

test('JWKS parsing skips private, symmetric, encryption and malformed keys; garbage documents throw', async () => {
  const { parseJwks } = await import('../../sdk/resource/index.ts');
  const pub = exportPublicJwk(signing.publicKey);
  const priv = signing.privateKey.export({ format: 'jwk' });
  const keys = parseJwks({
    keys: [
      { ...pub, kid: 'ok' },
      { ...priv, kid: 'private' },
      { ...pub, kid: 'enc', use: 'enc' },
      { ...pub },
      { kty: 'oct', k: 'AAAA', kid: 'sym' },
      { ...pub, kid: 'off-curve', y: pub.x },
      null,
      'junk',
    ],
  });
  assert.deepEqual([...keys.keys()], ['ok']);
  for (const g of [null, {}, { keys: 'x' }, 5, 'str']) assert.throws(() => parseJwks(g), TypeError);
  fc.assert(fc.property(fc.anything(), (g) => {
    try {
      parseJwks(g);
    } catch (e) {
      return e instanceof TypeError;
    }
    return true;
  }));
});

test('the per-token parse cache never caches a verdict: signatures and permissions are checked on every request', async () => {
  const v = verifier();
  const good = token();
  const [h, p, sig] = good.split('.');
  const forged = `${h}.${b64uJson({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), sub: 'admin' })}.${sig}`;
  for (let i = 0; i < 2; i++) assert.equal((await fail(v.verify(req({ authorization: `Bearer ${forged}` })))).code, 'invalid_token');
  const p1 = await v.verify(req({ authorization: `Bearer ${good}` }));
  assert.ok(Object.isFrozen(p1.claims));
  assert.equal((await fail(v.verify(req({ authorization: `Bearer ${good}` }), { scopes: ['Orders.Delete'] }))).code, 'insufficient_scope');
  // the same bound token: each request still needs its own fresh proof
  const at = token({ cnf: { jkt } });
  const pr = proof(at);
  await v.verify(req({ authorization: `DPoP ${at}`, dpop: pr }));
  assert.equal((await fail(v.verify(req({ authorization: `DPoP ${at}`, dpop: pr })))).code, 'invalid_dpop_proof');
});
