/**
 * Enrollment tokens are revocable and countable: a leaked token an administrator revoked, a token
 * used more often than it allows, a token without a server record, another tenant's administrator,
 * and garbage at the list and revoke endpoints. Every refusal is a clear OAuth or Graph error, never
 * a 500, and leaves no device behind; refused uses of genuine tokens are audited.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { buildRegistrationProof, MemoryKeyStore } from '../../sdk/device/index.ts';
import { adminToken, CLIENT_ID } from '../helpers/server.ts';
import { GLOBAL_ADMIN } from '../admin/helpers.ts';
import { deviceNonce, startWorld, type World } from './harness.ts';
import { ecKey, es256, nowSec } from './forge.ts';

type Res = { status: number; body: Record<string, any> };

describe('attack: enrollment tokens (revocation, use counts, admin endpoints)', () => {
  let w: World;
  let at: string;
  let base: string;
  before(async () => {
    w = await startWorld();
    at = await adminToken(w.s);
    base = `${w.s.authority}/devices/enrollment-tokens`;
  });
  after(async () => { await w.close(); });

  async function call(method: string, url: string, body?: unknown, token: string | null = at, headers: Record<string, string> = {}): Promise<Res> {
    const res = await fetch(url, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let parsed: Record<string, any> = {};
    try { parsed = JSON.parse(text) as Record<string, any>; } catch { parsed = { raw: text }; }
    return { status: res.status, body: parsed };
  }

  const issue = async (body: Record<string, unknown> = {}) => {
    const r = await call('POST', base, body);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body as { id: string; enrollment_token: string; max_uses: number | null };
  };

  /** A fresh device (its own keys) registering with `token`: a joined device, as enrollment tokens are for. */
  async function registerWith(token: string, opts: { badProof?: boolean } = {}): Promise<Res> {
    const store = new MemoryKeyStore();
    await store.generate('device', 'ES256');
    await store.generate('transport', 'ECDH-ES+A256KW');
    let proof = await buildRegistrationProof(store, { audience: w.s.authority, nonce: await deviceNonce(w.s), device: { trustType: 'AzureAD', operatingSystem: 'Windows', operatingSystemVersion: '10.0.26100' } });
    if (opts.badProof) {
      const thief = ecKey();
      const victimJwk = (await store.get('device'))!.publicJwk!;
      const claims = JSON.parse(Buffer.from(proof.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
      proof = es256({ typ: 'tessera-device-registration+jwt', jwk: victimJwk }, { ...claims, jti: randomUUID() }, thief.privateKey);
    }
    return call('POST', `${w.s.authority}/devices/register`, { registration_proof: proof, enrollment_token: token }, null);
  }

  const deviceCount = async () => (await w.s.app.store.devices.list(w.s.tenantId)).length;
  const audits = async (n = 5) => w.s.app.store.audit.list(w.s.tenantId, { limit: n });

  function refused(r: Res, suberror: string): void {
    assert.equal(r.status, 400, JSON.stringify(r.body));
    assert.equal(r.body.error, 'invalid_grant');
    assert.equal(r.body.suberror, suberror);
    assert.match(String(r.body.error_description), /^AADSTS50155: /);
  }

  test('a revoked token registers nothing: enrollment_token_revoked, no device, use not counted, the attempt audited', async () => {
    const t = await issue({ enrollment_profile_name: 'Kiosks', system_labels: ['Kiosk'] });
    let r = await registerWith(t.enrollment_token);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const first = r.body.device_id as string;
    const [registered] = await audits(1);
    assert.equal(registered?.activity, 'Register device');
    assert.deepEqual(registered?.additionalDetails, [{ key: 'EnrollmentTokenId', value: t.id }]);

    r = await call('POST', `${base}/${t.id}/revoke`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.status, 'revoked');
    assert.equal(r.body.usageCount, 1);
    assert.ok(Date.parse(r.body.revokedDateTime) <= Date.now());
    // Audited before the answer.
    const [revoked] = await audits(1);
    assert.equal(revoked?.activity, 'Revoke device enrollment token');
    assert.equal(revoked?.result, 'success');
    assert.equal((revoked?.targetResources[0] as { id: string }).id, t.id);
    assert.equal((revoked?.initiatedBy as any).app.appId, CLIENT_ID);

    const devices = await deviceCount();
    r = await registerWith(t.enrollment_token);
    refused(r, 'enrollment_token_revoked');
    assert.equal(await deviceCount(), devices, 'no device created');
    assert.equal((await w.s.app.store.enrollmentTokens.get(w.s.tenantId, t.id))?.usageCount, 1, 'the refused use is not counted');
    const [attempt] = await audits(1);
    assert.deepEqual([attempt?.activity, attempt?.result], ['Register device', 'failure']);
    assert.deepEqual(attempt?.additionalDetails, [{ key: 'EnrollmentTokenId', value: t.id }, { key: 'FailureReason', value: 'enrollment_token_revoked' }]);
    assert.equal((attempt?.targetResources[0] as { id: string }).id, t.id);

    // Revoking again changes nothing and audits nothing; the device registered before stays.
    const count = (await audits(50)).length;
    r = await call('POST', `${base}/${t.id}/revoke`, {});
    assert.equal(r.status, 200);
    assert.equal((await audits(50)).length, count);
    assert.ok(await w.s.app.store.devices.getByDeviceId(w.s.tenantId, first));
  });

  test('max_uses: of four concurrent registrations with a two-use token, exactly two succeed; the rest are exhausted', async () => {
    const t = await issue({ max_uses: 2 });
    assert.equal(t.max_uses, 2);
    const devices = await deviceCount();
    const results = await Promise.all(Array.from({ length: 4 }, () => registerWith(t.enrollment_token)));
    assert.deepEqual(results.map((r) => r.status).sort(), [201, 201, 400, 400], JSON.stringify(results.map((r) => r.body)));
    for (const r of results.filter((x) => x.status === 400)) refused(r, 'enrollment_token_exhausted');
    assert.equal(await deviceCount(), devices + 2);
    const got = await call('GET', `${base}/${t.id}`);
    assert.equal(got.status, 200);
    assert.deepEqual([got.body.status, got.body.usageCount, got.body.maxUses], ['exhausted', 2, 2]);
    const exhausted = await call('GET', `${base}?$filter=status eq 'exhausted'`);
    assert.ok(exhausted.body.value.some((x: { id: string }) => x.id === t.id));
    assert.ok(exhausted.body.value.every((x: { status: string }) => x.status === 'exhausted'));
  });

  test('a bad registration proof burns no use: the proof is checked before the token is counted', async () => {
    const t = await issue({ max_uses: 1 });
    const r = await registerWith(t.enrollment_token, { badProof: true });
    assert.equal(r.status, 400);
    assert.equal(r.body.suberror, 'device_proof_invalid');
    assert.equal((await w.s.app.store.enrollmentTokens.get(w.s.tenantId, t.id))?.usageCount, 0);
    assert.equal((await registerWith(t.enrollment_token)).status, 201);
  });

  test('a genuinely sealed token without a server record (issued before records existed) is refused: it could never be revoked', async () => {
    const grant = { tid: w.s.tenantId, exp: nowSec() + 3600, trustType: 'AzureAd', issuedBy: randomUUID(), jti: randomUUID() };
    const legacy = `tet1.${w.s.app.sealer.seal(JSON.stringify(grant), `tessera-enrollment-token:${w.s.tenantId}`)}`;
    const devices = await deviceCount();
    refused(await registerWith(legacy), 'enrollment_token_invalid');
    assert.equal(await deviceCount(), devices);
  });

  test('the record holds what an admin needs, never the token; listing pages with nextLink', async () => {
    const t = await issue({ expires_in: 3600, profile_type: 'Shared', enrollment_profile_name: 'Lobby' });
    const record = await w.s.app.store.enrollmentTokens.get(w.s.tenantId, t.id);
    assert.ok(record);
    const sealed = t.enrollment_token.slice('tet1.'.length);
    assert.ok(!JSON.stringify(record).includes(sealed.slice(0, 40)), 'no part of the sealed token is stored');
    const listed = await call('GET', base);
    assert.equal(listed.status, 200);
    const entity = listed.body.value.find((x: { id: string }) => x.id === t.id);
    assert.deepEqual(
      [entity.status, entity.profileType, entity.enrollmentProfileName, entity.trustType, entity.maxUses, entity.usageCount, entity.revokedDateTime],
      ['active', 'Shared', 'Lobby', 'AzureAd', null, 0, null],
    );
    assert.ok(!JSON.stringify(listed.body).includes(sealed.slice(0, 40)), 'the list never shows a token');
    assert.equal(listed.body.value[0].id, t.id, 'newest first');

    const all = listed.body.value.length as number;
    assert.ok(all >= 3);
    const seen: string[] = [];
    let next: string | undefined = `${base}?$top=2`;
    while (next) {
      const page: Res = await call('GET', next);
      assert.equal(page.status, 200, JSON.stringify(page.body));
      assert.ok(page.body.value.length <= 2);
      seen.push(...page.body.value.map((x: { id: string }) => x.id));
      next = page.body['@odata.nextLink'];
    }
    assert.equal(seen.length, all);
    assert.equal(new Set(seen).size, all);
  });

  test("another tenant's administrator can neither list nor revoke this tenant's tokens", async () => {
    const t = await issue();
    const otherTenant = randomUUID();
    await w.s.app.store.tenants.create({ id: otherTenant, domain: 'fabrikam.test', displayName: 'Fabrikam', createdAt: Date.now() });
    w.s.app.directory.invalidate();
    const now = nowSec();
    const foreign = w.s.app.keys.signer().sign({
      iss: `${w.s.url}/${otherTenant}/v2.0`, aud: 'https://graph.microsoft.com', tid: otherTenant, sub: randomUUID(), oid: randomUUID(), idtyp: 'app',
      appid: CLIENT_ID, azp: CLIENT_ID, wids: [GLOBAL_ADMIN], iat: now, nbf: now, exp: now + 600, jti: randomUUID(),
    }, { typ: 'at+jwt' });
    for (const [method, url] of [['GET', base], ['GET', `${base}/${t.id}`], ['POST', `${base}/${t.id}/revoke`], ['POST', base]] as const) {
      const r = await call(method, url, method === 'POST' && url === base ? {} : undefined, foreign);
      assert.equal(r.status, 403, `${method} ${url}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.error.code, 'Authorization_RequestDenied');
    }
    // Under its own tenant's path, the foreign admin does not find the token.
    const own = await call('POST', `${w.s.url}/${otherTenant}/devices/enrollment-tokens/${t.id}/revoke`, undefined, foreign);
    assert.equal(own.status, 404);
    assert.equal(own.body.error.code, 'Request_ResourceNotFound');
    assert.equal((await call('GET', `${base}/${t.id}`)).body.status, 'active');
    // A token without devices.write is refused too.
    const reader = w.s.app.keys.signer().sign({
      iss: `${w.s.authority}/v2.0`, aud: 'https://graph.microsoft.com', tid: w.s.tenantId, sub: randomUUID(), oid: randomUUID(), idtyp: 'app',
      appid: CLIENT_ID, azp: CLIENT_ID, wids: [], iat: now, nbf: now, exp: now + 600, jti: randomUUID(),
    }, { typ: 'at+jwt' });
    assert.equal((await call('GET', base, undefined, reader)).status, 403);
    assert.equal((await call('POST', `${base}/${t.id}/revoke`, undefined, reader)).status, 403);
  });

  test('garbage at the list, get and revoke endpoints: Graph errors with stable codes, never a 500, nothing revoked', async () => {
    const t = await issue();
    const cases: [string, string, unknown, string | null, number, string][] = [
      ['GET', base, undefined, null, 401, 'InvalidAuthenticationToken'],
      ['GET', base, undefined, 'not-a-jwt', 401, 'InvalidAuthenticationToken'],
      ['POST', `${base}/${t.id}/revoke`, undefined, null, 401, 'InvalidAuthenticationToken'],
      ['GET', `${base}?$top=0`, undefined, at, 400, 'BadRequest'],
      ['GET', `${base}?$top=abc`, undefined, at, 400, 'BadRequest'],
      ['GET', `${base}?$top=100000`, undefined, at, 400, 'BadRequest'],
      ['GET', `${base}?$top=1&$top=2`, undefined, at, 400, 'BadRequest'],
      ['GET', `${base}?$skiptoken=-1`, undefined, at, 400, 'BadRequest'],
      ['GET', `${base}?$skiptoken=${'9'.repeat(40)}`, undefined, at, 400, 'BadRequest'],
      ['GET', `${base}?$orderby=id`, undefined, at, 400, 'BadRequest'],
      ['GET', `${base}?$filter=usageCount gt 1`, undefined, at, 400, 'Request_UnsupportedQuery'],
      ['GET', `${base}?$filter=status eq 'bogus'`, undefined, at, 400, 'Request_UnsupportedQuery'],
      ['GET', `${base}?$filter=${'x'.repeat(5000)}`, undefined, at, 400, 'Request_UnsupportedQuery'],
      ['GET', `${base}/not-a-guid`, undefined, at, 400, 'BadRequest'],
      ['GET', `${base}/${'a'.repeat(400)}`, undefined, at, 400, 'BadRequest'],
      ['GET', `${base}/${randomUUID()}`, undefined, at, 404, 'Request_ResourceNotFound'],
      ['GET', `${base}/${t.id}?$select=id`, undefined, at, 400, 'BadRequest'],
      ['POST', `${base}/not-a-guid/revoke`, undefined, at, 400, 'BadRequest'],
      ['POST', `${base}/%E0%A4%A/revoke`, undefined, at, 400, ''],
      ['POST', `${base}/${randomUUID()}/revoke`, undefined, at, 404, 'Request_ResourceNotFound'],
      ['POST', `${base}/${t.id}/revoke`, { reason: 'x' }, at, 400, 'BadRequest'],
      ['POST', `${base}/${t.id}/revoke`, [], at, 400, 'BadRequest'],
      ['POST', `${base}/${t.id}/revoke`, '"x"', at, 400, 'BadRequest'],
      ['POST', `${base}/${t.id}/revoke`, '{', at, 400, ''],
      ['GET', `${w.s.url}/no-such-tenant/devices/enrollment-tokens`, undefined, at, 400, ''],
    ];
    for (const [method, url, body, token, status, code] of cases) {
      const r = await call(method, url, body, token);
      const what = `${method} ${url.slice(w.s.url.length, w.s.url.length + 100)} ${JSON.stringify(body ?? '')}`;
      assert.equal(r.status, status, `${what} → ${JSON.stringify(r.body)}`);
      if (code) assert.equal(r.body.error?.code, code, what);
      else assert.ok(typeof r.body.error === 'string' || typeof r.body.error?.code === 'string', what);
    }
    assert.equal((await call('GET', `${base}/${t.id}`)).body.status, 'active', 'nothing was revoked');
    for (const body of ['{"max_uses":0}', '{"max_uses":1.5}', '{"max_uses":"3"}', '{"max_uses":1000001}', '{"max_uses":null}']) {
      const r = await call('POST', base, body);
      assert.equal(r.status, 400, body);
      assert.equal(r.body.error, 'invalid_request');
    }
  });
});
