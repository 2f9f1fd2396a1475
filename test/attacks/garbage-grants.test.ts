/**
 * Garbage at the two device-protocol grants: clear OAuth errors (400), never a 500, and every
 * failed attempt still leaves a sign-in record with a token protection status.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createDpopProof } from '../../sdk/device/index.ts';
import { brokerClientId } from '../../src/protocol/device/broker.ts';
import { API_SCOPE, enrolledAgent, lastSignIn, startWorld, tokenRequest, type World } from './harness.ts';
import { nowSec } from './forge.ts';

const DEVICE_REQUEST = 'urn:tessera:params:oauth:grant-type:device-request';
const SESSION = 'urn:tessera:params:oauth:grant-type:session';

describe('garbage at the device-request and session grants', () => {
  let w: World;
  let a: Awaited<ReturnType<typeof enrolledAgent>>;
  before(async () => { w = await startWorld(); a = await enrolledAgent(w); });
  after(async () => { await w.close(); });

  test('device-request: missing, oversized, malformed, wrong typ, unknown device', async () => {
    const client_id = brokerClientId(w.s.tenantId);
    const header = (h: object) => Buffer.from(JSON.stringify(h)).toString('base64url');
    for (const request of [undefined, 'x', 'a.b.c', 'x'.repeat(20000), `${header({ alg: 'ES256', typ: 'JWT', kid: a.deviceId })}.e30.AAAA`, `${header({ alg: 'ES256', typ: 'tessera-device-request+jwt', kid: 'no-such-device' })}.${header({ device_id: 'no-such-device' })}.AAAA`, '\u0000\u0001']) {
      const r = await tokenRequest(w.s, { grant_type: DEVICE_REQUEST, client_id, ...(request !== undefined ? { request } : {}) });
      assert.equal(r.status, 400, `${String(request).slice(0, 40)}: ${JSON.stringify(r.body)}`);
      assert.ok(['invalid_request', 'invalid_grant'].includes(r.body.error as string));
      const rec = await lastSignIn(w.s);
      assert.equal(rec.status.signInSessionStatus, 'unbound');
    }
    const unknown = await tokenRequest(w.s, { grant_type: DEVICE_REQUEST, client_id, request: `${header({ alg: 'ES256', typ: 'tessera-device-request+jwt', kid: 'no-such-device' })}.${header({ device_id: 'no-such-device' })}.AAAA` });
    assert.equal(unknown.body.suberror, 'device_unknown');
  });

  test('session: missing parameters, no DPoP, unknown token, garbage proof, repeated parameters', async () => {
    const tokenUrl = `${w.s.authority}/oauth2/v2.0/token`;
    const dpop = async () => createDpopProof(a.store, { method: 'POST', url: tokenUrl, nonce: w.s.app.dpopNonces.current(nowSec()) });
    const base = { grant_type: SESSION, client_id: a.clientId, scope: API_SCOPE };
    const cases: [Record<string, string>, boolean, string][] = [
      [{ ...base }, true, 'invalid_request'],
      [{ ...base, session_token: a.session.sessionToken }, true, 'invalid_request'],
      [{ ...base, session_token: a.session.sessionToken, proof: 'x' }, false, 'invalid_dpop_proof'],
      [{ ...base, session_token: 'not-a-token', proof: 'x' }, true, 'invalid_grant'],
      [{ ...base, session_token: 'x'.repeat(600), proof: 'x' }, true, 'invalid_grant'],
      [{ ...base, session_token: a.session.sessionToken, proof: 'a.b.c' }, true, 'invalid_grant'],
      [{ ...base, session_token: a.session.sessionToken, proof: 'x'.repeat(9000) }, true, 'invalid_grant'],
    ];
    for (const [form, withDpop, error] of cases) {
      const r = await tokenRequest(w.s, form, withDpop ? { DPoP: await dpop() } : {});
      assert.equal(r.status, 400, JSON.stringify(r.body));
      assert.equal(r.body.error, error, `${JSON.stringify(form).slice(0, 120)} → ${JSON.stringify(r.body)}`);
      assert.equal((await lastSignIn(w.s)).status.signInSessionStatus, 'unbound');
    }
    const twice = await fetch(tokenUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `grant_type=${encodeURIComponent(SESSION)}&client_id=${a.clientId}&session_token=a&session_token=b&proof=x` });
    assert.equal(twice.status, 400);
    assert.equal(((await twice.json()) as { error: string }).error, 'invalid_request');
    // A real session token with the wrong client: the proof names another client_id.
    const otherClient = await tokenRequest(w.s, { ...base, client_id: 'ffffffff-ffff-4fff-8fff-ffffffffffff', session_token: a.session.sessionToken, proof: 'x' }, { DPoP: await dpop() });
    assert.equal(otherClient.body.error, 'invalid_client');
  });
});
