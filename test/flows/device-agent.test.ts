/**
 * The legitimate path end to end: register a device, sign in through it, get a DPoP-bound access
 * token through the device-bound session, and call an API protected by `tessera/resource`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { API_SCOPE, agent, enrolledAgent, lastSignIn, startWorld, type World } from '../attacks/harness.ts';

describe('device agent: register, login, token, call an API', () => {
  let w: World;
  before(async () => { w = await startWorld(); });
  after(async () => { await w.close(); });

  test('a bound token from the device session opens the API; the sign-in is recorded bound', async () => {
    const a = await enrolledAgent(w);
    const at = await a.client.acquireToken(a.session, { clientId: a.clientId, scope: API_SCOPE });
    assert.equal(at.token_type, 'DPoP');
    const rec = await lastSignIn(w.s);
    assert.equal(rec.resultType, '0');
    assert.deepEqual(rec.status, { signInSessionStatus: 'bound', signInSessionStatusCode: null });
    assert.equal(rec.device.deviceId, a.deviceId);
    const res = await a.client.fetchWithToken(w.api.url, at.access_token);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { sub: w.userId, bound: true });
  });

  test('renewal rotates the session token and rolls the key; the old ones stop working', async () => {
    const a = await enrolledAgent(w);
    const renewed = await a.client.renew(a.session);
    assert.notEqual(renewed.sessionToken, a.session.sessionToken);
    assert.notEqual(renewed.sessionKeyId, a.session.sessionKeyId);
    const at = await a.client.acquireToken(renewed, { clientId: a.clientId, scope: API_SCOPE });
    assert.equal((await a.client.fetchWithToken(w.api.url, at.access_token)).status, 200);
    void agent;
  });
});
