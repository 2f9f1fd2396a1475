/**
 * Sessions whose device or user was switched off by an administrator (seed 002's containment
 * steps): a disabled device, a deleted device, a disabled user, revoked sign-in sessions. The agent
 * still holds every key, and still gets nothing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DeviceClientError } from '../../sdk/device/index.ts';
import { adminToken, graph } from '../helpers/server.ts';
import { addUser } from '../helpers/fixtures.ts';
import { API_SCOPE, PASSWORD, enrolledAgent, lastSignIn, startWorld, type World } from './harness.ts';

const rejected = (aadsts: number, suberror?: string) => (e: unknown) =>
  e instanceof DeviceClientError && e.description.includes(`AADSTS${aadsts}`) && (suberror === undefined || e.suberror === suberror);

describe('attack: sessions of disabled or deleted devices and disabled users', () => {
  let w: World;
  let admin: string;
  before(async () => { w = await startWorld(); admin = await adminToken(w.s); });
  after(async () => { await w.close(); });

  test('disabled device: AADSTS135011 for tokens, renewal and login; recorded unbound 1003', async () => {
    const a = await enrolledAgent(w);
    assert.equal((await graph(w.s, admin, 'PATCH', `/v1.0/devices(deviceId='${a.deviceId}')`, { accountEnabled: false })).status, 204);
    await assert.rejects(a.client.acquireToken(a.session, { clientId: a.clientId, scope: API_SCOPE }), rejected(135011, 'device_disabled'));
    let rec = await lastSignIn(w.s);
    assert.equal(rec.resultType, '135011');
    assert.deepEqual(rec.status, { signInSessionStatus: 'unbound', signInSessionStatusCode: 1003 });
    assert.equal(rec.device.deviceId, a.deviceId);
    await assert.rejects(a.client.renew(a.session), rejected(135011));
    await assert.rejects(a.client.login(a.deviceId, { username: w.upn, password: PASSWORD }), rejected(135011));
    rec = await lastSignIn(w.s);
    assert.deepEqual([rec.resultType, rec.status.signInSessionStatusCode], ['135011', 1003]);
    // Re-enabling does not bring the revoked session back.
    await graph(w.s, admin, 'PATCH', `/v1.0/devices(deviceId='${a.deviceId}')`, { accountEnabled: true });
    await assert.rejects(a.client.acquireToken(a.session, { clientId: a.clientId, scope: API_SCOPE }), rejected(50173));
  });

  test('deleted device: device_unknown (50155), recorded unbound 1002', async () => {
    const a = await enrolledAgent(w);
    assert.equal((await graph(w.s, admin, 'DELETE', `/v1.0/devices(deviceId='${a.deviceId}')`)).status, 204);
    await assert.rejects(a.client.acquireToken(a.session, { clientId: a.clientId, scope: API_SCOPE }), rejected(50155, 'device_unknown'));
    const rec = await lastSignIn(w.s);
    assert.equal(rec.resultType, '50155');
    assert.deepEqual(rec.status, { signInSessionStatus: 'unbound', signInSessionStatusCode: 1002 });
    assert.equal(rec.device.deviceId, a.deviceId, 'the record names the device the session was bound to');
    await assert.rejects(a.client.login(a.deviceId, { username: w.upn, password: PASSWORD }), rejected(50155, 'device_unknown'));
  });

  test('disabled user: AADSTS50057 through a valid device session (recorded bound: the device proved itself)', async () => {
    const upn = 'grace@contoso.test';
    const id = await addUser(w.s, upn, PASSWORD);
    const a = await enrolledAgent({ ...w, upn });
    assert.equal((await graph(w.s, admin, 'PATCH', `/v1.0/users/${id}`, { accountEnabled: false })).status, 204);
    await assert.rejects(a.client.acquireToken(a.session, { clientId: a.clientId, scope: API_SCOPE }), rejected(50057));
    const rec = await lastSignIn(w.s);
    assert.equal(rec.resultType, '50057');
    assert.equal(rec.upn, upn);
    assert.deepEqual(rec.status, { signInSessionStatus: 'bound', signInSessionStatusCode: null });
    await assert.rejects(a.client.login(a.deviceId, { username: upn, password: PASSWORD }), rejected(50057));
  });

  test('revokeSignInSessions ends device sessions too (AADSTS50173); a fresh login works', async () => {
    const upn = 'hedy@contoso.test';
    const id = await addUser(w.s, upn, PASSWORD);
    const a = await enrolledAgent({ ...w, upn });
    assert.equal((await graph(w.s, admin, 'POST', `/v1.0/users/${id}/revokeSignInSessions`)).status, 200);
    await assert.rejects(a.client.acquireToken(a.session, { clientId: a.clientId, scope: API_SCOPE }), rejected(50173));
    await assert.rejects(a.client.renew(a.session), rejected(50173));
    const fresh = await a.client.login(a.deviceId, { username: upn, password: PASSWORD });
    assert.ok((await a.client.acquireToken(fresh, { clientId: a.clientId, scope: API_SCOPE })).access_token);
  });
});
