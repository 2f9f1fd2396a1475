/**
 * Registering a device key the client does not hold, forged algorithms, forged enrollment tokens,
 * and garbage at the registration endpoints: clear OAuth errors, never a 500, no device created.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import * as OTPAuth from 'otpauth';
import { buildRegistrationProof, MemoryKeyStore } from '../../sdk/device/index.ts';
import { adminToken } from '../helpers/server.ts';
import { addUser } from '../helpers/fixtures.ts';
import { PASSWORD, agent, deviceNonce, lastSignIn, startWorld, type World } from './harness.ts';
import { ecKey, es256, nowSec, unsigned } from './forge.ts';

async function register(w: World, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }): Promise<{ status: number; body: Record<string, any> }> {
  const res = await fetch(`${w.s.authority}/devices/register`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, body: await res.json() as Record<string, any> };
}

async function keys(): Promise<MemoryKeyStore> {
  const store = new MemoryKeyStore();
  await store.generate('device', 'ES256');
  await store.generate('transport', 'ECDH-ES+A256KW');
  return store;
}

describe('attack: registration', () => {
  let w: World;
  before(async () => { w = await startWorld(); });
  after(async () => { await w.close(); });
  const deviceCount = async () => (await w.s.app.store.devices.list(w.s.tenantId)).length;

  test('a proof naming the victim\'s public device key but signed by another key: device_proof_invalid, nothing created, no sign-in', async () => {
    const victim = await keys();
    const victimJwk = (await victim.get('device'))!.publicJwk!;
    const transport = (await victim.get('transport'))!.publicJwk!;
    const thief = ecKey();
    const claims = { aud: w.s.authority, iat: nowSec(), exp: nowSec() + 300, jti: randomUUID(), nonce: await deviceNonce(w.s), transport_key: { ...transport, alg: 'ECDH-ES+A256KW' }, device: {} };
    const before = await deviceCount();
    const last = await lastSignIn(w.s).catch(() => undefined);
    for (const proof of [
      es256({ typ: 'tessera-device-registration+jwt', jwk: victimJwk }, claims, thief.privateKey),
      unsigned({ typ: 'tessera-device-registration+jwt', jwk: victimJwk }, { ...claims, jti: randomUUID() }),
    ]) {
      const r = await register(w, { registration_proof: proof, username: w.upn, password: PASSWORD });
      assert.equal(r.status, 400);
      assert.equal(r.body.error, 'invalid_request');
      assert.equal(r.body.suberror, 'device_proof_invalid');
      assert.match(r.body.error_description, /AADSTS50155/);
    }
    assert.equal(await deviceCount(), before);
    // The proof is checked before the password: no credential check ran, so no sign-in was recorded.
    assert.deepEqual(await lastSignIn(w.s).catch(() => undefined), last);
  });

  test('a wrong password is an interactive sign-in failure to the Device Registration Service (50126); TOTP users are asked for a code', async () => {
    const a = agent(w.s);
    await assert.rejects(a.client.register({ username: w.upn, password: 'wrong-password-1' }), /AADSTS50126/);
    const rec = await lastSignIn(w.s);
    assert.equal(rec.table, 'SigninLogs');
    assert.equal(rec.resultType, '50126');
    assert.equal(rec.appId, '01cb2876-7ebd-4aa4-9cc9-d28bd4d359a9');
    const secret = new OTPAuth.Secret({ size: 20 }).base32;
    await addUser(w.s, 'mfa@contoso.test', PASSWORD, { totpSecret: secret });
    await assert.rejects(a.client.register({ username: 'mfa@contoso.test', password: PASSWORD }), (e: any) => e.error === 'interaction_required' && /AADSTS50076/.test(e.description));
    const code = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30 }).generate();
    const reg = await a.client.register({ username: 'mfa@contoso.test', password: PASSWORD, otp: code });
    assert.equal(reg.trustType, 'Workplace');
    const d = await w.s.app.store.devices.getByDeviceId(w.s.tenantId, reg.deviceId);
    assert.equal(d?.registrationKind, 'userCredentials');
    assert.equal((await lastSignIn(w.s)).resultType, '0');
  });

  test('joining (trustType AzureAD) needs an admin-issued enrollment token; forged tokens are refused', async () => {
    const store = await keys();
    const proof = async () => buildRegistrationProof(store, { audience: w.s.authority, nonce: await deviceNonce(w.s), device: { trustType: 'AzureAD', operatingSystem: 'Windows', operatingSystemVersion: '10.0.26100' } });
    let r = await register(w, { registration_proof: await proof(), username: w.upn, password: PASSWORD });
    assert.equal(r.status, 400);
    assert.match(r.body.error_description, /enrollment token/);
    for (const t of ['tet1.v1.AAAA.BBBB.CCCC', 'not-a-token', 'tet1.' + 'x'.repeat(5000)]) {
      r = await register(w, { registration_proof: await proof(), enrollment_token: t });
      assert.equal(r.status, 400);
      assert.equal(r.body.suberror, 'enrollment_token_invalid');
    }
    const at = await adminToken(w.s);
    const issued = await fetch(`${w.s.authority}/devices/enrollment-tokens`, { method: 'POST', headers: { authorization: `Bearer ${at}`, 'content-type': 'application/json' }, body: JSON.stringify({ system_labels: ['CloudPC'], enrollment_profile_name: 'Cloud PCs' }) });
    assert.equal(issued.status, 201);
    const { enrollment_token } = await issued.json() as { enrollment_token: string };
    // Altering one character breaks the seal.
    const tampered = enrollment_token.slice(0, -3) + (enrollment_token.endsWith('AAA') ? 'BBB' : 'AAA');
    r = await register(w, { registration_proof: await proof(), enrollment_token: tampered });
    assert.equal(r.body.suberror, 'enrollment_token_invalid');
    r = await register(w, { registration_proof: await proof(), enrollment_token });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.trust_type, 'AzureAd');
    const d = await w.s.app.store.devices.getByDeviceId(w.s.tenantId, r.body.device_id);
    assert.deepEqual([d?.systemLabels, d?.enrollmentProfileName, d?.registrationKind], [['CloudPC'], 'Cloud PCs', 'enrollmentToken']);
    assert.deepEqual(await w.s.app.store.devices.owners(w.s.tenantId, d!.id), []);
  });

  test('enrollment tokens need an administrator token; garbage is refused', async () => {
    const url = `${w.s.authority}/devices/enrollment-tokens`;
    assert.equal((await fetch(url, { method: 'POST' })).status, 401);
    const at = await adminToken(w.s);
    for (const body of ['[]', '{"expires_in":-5}', '{"expires_in":999999999}', '{"trust_type":"ServerAd"}', '{"system_labels":"CloudPC"}', '{"bogus":1}', 'nope']) {
      const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${at}`, 'content-type': 'application/json' }, body });
      assert.equal(res.status, 400, body);
      assert.equal(((await res.json()) as { error: string }).error, 'invalid_request');
    }
  });

  test('garbage at devices/register and devices/nonce: 4xx with an OAuth error, never a 500', async () => {
    const store = await keys();
    const good = await buildRegistrationProof(store, { audience: w.s.authority, nonce: await deviceNonce(w.s) });
    const cases: [unknown, Record<string, string>?][] = [
      ['{', { 'content-type': 'application/json' }], ['[]'], ['"x"'], [{}], [{ registration_proof: 5 }], [{ registration_proof: 'a.b.c', username: w.upn, password: PASSWORD }],
      [{ registration_proof: good }], [{ registration_proof: good, username: w.upn, password: PASSWORD, enrollment_token: 'x' }],
      [{ registration_proof: good, username: w.upn, password: PASSWORD, extra: 1 }], [{ registration_proof: 'x'.repeat(20000), username: 'a', password: 'b' }],
      ['registration_proof=x', { 'content-type': 'application/x-www-form-urlencoded' }], ['x', { 'content-type': 'text/plain' }],
    ];
    const before = await deviceCount();
    for (const [body, headers] of cases) {
      const r = await register(w, body, headers);
      assert.ok(r.status >= 400 && r.status < 500, `${JSON.stringify(body).slice(0, 80)} → ${r.status}`);
      assert.equal(typeof r.body.error, 'string');
    }
    assert.equal(await deviceCount(), before);
    for (const path of ['/no-such-tenant/devices/nonce', '/no-such-tenant/devices/register']) {
      const res = await fetch(`${w.s.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      assert.equal(res.status, 400);
    }
    const get = await fetch(`${w.s.authority}/devices/nonce`);
    assert.equal(get.status, 404);
  });
});
