/**
 * Server-side unregistration (`POST /{tenant}/devices/unregister`): only the holder of the device
 * key can remove a device, and once it is removed every copy of its session token is worthless —
 * even to a thief who also copied the session key. Garbage gets clear OAuth errors, never a 500.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { buildDeviceRequest, buildUnregisterProof, DeviceClientError, MemoryKeyStore, type KeyStore } from '../../sdk/device/index.ts';
import { sha256 } from '../../src/util/ids.ts';
import { adminToken, graph } from '../helpers/server.ts';
import { API_SCOPE, agent, deviceNonce, enrolledAgent, lastSignIn, startWorld, tokenRequest, type World } from './harness.ts';
import { ecKey, es256, hs256, nowSec, recordingFetch, replay, unsigned } from './forge.ts';

type Res = { status: number; body: Record<string, any>; headers: Headers };

const fails = (error: string, suberror?: string) => (e: unknown) =>
  e instanceof DeviceClientError && e.error === error && (suberror === undefined || e.suberror === suberror);

describe('attack: unregistering a device', () => {
  let w: World;
  let admin: string;
  before(async () => { w = await startWorld(); admin = await adminToken(w.s); });
  after(async () => { await w.close(); });

  async function unregister(body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }, url = `${w.s.authority}/devices/unregister`): Promise<Res> {
    const res = await fetch(url, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
    const text = await res.text();
    let parsed: Record<string, any> = {};
    try { parsed = JSON.parse(text) as Record<string, any>; } catch { parsed = { raw: text }; }
    return { status: res.status, body: parsed, headers: res.headers };
  }

  const claims = async (deviceId: string, extra: Record<string, unknown> = {}) =>
    ({ aud: w.s.authority, iat: nowSec(), exp: nowSec() + 300, jti: randomUUID(), nonce: await deviceNonce(w.s), device_id: deviceId, ...extra });
  const proofBy = async (store: KeyStore, deviceId: string) => buildUnregisterProof(store, { audience: w.s.authority, nonce: await deviceNonce(w.s), deviceId });
  const exists = async (deviceId: string) => Boolean(await w.s.app.store.devices.getByDeviceId(w.s.tenantId, deviceId));

  function proofInvalid(r: Res, what: string): void {
    assert.equal(r.status, 400, `${what}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error, 'invalid_request', what);
    assert.equal(r.body.suberror, 'device_proof_invalid', what);
    assert.match(String(r.body.error_description), /^AADSTS50155: /, what);
  }

  test('with a key the caller does not hold: device_proof_invalid, the device and its session live on', async () => {
    const victim = await enrolledAgent(w);
    const victimJwk = (await victim.store.get('device'))!.publicJwk!;
    // The thief's own key (through the SDK), forged JWTs, and the thief's own registered device key.
    const thief = agent(w.s);
    await thief.store.generate('device', 'ES256');
    await assert.rejects(thief.client.unregister(victim.deviceId), fails('invalid_request', 'device_proof_invalid'));
    const header = { typ: 'tessera-device-unregister+jwt', kid: victim.deviceId };
    const registeredThief = await enrolledAgent(w, { operatingSystem: 'Linux' });
    for (const [what, proof] of [
      ['signed by another P-256 key', es256(header, await claims(victim.deviceId), ecKey().privateKey)],
      ['alg: none', unsigned(header, await claims(victim.deviceId))],
      ['HS256 keyed with the public device key', hs256(header, await claims(victim.deviceId), JSON.stringify(victimJwk))],
      ["the thief's registered device key, naming the victim", await proofBy(registeredThief.store, victim.deviceId)],
      ['the victim key in a jwk header (self-signed, registration style)', es256({ ...header, jwk: ecKey().jwk }, await claims(victim.deviceId), ecKey().privateKey)],
    ] as const) {
      proofInvalid(await unregister({ unregister_proof: proof }), what);
    }
    assert.ok(await exists(victim.deviceId));
    assert.ok(await exists(registeredThief.deviceId), "the thief's own device is untouched too");
    assert.ok((await victim.client.acquireToken(victim.session, { clientId: victim.clientId, scope: API_SCOPE })).access_token);
    assert.ok(!(await w.s.app.store.audit.list(w.s.tenantId, { limit: 50 })).some((e) => e.activity === 'Unregister device' && JSON.stringify(e.targetResources).includes(victim.deviceId)));
  });

  test("other proofs by the device key cannot pass as an unregistration, nor it as them (typ)", async () => {
    const victim = await enrolledAgent(w);
    const request = await buildDeviceRequest(victim.store, { audience: w.s.authority, nonce: await deviceNonce(w.s), deviceId: victim.deviceId, grant: 'session_renewal', params: { session_token: victim.session.sessionToken, client_id: victim.clientId } });
    proofInvalid(await unregister({ unregister_proof: request }), 'a device request');
    const asRequest = await tokenRequest(w.s, { grant_type: 'urn:tessera:params:oauth:grant-type:device-request', client_id: victim.clientId, request: await proofBy(victim.store, victim.deviceId) });
    assert.equal(asRequest.status, 400);
    assert.equal(asRequest.body.suberror, 'device_proof_invalid');
    assert.ok(await exists(victim.deviceId));
  });

  test('freshness: no, stale or forged nonce → device_nonce_required with a fresh one; old, future, other-audience proofs refused', async () => {
    const victim = await enrolledAgent(w);
    const sign = (c: Record<string, unknown>) => import('../../sdk/device/index.ts').then((m) => m.signWithKeyStore(victim.store, 'device', { typ: 'tessera-device-unregister+jwt', kid: victim.deviceId }, c));
    for (const nonce of [undefined, 'AAAAAAAAAAAAAAAAAAAAAAAAAAAA', Buffer.from([0, 0, 0, 1, ...Array(16).fill(7)]).toString('base64url')]) {
      const r = await unregister({ unregister_proof: await sign({ ...(await claims(victim.deviceId)), nonce }) });
      assert.equal(r.status, 400);
      assert.equal(r.body.suberror, 'device_nonce_required', String(nonce));
      assert.equal(typeof r.body.nonce, 'string');
      assert.equal(r.headers.get('tessera-nonce'), r.body.nonce);
    }
    for (const [what, extra] of [
      ['an hour old', { iat: nowSec() - 3600, exp: nowSec() - 3300 }],
      ['an hour ahead', { iat: nowSec() + 3600, exp: nowSec() + 3900 }],
      ['another audience', { aud: `${w.s.url}/${randomUUID()}` }],
      ['another host', { aud: `http://evil.example/${w.s.tenantId}` }],
      ['device_id differs from kid', { device_id: randomUUID() }],
      ['no jti', { jti: undefined }],
    ] as const) {
      proofInvalid(await unregister({ unregister_proof: await sign({ ...(await claims(victim.deviceId)), ...extra }) }), what);
    }
    assert.ok(await exists(victim.deviceId));
  });

  test('after unregistering, the old and any stolen session token fails: device_unknown (50155), recorded unbound 1002', async () => {
    const rec = recordingFetch();
    const victim = await enrolledAgent(w, undefined, rec.fetch);
    // What a thief copied earlier: the session token and, worst case, a second agent with the same keys.
    const stolen = { ...victim.session };
    const family = (await w.s.app.store.refreshTokens.find(sha256(stolen.sessionToken)))!;
    assert.equal(family.status, 'active');

    const done = await victim.client.unregister(victim.deviceId);
    assert.equal(done.deviceId, victim.deviceId);
    assert.ok(done.revokedTokens >= 1);
    assert.equal(await exists(victim.deviceId), false);
    assert.equal((await w.s.app.store.refreshTokens.find(sha256(stolen.sessionToken)))?.status, 'revoked');
    const [audit] = await w.s.app.store.audit.list(w.s.tenantId, { limit: 1 });
    assert.equal(audit?.activity, 'Unregister device');
    assert.equal(audit?.result, 'success');
    assert.equal((audit?.initiatedBy as any).app.appId, '01cb2876-7ebd-4aa4-9cc9-d28bd4d359a9');
    assert.match(JSON.stringify(audit?.targetResources), new RegExp(victim.deviceId));

    await assert.rejects(victim.client.acquireToken(stolen, { clientId: victim.clientId, scope: API_SCOPE }), fails('invalid_grant', 'device_unknown'));
    const signIn = await lastSignIn(w.s);
    assert.equal(signIn.resultType, '50155');
    assert.deepEqual(signIn.status, { signInSessionStatus: 'unbound', signInSessionStatusCode: 1002 });
    await assert.rejects(victim.client.renew(stolen), fails('invalid_grant', 'device_unknown'));
    await assert.rejects(victim.client.login(victim.deviceId, { username: w.upn, password: 'Tr0ub4dor&3-horse' }), fails('invalid_grant', 'device_unknown'));
    // The session token as a plain refresh token: refused too.
    const plain = await tokenRequest(w.s, { grant_type: 'refresh_token', client_id: victim.clientId, refresh_token: stolen.sessionToken });
    assert.equal(plain.status, 400);
    assert.equal(plain.body.error, 'invalid_grant');

    // The unregistration replayed verbatim (a proxy kept it): refused, nothing else happens.
    const captured = rec.calls.find((c) => c.url.endsWith('/devices/unregister'))!;
    const again = await replay(captured);
    assert.equal(again.status, 400);
    assert.ok(['device_unknown', 'device_proof_replayed'].includes(again.body.suberror), JSON.stringify(again.body));
    await assert.rejects(victim.client.unregister(victim.deviceId), fails('invalid_request', 'device_unknown'));
  });

  test('race: three concurrent unregistrations of one device, exactly one deletes it and is audited', async () => {
    const a = await enrolledAgent(w);
    const proofs = await Promise.all([1, 2, 3].map(() => proofBy(a.store, a.deviceId)));
    const results = await Promise.all(proofs.map((p) => unregister({ unregister_proof: p })));
    assert.equal(results.filter((r) => r.status === 200).length, 1, JSON.stringify(results.map((r) => r.body)));
    assert.ok(results.filter((r) => r.status !== 200).every((r) => r.status === 400 && r.body.suberror === 'device_unknown'));
    const audits = (await w.s.app.store.audit.list(w.s.tenantId, { limit: 20 })).filter((e) => e.activity === 'Unregister device' && JSON.stringify(e.targetResources).includes(a.deviceId));
    assert.equal(audits.length, 1);
  });

  test('a disabled device cannot remove itself (135011 device_disabled); an administrator still can', async () => {
    const a = await enrolledAgent(w);
    assert.equal((await graph(w.s, admin, 'PATCH', `/v1.0/devices(deviceId='${a.deviceId}')`, { accountEnabled: false })).status, 204);
    await assert.rejects(a.client.unregister(a.deviceId), (e: unknown) => fails('invalid_request', 'device_disabled')(e) && /AADSTS135011/.test((e as DeviceClientError).description));
    assert.ok(await exists(a.deviceId));
    assert.equal((await graph(w.s, admin, 'DELETE', `/v1.0/devices(deviceId='${a.deviceId}')`)).status, 204);
    assert.equal(await exists(a.deviceId), false);
  });

  test('a device an administrator created (no device key) cannot be unregistered by anyone', async () => {
    const deviceId = randomUUID();
    assert.equal((await graph(w.s, admin, 'POST', '/v1.0/devices', { deviceId, displayName: 'Imported PC' })).status, 201);
    const store = new MemoryKeyStore();
    await store.generate('device', 'ES256');
    proofInvalid(await unregister({ unregister_proof: await proofBy(store, deviceId) }), 'keyless device');
    assert.ok(await exists(deviceId));
  });

  test('garbage at devices/unregister: 4xx with an OAuth error, never a 500, nothing deleted', async () => {
    const victim = await enrolledAgent(w);
    const good = await proofBy(victim.store, victim.deviceId);
    const count = async () => (await w.s.app.store.devices.list(w.s.tenantId)).length;
    const before = await count();
    const cases: [unknown, Record<string, string>?][] = [
      ['{', { 'content-type': 'application/json' }], ['[]'], ['"x"'], ['null'], ['5'], [{}], [{ unregister_proof: 5 }], [{ unregister_proof: '' }],
      [{ unregister_proof: null }], [{ unregister_proof: 'a.b.c' }], [{ unregister_proof: 'x'.repeat(20000) }], [{ unregister_proof: good, extra: 1 }],
      [{ unregister_proof: [good] }], [{ registration_proof: good }],
      [{ unregister_proof: es256({ typ: 'tessera-device-unregister+jwt', kid: 'k'.repeat(500) }, await claims('k'.repeat(500)), ecKey().privateKey) }],
      [{ unregister_proof: es256({ typ: 'tessera-device-unregister+jwt', kid: 5 }, await claims(victim.deviceId), ecKey().privateKey) }],
      [{ unregister_proof: es256({ typ: 'tessera-device-unregister+jwt', kid: randomUUID() }, await claims(randomUUID()), ecKey().privateKey) }],
      [`unregister_proof=${good}`, { 'content-type': 'application/x-www-form-urlencoded' }], ['x', { 'content-type': 'text/plain' }], ['', {}],
    ];
    for (const [body, headers] of cases) {
      const r = await unregister(body, headers);
      assert.ok(r.status >= 400 && r.status < 500, `${JSON.stringify(body).slice(0, 80)} → ${r.status} ${JSON.stringify(r.body)}`);
      assert.equal(typeof r.body.error, 'string', JSON.stringify(body).slice(0, 80));
    }
    assert.equal(await count(), before);
    const unknown = await unregister({ unregister_proof: es256({ typ: 'tessera-device-unregister+jwt', kid: randomUUID() }, await claims(randomUUID()), ecKey().privateKey) });
    assert.equal(unknown.body.suberror, 'device_proof_invalid', 'kid and device_id differ');
    const otherTenant = await unregister({ unregister_proof: good }, undefined, `${w.s.url}/no-such-tenant/devices/unregister`);
    assert.equal(otherTenant.status, 400);
    assert.equal(otherTenant.body.error, 'tenant_not_found');
    assert.equal((await fetch(`${w.s.authority}/devices/unregister`)).status, 404);
    // The good proof, never sent above with a valid body, still works.
    const ok = await unregister({ unregister_proof: good });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.deepEqual(Object.keys(ok.body).sort(), ['device_id', 'revoked_tokens', 'status']);
  });
});
