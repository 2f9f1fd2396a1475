/**
 * Proofs without a server nonce, or with one that is stale or forged: a proof made in advance (by
 * malware that briefly had the keys) stops working once its nonce expires (RFC 9449 §8, §11.2;
 * docs/token-protection.md §2).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildDeviceRequest, buildRegistrationProof, buildSessionProof, createDpopProof, MemoryKeyStore } from '../../sdk/device/index.ts';
import { API_SCOPE, PASSWORD, enrolledAgent, lastSignIn, startWorld, tokenRequest, type World } from './harness.ts';
import { nowSec } from './forge.ts';

describe('attack: missing, stale or forged nonces', () => {
  let w: World;
  let victim: Awaited<ReturnType<typeof enrolledAgent>>;
  let tokenUrl: string;
  const FORGED = 'AAAAAAAAAAAAAAAAAAAAAAAAAAA';
  before(async () => {
    w = await startWorld();
    victim = await enrolledAgent(w);
    tokenUrl = `${w.s.authority}/oauth2/v2.0/token`;
  });
  after(async () => { await w.close(); });

  const staleDevice = () => w.s.app.deviceNonces.current(nowSec() - 3600);
  const freshDevice = () => w.s.app.deviceNonces.current(nowSec());

  async function sessionGrant(sessionNonce: string, dpopNonce: string | undefined) {
    const dpopJkt = (await victim.store.get('dpop'))!.jkt!;
    const proof = await buildSessionProof(victim.store, { audience: w.s.authority, nonce: sessionNonce, sessionKeyId: victim.session.sessionKeyId, sessionToken: victim.session.sessionToken, clientId: victim.clientId, scope: API_SCOPE, dpopJkt });
    const dpop = await createDpopProof(victim.store, { method: 'POST', url: tokenUrl, ...(dpopNonce ? { nonce: dpopNonce } : {}) });
    return tokenRequest(w.s, { grant_type: 'urn:tessera:params:oauth:grant-type:session', client_id: victim.clientId, scope: API_SCOPE, session_token: victim.session.sessionToken, proof }, { DPoP: dpop });
  }

  test('DPoP proof without a nonce, with a stale one, with a forged one: use_dpop_nonce and a fresh DPoP-Nonce', async () => {
    for (const n of [undefined, w.s.app.dpopNonces.current(nowSec() - 3600), FORGED]) {
      const before = await lastSignIn(w.s).catch(() => undefined);
      const r = await sessionGrant(freshDevice(), n);
      assert.equal(r.status, 400);
      assert.equal(r.body.error, 'use_dpop_nonce', JSON.stringify(r.body));
      assert.ok(r.headers.get('dpop-nonce'));
      const rec = await lastSignIn(w.s).catch(() => undefined);
      if (n === undefined) {
        // The first round trip of RFC 9449 §8 is not a sign-in attempt: nothing is recorded.
        assert.deepEqual(rec, before);
        continue;
      }
      assert.equal(rec!.resultType, '90000');
      assert.equal(rec!.status.signInSessionStatus, 'unbound');
    }
  });

  test('session proof with a stale or forged device nonce: device_nonce_required with a new nonce (body and Tessera-Nonce)', async () => {
    for (const n of [staleDevice(), FORGED]) {
      const r = await sessionGrant(n, w.s.app.dpopNonces.current(nowSec()));
      assert.equal(r.body.error, 'invalid_grant');
      assert.equal(r.body.suberror, 'device_nonce_required');
      assert.equal(r.body.nonce, r.headers.get('tessera-nonce'));
      const rec = await lastSignIn(w.s);
      assert.equal(rec.resultType, '90000');
      assert.deepEqual(rec.status, { signInSessionStatus: 'unbound', signInSessionStatusCode: 1002 });
    }
  });

  test('device request (login) with no nonce or a stale one: device_nonce_required', async () => {
    for (const n of ['', staleDevice()]) {
      const request = await buildDeviceRequest(victim.store, { audience: w.s.authority, nonce: n, deviceId: victim.deviceId, grant: 'password', params: { username: w.upn, password: PASSWORD, client_id: victim.clientId } });
      const r = await tokenRequest(w.s, { grant_type: 'urn:tessera:params:oauth:grant-type:device-request', client_id: victim.clientId, request });
      assert.equal(r.body.suberror, 'device_nonce_required');
      assert.ok(r.headers.get('tessera-nonce'));
      const rec = await lastSignIn(w.s);
      assert.deepEqual(rec.status, { signInSessionStatus: 'unbound', signInSessionStatusCode: 1002 });
    }
  });

  test('registration proof with a stale nonce: invalid_request, device_nonce_required, no device created', async () => {
    const store = new MemoryKeyStore();
    await store.generate('device', 'ES256');
    await store.generate('transport', 'ECDH-ES+A256KW');
    const before = (await w.s.app.store.devices.list(w.s.tenantId)).length;
    const proof = await buildRegistrationProof(store, { audience: w.s.authority, nonce: staleDevice() });
    const res = await fetch(`${w.s.authority}/devices/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ registration_proof: proof, username: w.upn, password: PASSWORD }) });
    const body = await res.json() as Record<string, string>;
    assert.equal(res.status, 400);
    assert.equal(body.error, 'invalid_request');
    assert.equal(body.suberror, 'device_nonce_required');
    assert.equal((await w.s.app.store.devices.list(w.s.tenantId)).length, before);
  });
});
