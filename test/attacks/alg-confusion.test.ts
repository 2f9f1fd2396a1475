/**
 * Algorithm confusion (RFC 8725 §2.1, §3.1): `alg: none`, and HS256 keyed with the victim's *public*
 * key (which every party knows), for DPoP proofs, device requests and session proofs.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { API_SCOPE, PASSWORD, enrolledAgent, lastSignIn, startWorld, tokenRequest, type World } from './harness.ts';
import { dpopClaims, hs256, nowSec, unsigned } from './forge.ts';
import { randomUUID } from 'node:crypto';
import { sessionTokenHash } from '../../src/binding/session-key.ts';

describe('attack: alg none and HMAC keyed with a public key', () => {
  let w: World;
  let victim: Awaited<ReturnType<typeof enrolledAgent>>;
  let tokenUrl: string;
  let dpopJwk: Record<string, string>;
  let deviceJwk: Record<string, string>;
  before(async () => {
    w = await startWorld();
    victim = await enrolledAgent(w);
    tokenUrl = `${w.s.authority}/oauth2/v2.0/token`;
    dpopJwk = (await victim.store.get('dpop'))!.publicJwk!;
    deviceJwk = (await victim.store.get('device'))!.publicJwk!;
  });
  after(async () => { await w.close(); });

  const sessionForm = (proof: string) => ({ grant_type: 'urn:tessera:params:oauth:grant-type:session', client_id: victim.clientId, scope: API_SCOPE, session_token: victim.session.sessionToken, proof });
  const deviceClaims = () => ({ aud: w.s.authority, iat: nowSec(), exp: nowSec() + 300, jti: randomUUID(), nonce: w.s.app.deviceNonces.current(nowSec()), device_id: victim.deviceId, client_id: victim.clientId, grant: 'password', username: w.upn, password: PASSWORD });

  test('DPoP proof with alg none, and HS256 keyed with the public JWK: invalid_dpop_proof, recorded unbound 1005', async () => {
    const nonce = w.s.app.dpopNonces.current(nowSec());
    const forged = [
      unsigned({ typ: 'dpop+jwt', jwk: dpopJwk }, dpopClaims('POST', tokenUrl, { nonce })),
      hs256({ typ: 'dpop+jwt', jwk: dpopJwk }, dpopClaims('POST', tokenUrl, { nonce }), JSON.stringify(dpopJwk)),
      hs256({ typ: 'dpop+jwt', jwk: dpopJwk }, dpopClaims('POST', tokenUrl, { nonce }), Buffer.from(dpopJwk.x!, 'base64url')),
    ];
    for (const dpop of forged) {
      const r = await tokenRequest(w.s, sessionForm('x.y.z'), { DPoP: dpop });
      assert.equal(r.body.error, 'invalid_dpop_proof', JSON.stringify(r.body));
      const rec = await lastSignIn(w.s);
      assert.deepEqual(rec.status, { signInSessionStatus: 'unbound', signInSessionStatusCode: 1005 });
    }
  });

  test('device request with alg none, or HS256 keyed with the registered device public key: device_proof_invalid (50155)', async () => {
    for (const request of [
      unsigned({ typ: 'tessera-device-request+jwt', kid: victim.deviceId }, deviceClaims()),
      hs256({ typ: 'tessera-device-request+jwt', kid: victim.deviceId }, deviceClaims(), JSON.stringify(deviceJwk)),
    ]) {
      const r = await tokenRequest(w.s, { grant_type: 'urn:tessera:params:oauth:grant-type:device-request', client_id: victim.clientId, request });
      assert.equal(r.body.error, 'invalid_grant');
      assert.equal(r.body.suberror, 'device_proof_invalid');
      const rec = await lastSignIn(w.s);
      assert.equal(rec.resultType, '50155');
      assert.deepEqual(rec.status, { signInSessionStatus: 'unbound', signInSessionStatusCode: 1005 });
    }
  });

  test('session proof with alg none: session_proof_invalid', async () => {
    const dpopNonce = w.s.app.dpopNonces.current(nowSec());
    const { createDpopProof } = await import('../../sdk/device/index.ts');
    const proof = unsigned({ typ: 'tessera-session+jwt', kid: victim.session.sessionKeyId }, {
      aud: w.s.authority, iat: nowSec(), exp: nowSec() + 300, jti: randomUUID(), nonce: w.s.app.deviceNonces.current(nowSec()),
      sth: sessionTokenHash(victim.session.sessionToken), client_id: victim.clientId, scope: API_SCOPE, dpop_jkt: (await victim.store.get('dpop'))!.jkt,
    });
    const r = await tokenRequest(w.s, sessionForm(proof), { DPoP: await createDpopProof(victim.store, { method: 'POST', url: tokenUrl, nonce: dpopNonce }) });
    assert.equal(r.body.suberror, 'session_proof_invalid');
    const rec = await lastSignIn(w.s);
    assert.equal(rec.resultType, '50155');
    assert.deepEqual(rec.status, { signInSessionStatus: 'unbound', signInSessionStatusCode: 1005 });
  });
});
