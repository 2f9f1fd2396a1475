/**
 * DPoP (RFC 9449) proofs taken from the victim's traffic and reused: the same proof again (same
 * `jti`), a proof for another URL or method, proofs made too far in the past or the future, and a
 * token bound to key A presented with key B's proof — at Tessera's token endpoint and at an API
 * protected by `tessera/resource`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createDpopProof } from '../../sdk/device/index.ts';
import { accessTokenHash } from '../../src/binding/dpop.ts';
import { API_SCOPE, enrolledAgent, lastSignIn, startWorld, tokenRequest, type World } from './harness.ts';
import { dpopClaims, ecKey, es256, nowSec, recordingFetch, replay, type Captured } from './forge.ts';

const SESSION_GRANT = 'grant_type=urn%3Atessera%3Aparams%3Aoauth%3Agrant-type%3Asession';

describe('attack: DPoP proofs reused', () => {
  let w: World;
  let victim: Awaited<ReturnType<typeof enrolledAgent>>;
  let tokenCall: Captured;
  let apiCall: Captured;
  let accessToken: string;
  let tokenUrl: string;

  before(async () => {
    w = await startWorld();
    tokenUrl = `${w.s.authority}/oauth2/v2.0/token`;
    const wire = recordingFetch();
    victim = await enrolledAgent(w, undefined, wire.fetch);
    accessToken = (await victim.client.acquireToken(victim.session, { clientId: victim.clientId, scope: API_SCOPE })).access_token;
    assert.equal((await victim.client.fetchWithToken(w.api.url, accessToken)).status, 200);
    tokenCall = wire.calls.filter((c) => c.body.startsWith(SESSION_GRANT)).at(-1)!;
    apiCall = wire.calls.filter((c) => c.url === w.api.url).at(-1)!;
  });
  after(async () => { await w.close(); });

  async function expectTokenFailure(r: { status: number; body: Record<string, any> }, error: string, resultType: string, code: number) {
    assert.equal(r.status, 400, JSON.stringify(r.body));
    assert.equal(r.body.error, error);
    const rec = await lastSignIn(w.s);
    assert.equal(rec.resultType, resultType);
    assert.deepEqual(rec.status, { signInSessionStatus: 'unbound', signInSessionStatusCode: code });
  }

  test('the victim\'s token request replayed verbatim (same DPoP jti): invalid_dpop_proof, recorded unbound 1005', async () => {
    await expectTokenFailure(await replay(tokenCall), 'invalid_dpop_proof', '90000', 1005);
  });

  test('the victim\'s API call replayed verbatim: 401 invalid_dpop_proof from the resource', async () => {
    const r = await replay(apiCall);
    assert.equal(r.status, 401);
    assert.match(r.headers.get('www-authenticate')!, /^DPoP .*error="invalid_dpop_proof"/);
  });

  test('a proof captured for the API used at the token endpoint (other URL and method): invalid_dpop_proof', async () => {
    const form = new URLSearchParams(tokenCall.body);
    await expectTokenFailure(await tokenRequest(w.s, Object.fromEntries(form), { DPoP: apiCall.headers.dpop! }), 'invalid_dpop_proof', '90000', 1005);
  });

  test('the API proof sent to another path or with another method: 401 at the resource', async () => {
    const other = await fetch(`${w.api.url}/export`, { headers: { authorization: `DPoP ${accessToken}`, dpop: apiCall.headers.dpop! } });
    assert.equal(other.status, 401);
    const post = await fetch(w.api.url, { method: 'POST', headers: { authorization: `DPoP ${accessToken}`, dpop: await createDpopProof(victim.store, { method: 'GET', url: w.api.url, accessToken }) } });
    assert.equal(post.status, 401);
    assert.match(post.headers.get('www-authenticate')!, /invalid_dpop_proof/);
  });

  test('proofs made an hour ago or an hour ahead: refused at the token endpoint and at the resource', async () => {
    const nonce = tokenCall.headers.dpop ? JSON.parse(Buffer.from(tokenCall.headers.dpop.split('.')[1]!, 'base64url').toString()).nonce as string : undefined;
    for (const when of [nowSec() - 3600, nowSec() + 3600]) {
      const dpop = await createDpopProof(victim.store, { method: 'POST', url: tokenUrl, now: when, ...(nonce ? { nonce } : {}) });
      await expectTokenFailure(await tokenRequest(w.s, Object.fromEntries(new URLSearchParams(tokenCall.body)), { DPoP: dpop }), 'invalid_dpop_proof', '90000', 1005);
      const res = await fetch(w.api.url, { headers: { authorization: `DPoP ${accessToken}`, dpop: await createDpopProof(victim.store, { method: 'GET', url: w.api.url, accessToken, now: when }) } });
      assert.equal(res.status, 401);
    }
  });

  test('a token bound to key A with key B\'s valid proof: 401 invalid_token at the resource; session_proof_invalid at the token endpoint', async () => {
    const thief = ecKey();
    const res = await fetch(w.api.url, { headers: { authorization: `DPoP ${accessToken}`, dpop: es256({ typ: 'dpop+jwt', jwk: thief.jwk }, dpopClaims('GET', w.api.url, { ath: accessTokenHash(accessToken) }), thief.privateKey) } });
    assert.equal(res.status, 401);
    assert.match(res.headers.get('www-authenticate')!, /error="invalid_token"/);
    // At Tessera: the victim's captured form (its session proof names key A) with the thief's fresh DPoP proof (key B).
    const first = await tokenRequest(w.s, Object.fromEntries(new URLSearchParams(tokenCall.body)), { DPoP: es256({ typ: 'dpop+jwt', jwk: thief.jwk }, dpopClaims('POST', tokenUrl), thief.privateKey) });
    const nonce = first.headers.get('dpop-nonce') ?? undefined;
    const r = await tokenRequest(w.s, Object.fromEntries(new URLSearchParams(tokenCall.body)), { DPoP: es256({ typ: 'dpop+jwt', jwk: thief.jwk }, dpopClaims('POST', tokenUrl, nonce ? { nonce } : {}), thief.privateKey) });
    assert.equal(r.body.suberror, 'session_proof_invalid');
    await expectTokenFailure(r, 'invalid_grant', '50155', 1005);
  });
});
