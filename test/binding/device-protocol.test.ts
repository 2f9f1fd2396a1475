// The device protocol end to end at the crypto level: the device SDK's key store and proof builders
// against the server's verifiers (docs/token-protection.md §3). HTTP endpoints are the core's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { SoftwareKeyStore } from '../../sdk/device/software-key-store.ts';
import { acceptSessionKey, buildDeviceRequest, buildRegistrationProof, buildSessionProof, signWithKeyStore } from '../../sdk/device/proofs.ts';
import { verifyDeviceRequest, verifyRegistrationProof } from '../../src/binding/device-proof.ts';
import { issueSessionKey, verifySessionProof, type SessionProofOptions } from '../../src/binding/session-key.ts';
import { createHmacNonceService } from '../../src/binding/nonce.ts';
import { MemoryReplayCache } from '../../src/binding/replay-cache.ts';
import { createAesGcmSealer } from '../../src/binding/seal.ts';
import { signJws } from '../../src/crypto/jwt.ts';
import { exportPublicJwk } from '../../src/crypto/jwk.ts';
import { OAuthError } from '../../src/errors/oauth.ts';

const AUD = 'http://localhost:8080/tenant-1';
const nonces = createHmacNonceService({ secrets: [randomBytes(32)], label: 'device' });
const sealer = createAesGcmSealer(randomBytes(32));
const now = () => Math.floor(Date.now() / 1000);

async function device(transport: 'ECDH-ES+A256KW' | 'RSA-OAEP-256' = 'ECDH-ES+A256KW') {
  const store = await SoftwareKeyStore.open({ dir: join(mkdtempSync(join(tmpdir(), 'tessera-dev-')), 'keys') });
  await store.generate('device', 'ES256');
  await store.generate('transport', transport);
  await store.generate('dpop', 'ES256');
  return store;
}

async function fail(p: Promise<unknown>): Promise<OAuthError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof OAuthError, String(e));
    return e;
  }
  assert.fail('expected an OAuthError');
}

const serverOpts = () => ({ audience: AUD, nonce: nonces, replay: new MemoryReplayCache(), now: now() });

test('register, log in, receive the session key, and refresh with session proofs (both transport kinds)', async () => {
  for (const kind of ['ECDH-ES+A256KW', 'RSA-OAEP-256'] as const) {
    const store = await device(kind);
    const o = serverOpts();
    // 1. registration
    const regProof = await buildRegistrationProof(store, { audience: AUD, nonce: nonces.current(now()), device: { displayName: 'laptop', operatingSystem: 'Linux', operatingSystemVersion: '6.8', trustType: 'Workplace' } });
    const reg = await verifyRegistrationProof(regProof, o);
    assert.equal(reg.deviceKeyJkt, (await store.get('device'))?.jkt);
    assert.equal(reg.transportKeyJkt, (await store.get('transport'))?.jkt);
    assert.equal(reg.transportAlg, kind);
    assert.deepEqual(reg.device, { displayName: 'laptop', operatingSystem: 'Linux', operatingSystemVersion: '6.8', trustType: 'Workplace' });
    assert.equal((await fail(verifyRegistrationProof(regProof, o))).extra.suberror, 'device_proof_replayed');
    // 2. login with the device key
    const deviceId = 'dev-1';
    const login = await buildDeviceRequest(store, { audience: AUD, nonce: nonces.current(now()), deviceId, grant: 'password', params: { username: 'ada@contoso', password: 'pw', client_id: 'broker' } });
    const lr = await verifyDeviceRequest(login, { ...o, getDeviceKey: (id) => (id === deviceId ? reg.deviceJwk : undefined) });
    assert.equal(lr.grant, 'password');
    assert.equal(lr.claims.username, 'ada@contoso');
    // 3. session key to the device
    const sk = await issueSessionKey({ transportJwk: reg.transportJwk, transportAlg: reg.transportAlg, seal: sealer.seal });
    assert.ok(!sk.sealedKey.includes(sk.sessionKeyId));
    const info = await acceptSessionKey(store, { jwe: sk.encryptedForDevice, sessionKeyId: sk.sessionKeyId });
    assert.equal(info.kid, sk.sessionKeyId);
    // 4. session proof
    const sessionToken = 'tst_session_token_value';
    const dpopJkt = (await store.get('dpop'))!.jkt!;
    const proof = await buildSessionProof(store, { audience: AUD, nonce: nonces.current(now()), sessionKeyId: sk.sessionKeyId, sessionToken, clientId: 'app', scope: 'api://orders/.default', dpopJkt });
    const sOpts: SessionProofOptions = {
      ...o,
      sessionToken,
      loadSealedKey: (kid) => (kid === sk.sessionKeyId ? sk.sealedKey : undefined),
      unseal: sealer.unseal,
      expect: { clientId: 'app', scope: 'api://orders/.default', dpopJkt },
    };
    const r = await verifySessionProof(proof, sOpts);
    assert.equal(r.sessionKeyId, sk.sessionKeyId);
    assert.equal((await fail(verifySessionProof(proof, sOpts))).extra.suberror, 'device_proof_replayed');
  }
});

test('a registration proof signed by a key the client does not hold fails', async () => {
  const store = await device();
  const o = serverOpts();
  const good = await buildRegistrationProof(store, { audience: AUD, nonce: nonces.current(now()) });
  const [, payload] = good.split('.');
  const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
  // attacker puts a victim's public device key in the header but signs with their own key
  const victim = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const attacker = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const forged = signJws({ alg: 'ES256', typ: 'tessera-device-registration+jwt', jwk: exportPublicJwk(victim.publicKey) }, claims, attacker.privateKey);
  const e = await fail(verifyRegistrationProof(forged, o));
  assert.equal(e.code, 'invalid_request');
  assert.equal(e.extra.suberror, 'device_proof_invalid');
  assert.equal(e.aadsts, 50155);
});

test('registration proof checks: nonce, audience, lifetime, transport key', async () => {
  const store = await device();
  const o = serverOpts();
  const e1 = await fail(verifyRegistrationProof(await buildRegistrationProof(store, { audience: AUD, nonce: 'not-a-nonce' }), o));
  assert.equal(e1.extra.suberror, 'device_nonce_required');
  assert.equal(e1.extra.nonce, nonces.current(o.now));
  assert.equal(e1.headers['Tessera-Nonce'], nonces.current(o.now));
  const e2 = await fail(verifyRegistrationProof(await buildRegistrationProof(store, { audience: 'http://localhost:8080/other', nonce: nonces.current(now()) }), o));
  assert.match(e2.description, /audience/);
  const old = await buildRegistrationProof(store, { audience: AUD, nonce: nonces.current(now()), now: now() - 3600 });
  assert.match((await fail(verifyRegistrationProof(old, o))).description, /too old/);
  // transport key equal to the device key, or a private transport key, or a wrong alg label
  const dk = (await store.get('device'))!;
  const base = { aud: AUD, iat: now(), exp: now() + 300, jti: 'j1', nonce: nonces.current(now()) };
  for (const tk of [{ ...dk.publicJwk, alg: 'ECDH-ES+A256KW' }, { ...dk.publicJwk, alg: 'RSA-OAEP-256' }, { kty: 'EC', crv: 'P-256', alg: 'ECDH-ES+A256KW' }, undefined, 'x']) {
    const p = await signWithKeyStore(store, 'device', { typ: 'tessera-device-registration+jwt', jwk: dk.publicJwk }, { ...base, transport_key: tk });
    assert.equal((await fail(verifyRegistrationProof(p, o))).extra.suberror, 'device_proof_invalid');
  }
  const p = await signWithKeyStore(store, 'device', { typ: 'tessera-device-registration+jwt', jwk: dk.publicJwk }, { ...base, transport_key: { ...(await store.get('transport'))!.publicJwk, alg: 'ECDH-ES+A256KW' }, device: { operatingSystem: 5 } });
  assert.match((await fail(verifyRegistrationProof(p, o))).description, /device description/);
});

test('device requests: unknown device, wrong key, kid/device_id mismatch, bad grant', async () => {
  const store = await device();
  const other = await device();
  const o = serverOpts();
  const dk = (await store.get('device'))!.publicJwk!;
  const mk = (s = store, deviceId = 'd1', grant: 'password' = 'password') => buildDeviceRequest(s, { audience: AUD, nonce: nonces.current(now()), deviceId, grant, params: {} });
  const get = (id: string) => (id === 'd1' ? dk : undefined);
  assert.equal((await fail(verifyDeviceRequest(await mk(store, 'd2'), { ...o, getDeviceKey: get }))).extra.suberror, 'device_unknown');
  assert.equal((await fail(verifyDeviceRequest(await mk(other), { ...o, getDeviceKey: get }))).extra.suberror, 'device_proof_invalid');
  const bad = await signWithKeyStore(store, 'device', { typ: 'tessera-device-request+jwt', kid: 'd1' }, { device_id: 'd9', grant: 'password' });
  assert.match((await fail(verifyDeviceRequest(bad, { ...o, getDeviceKey: get }))).description, /kid/);
  const badGrant = await signWithKeyStore(store, 'device', { typ: 'tessera-device-request+jwt', kid: 'd1' }, { device_id: 'd1', grant: 'client_credentials' });
  assert.match((await fail(verifyDeviceRequest(badGrant, { ...o, getDeviceKey: get }))).description, /grant/);
  // a registration proof is not a device request (typ separation)
  const reg = await buildRegistrationProof(store, { audience: AUD, nonce: nonces.current(now()) });
  assert.match((await fail(verifyDeviceRequest(reg, { ...o, getDeviceKey: get }))).description, /malformed/);
  assert.equal((await verifyDeviceRequest(await mk(), { ...o, getDeviceKey: get })).deviceId, 'd1');
});

test('session proofs: stolen session token without the key, rolled key, another token, mismatched request', async () => {
  const store = await device();
  const thief = await device();
  const o = serverOpts();
  const reg = await verifyRegistrationProof(await buildRegistrationProof(store, { audience: AUD, nonce: nonces.current(now()) }), o);
  const sk = await issueSessionKey({ transportJwk: reg.transportJwk, transportAlg: reg.transportAlg, seal: sealer.seal });
  await acceptSessionKey(store, { jwe: sk.encryptedForDevice, sessionKeyId: sk.sessionKeyId });
  // the thief copied the session token and the JWE, but has no transport key to open it
  await assert.rejects(acceptSessionKey(thief, { jwe: sk.encryptedForDevice, sessionKeyId: sk.sessionKeyId }));
  const sessionToken = 'tst_abc';
  const sOpts = (extra: Partial<SessionProofOptions> = {}): SessionProofOptions => ({
    ...o, sessionToken, loadSealedKey: (kid) => (kid === sk.sessionKeyId ? sk.sealedKey : undefined), unseal: sealer.unseal, ...extra,
  });
  const proof = (x: Partial<Parameters<typeof buildSessionProof>[1]> = {}) =>
    buildSessionProof(store, { audience: AUD, nonce: nonces.current(now()), sessionKeyId: sk.sessionKeyId, sessionToken, ...x });
  // thief forges a proof with a key of their own under the same kid
  await thief.generate('sk-forged', 'ES256');
  const forged = signJws({ alg: 'HS256', typ: 'tessera-session+jwt', kid: sk.sessionKeyId }, { aud: AUD, iat: now(), exp: now() + 60, jti: 'x', nonce: nonces.current(now()), sth: 'x' }, (await import('node:crypto')).createSecretKey(randomBytes(32)));
  assert.equal((await fail(verifySessionProof(forged, sOpts()))).extra.suberror, 'session_proof_invalid');
  // key rolled over: server no longer knows the kid
  assert.equal((await fail(verifySessionProof(await proof(), sOpts({ loadSealedKey: () => undefined })))).extra.suberror, 'session_key_unknown');
  // sealed key from another row does not open (AAD binds it to its id)
  const other = await issueSessionKey({ transportJwk: reg.transportJwk, transportAlg: reg.transportAlg, seal: sealer.seal });
  assert.equal((await fail(verifySessionProof(await proof(), sOpts({ loadSealedKey: () => other.sealedKey })))).extra.suberror, 'session_key_unknown');
  // proof made for another session token
  assert.match((await fail(verifySessionProof(await proof({ sessionToken: 'tst_other' }), sOpts()))).description, /another session token/);
  // request parameters must match the signed ones
  assert.match((await fail(verifySessionProof(await proof({ clientId: 'a' }), sOpts({ expect: { clientId: 'b' } })))).description, /client_id/);
  assert.match((await fail(verifySessionProof(await proof({ scope: 's1' }), sOpts({ expect: { scope: 's2' } })))).description, /scope/);
  assert.match((await fail(verifySessionProof(await proof(), sOpts({ expect: { dpopJkt: 'abc' } })))).description, /dpop_jkt/);
  // stale nonce
  const stale = createHmacNonceService({ secrets: [randomBytes(32)], label: 'device' });
  assert.equal((await fail(verifySessionProof(await proof({ nonce: stale.current(now()) }), sOpts()))).extra.suberror, 'device_nonce_required');
  assert.equal((await verifySessionProof(await proof(), sOpts())).sessionKeyId, sk.sessionKeyId);
});

test('garbage input to every device verifier gives an OAuth error, never a crash', async () => {
  const o = serverOpts();
  const sOpts: SessionProofOptions = { ...o, sessionToken: 't', loadSealedKey: () => 'v1.AAAA', unseal: sealer.unseal };
  const inputs: unknown[] = [undefined, null, 5, {}, '', 'a.b.c', 'x'.repeat(100_000), `${'e30'}.${'e30'}.AAAA`];
  for (const g of inputs) {
    await fail(verifyRegistrationProof(g, o));
    await fail(verifyDeviceRequest(g, { ...o, getDeviceKey: () => undefined }));
    await fail(verifySessionProof(g, sOpts));
  }
  await fc.assert(
    fc.asyncProperty(fc.string({ maxLength: 200 }), fc.string({ maxLength: 200 }), async (a, b) => {
      const t = `${Buffer.from(a).toString('base64url')}.${Buffer.from(b).toString('base64url')}.AAAA`;
      await fail(verifyRegistrationProof(t, o));
      await fail(verifySessionProof(t, sOpts));
    }),
    { numRuns: 100 },
  );
  assert.equal(sealer.unseal('v1.AAAA', 'x'), undefined);
  assert.equal(sealer.unseal('garbage', 'x'), undefined);
});
