/**
 * A session token (Tessera's PRT) copied off the victim's device, with everything else the agent's
 * state holds except the keys, replayed from the attacker's own agent.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DeviceClientError } from '../../sdk/device/index.ts';
import { API_SCOPE, agent, enrolledAgent, lastSignIn, startWorld, tokenRequest, type World } from './harness.ts';
import { plantGuessedSessionKey } from './forge.ts';

const fails = (error: string, suberror?: string) => (e: unknown) =>
  e instanceof DeviceClientError && e.error === error && (suberror === undefined || e.suberror === suberror);

describe('attack: stolen session token without the device keys', () => {
  let w: World;
  before(async () => { w = await startWorld(); });
  after(async () => { await w.close(); });

  test('session grant with a made-up session key: session_proof_invalid, recorded unbound 1005 on the victim\'s device', async () => {
    const victim = await enrolledAgent(w);
    const thief = agent(w.s);
    await thief.store.generate('dpop', 'ES256');
    await plantGuessedSessionKey(thief.store, victim.session.sessionKeyId);
    await assert.rejects(thief.client.acquireToken({ ...victim.session }, { clientId: thief.clientId, scope: API_SCOPE }), fails('invalid_grant', 'session_proof_invalid'));
    const rec = await lastSignIn(w.s);
    assert.equal(rec.resultType, '50155');
    assert.deepEqual(rec.status, { signInSessionStatus: 'unbound', signInSessionStatusCode: 1005 });
    assert.equal(rec.device.deviceId, victim.deviceId);
    // The victim is unaffected.
    assert.ok((await victim.client.acquireToken(victim.session, { clientId: victim.clientId, scope: API_SCOPE })).access_token);
  });

  test('a proof under a rolled-over session key id (an old key stolen earlier, the current token): session_key_unknown', async () => {
    const victim = await enrolledAgent(w);
    const oldKeyId = victim.session.sessionKeyId;
    const renewed = await victim.client.renew(victim.session);
    const thief = agent(w.s);
    await thief.store.generate('dpop', 'ES256');
    await plantGuessedSessionKey(thief.store, oldKeyId);
    await assert.rejects(thief.client.acquireToken({ ...renewed, sessionKeyId: oldKeyId }, { clientId: thief.clientId, scope: API_SCOPE }), fails('invalid_grant', 'session_key_unknown'));
    const rec = await lastSignIn(w.s);
    assert.equal(rec.resultType, '50155');
    assert.deepEqual(rec.status, { signInSessionStatus: 'unbound', signInSessionStatusCode: 1005 });
  });

  test('renewal signed with the thief\'s own device key under the victim\'s device id: device_proof_invalid', async () => {
    const victim = await enrolledAgent(w);
    const thief = agent(w.s);
    await thief.store.generate('device', 'ES256');
    await assert.rejects(thief.client.renew({ ...victim.session }), fails('invalid_grant', 'device_proof_invalid'));
    const rec = await lastSignIn(w.s);
    assert.equal(rec.resultType, '50155');
    assert.deepEqual(rec.status, { signInSessionStatus: 'unbound', signInSessionStatusCode: 1005 });
  });

  test('renewal through the thief\'s own registered device: the session belongs to another device', async () => {
    const victim = await enrolledAgent(w);
    const thief = await enrolledAgent(w, { operatingSystem: 'Linux' });
    await assert.rejects(thief.client.renew({ ...victim.session, deviceId: thief.deviceId }), fails('invalid_grant', 'device_proof_invalid'));
    const rec = await lastSignIn(w.s);
    assert.equal(rec.resultType, '50155');
    assert.equal(rec.device.deviceId, thief.deviceId);
    // The thief's own device is proven, so the record is bound; the stolen session still is not usable.
    assert.equal(rec.status.signInSessionStatus, 'bound');
  });

  test('the session key JWE from the login answer does not open without the transport key', async () => {
    const thief = agent(w.s);
    await thief.store.generate('transport', 'ECDH-ES+A256KW');
    // Any JWE sent to the victim's transport key: importing it needs the victim's private transport key.
    const { session_key_jwe } = await (async () => {
      const a = agent(w.s);
      const reg = await a.client.register({ username: w.upn, password: 'Tr0ub4dor&3-horse' });
      const captured: { session_key_jwe?: string } = {};
      const spy = agent(w.s, { store: a.store, fetch: async (u, i) => { const r = await fetch(u, i); const c = r.clone(); try { Object.assign(captured, await c.json()); } catch { /* not JSON */ } return r; } });
      await spy.client.login(reg.deviceId, { username: w.upn, password: 'Tr0ub4dor&3-horse' });
      return { session_key_jwe: captured.session_key_jwe! };
    })();
    await assert.rejects(thief.store.importWrappedKey('transport', session_key_jwe, 'sk-stolen'));
  });

  test('the session token presented as a plain refresh token is refused (device-bound)', async () => {
    const victim = await enrolledAgent(w);
    const r = await tokenRequest(w.s, { grant_type: 'refresh_token', client_id: victim.clientId, refresh_token: victim.session.sessionToken, scope: API_SCOPE });
    assert.equal(r.status, 400);
    assert.equal(r.body.error, 'invalid_grant');
    assert.match(r.body.error_description, /AADSTS5000000/);
    const rec = await lastSignIn(w.s);
    assert.equal(rec.resultType, '5000000');
    assert.deepEqual(rec.status, { signInSessionStatus: 'unbound', signInSessionStatusCode: 1002 });
  });
});
