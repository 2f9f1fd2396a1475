/**
 * Refresh tokens copied off the device: a DPoP-bound public client's refresh token replayed without
 * its key, and an ordinary refresh token replayed after the agent upgraded it into a device session.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { addApp } from '../helpers/fixtures.ts';
import { API_SCOPE, REDIRECT, agent, codeFlowTokens, enrolledAgent, lastSignIn, startWorld, tokenRequest, type World } from './harness.ts';
import { dpopClaims, ecKey, es256 } from './forge.ts';

describe('attack: stolen refresh token', () => {
  let w: World;
  let appId: string;
  before(async () => {
    w = await startWorld();
    appId = (await addApp(w.s, { displayName: 'Desktop app', isPublic: true, redirectUris: [REDIRECT] })).appId;
  });
  after(async () => { await w.close(); });

  test('a DPoP-bound refresh token replayed without the key, or with the thief\'s key: AADSTS5000000', async () => {
    const key = await oidc.randomDPoPKeyPair('ES256');
    const { refresh_token } = await codeFlowTokens(w, appId, `openid offline_access ${API_SCOPE}`, key);
    // No proof at all.
    const bare = await tokenRequest(w.s, { grant_type: 'refresh_token', client_id: appId, refresh_token });
    assert.equal(bare.body.error, 'invalid_grant');
    assert.match(bare.body.error_description, /AADSTS5000000/);
    let rec = await lastSignIn(w.s);
    assert.equal(rec.resultType, '5000000');
    assert.deepEqual(rec.status, { signInSessionStatus: 'unbound', signInSessionStatusCode: 1002 });
    // A valid proof by the thief's own key (with the server's nonce).
    const thief = ecKey();
    const url = `${w.s.authority}/oauth2/v2.0/token`;
    const first = await tokenRequest(w.s, { grant_type: 'refresh_token', client_id: appId, refresh_token }, { DPoP: es256({ typ: 'dpop+jwt', jwk: thief.jwk }, dpopClaims('POST', url), thief.privateKey) });
    const nonce = first.headers.get('dpop-nonce')!;
    const r = await tokenRequest(w.s, { grant_type: 'refresh_token', client_id: appId, refresh_token }, { DPoP: es256({ typ: 'dpop+jwt', jwk: thief.jwk }, dpopClaims('POST', url, { nonce }), thief.privateKey) });
    assert.equal(r.body.error, 'invalid_grant');
    assert.match(r.body.error_description, /AADSTS5000000/);
    rec = await lastSignIn(w.s);
    assert.equal(rec.resultType, '5000000');
    // Key-bound but not to a registered device: "not using the broker".
    assert.deepEqual(rec.status, { signInSessionStatus: 'unbound', signInSessionStatusCode: 1008 });
  });

  test('a refresh token the agent upgraded into a device session, replayed: reuse revokes the whole family', async () => {
    const { refresh_token } = await codeFlowTokens(w, appId, `openid offline_access ${API_SCOPE}`);
    const a = await enrolledAgent(w);
    const session = await a.client.loginWithRefreshToken(a.deviceId, refresh_token);
    assert.ok((await a.client.acquireToken(session, { clientId: a.clientId, scope: API_SCOPE })).access_token);
    const stolen = await tokenRequest(w.s, { grant_type: 'refresh_token', client_id: appId, refresh_token });
    assert.equal(stolen.body.error, 'invalid_grant');
    assert.match(stolen.body.error_description, /AADSTS70008/);
    const rec = await lastSignIn(w.s);
    assert.equal(rec.resultType, '70008');
    assert.deepEqual(rec.status, { signInSessionStatus: 'unbound', signInSessionStatusCode: 1002 });
    // RFC 9700 §4.14.2: two parties held the token, so the session it became is revoked too.
    const after = await a.client.acquireToken(session, { clientId: a.clientId, scope: API_SCOPE }).catch((e: Error) => e);
    assert.match(String(after), /AADSTS50173/);
    void agent;
  });
});
