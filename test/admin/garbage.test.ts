// Garbage on every endpoint: each answer is a Graph error with a clear message, never a 500.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { adminToken, graph, startTestServer, type TestServer } from '../helpers/server.ts';
import { createUser } from './helpers.ts';

describe('garbage input on every admin endpoint', () => {
  let s: TestServer;
  let token: string;
  const ids: Record<string, string> = {};
  before(async () => {
    s = await startTestServer();
    token = await adminToken(s);
    const u = await createUser(s, token, 'target');
    ids.user = u.id;
    ids.group = (await graph(s, token, 'POST', '/v1.0/groups', { displayName: 'G', mailEnabled: false, mailNickname: 'g', securityEnabled: true })).body.id;
    const a = (await graph(s, token, 'POST', '/v1.0/applications', { displayName: 'A' })).body;
    ids.app = a.id;
    ids.sp = (await graph(s, token, 'POST', '/v1.0/servicePrincipals', { appId: a.appId })).body.id;
    ids.device = (await graph(s, token, 'POST', '/v1.0/devices', { deviceId: randomUUID(), displayName: 'D' })).body.id;
  });
  after(async () => { await s.stop(); });

  const writes = (): [string, string][] => [
    ['POST', '/v1.0/users'], ['PATCH', `/v1.0/users/${ids.user}`], ['POST', '/v1.0/groups'], ['PATCH', `/v1.0/groups/${ids.group}`],
    ['POST', `/v1.0/groups/${ids.group}/members/$ref`], ['POST', '/v1.0/applications'], ['PATCH', `/v1.0/applications/${ids.app}`],
    ['POST', `/v1.0/applications/${ids.app}/addPassword`], ['POST', `/v1.0/applications/${ids.app}/removePassword`], ['POST', '/v1.0/servicePrincipals'],
    ['PATCH', `/v1.0/servicePrincipals/${ids.sp}`], ['POST', `/v1.0/servicePrincipals/${ids.sp}/appRoleAssignments`], ['POST', `/v1.0/servicePrincipals/${ids.sp}/appRoleAssignedTo`],
    ['POST', '/v1.0/devices'], ['PATCH', `/v1.0/devices/${ids.device}`], ['POST', '/v1.0/directoryRoles/62e90394-69f5-4237-9190-012177145e10/members/$ref'],
    ['POST', `/v1.0/users/${ids.user}/authentication/softwareOathMethods`],
  ];
  const lists = ['/v1.0/users', '/v1.0/groups', '/v1.0/applications', '/v1.0/servicePrincipals', '/v1.0/devices', '/v1.0/directoryRoles', '/v1.0/auditLogs/directoryAudits', '/v1.0/auditLogs/signIns'];

  function isGraphError(r: { status: number; body: any }, what: string, allowed: number[] = [400, 404, 409, 413, 415]): void {
    assert.ok(allowed.includes(r.status), `${what}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
    assert.equal(typeof r.body?.error?.code, 'string', `${what}: ${JSON.stringify(r.body).slice(0, 200)}`);
    assert.ok(r.body.error.message.length > 0 && r.body.error.message.length < 600, what);
  }

  it('malformed JSON, wrong content type, non-objects, unknown fields, wrong types, odd unicode and huge bodies on every write', async () => {
    const bodies: [string, string, Record<string, string>?][] = [
      ['malformed', '{"displayName": "x",'], ['array', '[{"displayName":"x"}]'], ['string', '"hello"'], ['null', 'null'], ['number', '42'],
      ['unknown', '{"zzUnknownProperty": 1}'], ['wrong types', '{"displayName": {"a": 1}, "accountEnabled": "no", "deviceId": 7, "appId": [], "@odata.id": 5, "keyId": false}'],
      ['odd unicode', JSON.stringify({ displayName: '\u202e\u0000\ud83d', mailNickname: '\ufeff' })], ['proto', '{"__proto__": {"admin": true}, "constructor": 1}'],
      ['huge', JSON.stringify({ displayName: 'x'.repeat(300_000) })], ['deep', `${'['.repeat(5000)}${']'.repeat(5000)}`],
      ['form', 'displayName=x', { 'content-type': 'application/x-www-form-urlencoded' }], ['text', 'displayName', { 'content-type': 'text/plain' }],
    ];
    for (const [method, path] of writes()) {
      for (const [name, body, headers] of bodies) {
        const r = await graph(s, token, method, path, body, headers ?? {});
        isGraphError(r, `${method} ${path} (${name})`);
      }
    }
  });

  it('bad ids and bad keys in every path', async () => {
    // Fastify rejects a malformed percent-encoding before routing (FST_ERR_BAD_URL): a 400, in Fastify's body.
    const badUrl = await graph(s, token, 'GET', '/v1.0/users/%E0%A4%A');
    assert.equal(badUrl.status, 400);
    const bad = ['not-a-guid', '%25E0%25A4%25A', '%2525', "x'or'1'='1", encodeURIComponent('\u0000'), 'a'.repeat(400), randomUUID()];
    for (const id of bad) {
      for (const p of ['users', 'groups', 'applications', 'servicePrincipals', 'devices', 'directoryRoles', 'auditLogs/directoryAudits', 'auditLogs/signIns']) {
        const r = await graph(s, token, 'GET', `/v1.0/${p}/${id}`);
        isGraphError(r, `GET ${p}/${id.slice(0, 20)}`);
      }
      for (const p of [`users/${id}`, `groups/${id}`, `applications/${id}`, `servicePrincipals/${id}`, `devices/${id}`, `groups/${ids.group}/members/${id}/$ref`, `users/${ids.user}/authentication/softwareOathMethods/${id}`]) {
        isGraphError(await graph(s, token, 'DELETE', `/v1.0/${p}`), `DELETE ${p.slice(0, 60)}`);
      }
      isGraphError(await graph(s, token, 'POST', `/v1.0/users/${id}/revokeSignInSessions`), `revoke ${id.slice(0, 20)}`);
    }
    for (const k of ["devices(deviceId='')", "devices(deviceId='x')", 'devices(deviceId=x)', "applications(appId='nope')", "servicePrincipals(appId='')", "directoryRoles(roleTemplateId='x')"]) {
      isGraphError(await graph(s, token, 'GET', `/v1.0/${k}`), k);
    }
  });

  it('bad OData on every list', async () => {
    const queries = [
      "$filter=displayName eq 'unterminated", '$filter=', '$filter=1 eq 1 eq 1', '$filter=nosuch eq 1', '$filter=displayName eq 5', `$filter=${'('.repeat(200)}`,
      '$top=0', '$top=1000000', '$top=abc', '$orderby=nosuch', '$orderby=displayName sideways', '$select=nosuch', '$select=', '$count=maybe', '$skiptoken=abc',
      '$expand=members', '$search="x"', '$skip=1', '$top=1&$top=2', "$filter=displayName%20eq%20'%00%ED%A0%80'", '$filter=displayName eq %FF',
    ];
    for (const list of lists) {
      for (const q of queries) {
        const r = await graph(s, token, 'GET', `${list}?${q}`);
        isGraphError(r, `${list}?${q.slice(0, 40)}`);
      }
    }
  });

  it('random JSON bodies never cause a 500 (fast-check)', async () => {
    const targets = writes();
    await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: targets.length - 1 }), fc.jsonValue({ maxDepth: 3 }), async (i, value) => {
      const [method, path] = targets[i]!;
      const r = await graph(s, token, method, path, JSON.stringify(value));
      assert.ok(r.status < 500, `${method} ${path} ${String(JSON.stringify(value)).slice(0, 200)} → ${r.status} ${String(JSON.stringify(r.body)).slice(0, 200)}`);
      if (r.status >= 400) assert.equal(typeof r.body.error.code, 'string');
    }), { numRuns: 150 });
  });

  it('known property names with random values never cause a 500 (fast-check)', async () => {
    const targets = writes();
    const keys = ['displayName', 'accountEnabled', 'userPrincipalName', 'passwordProfile', 'mailNickname', 'web', 'spa', 'publicClient', 'keyCredentials', 'appRoles', 'api',
      'identifierUris', 'isFallbackPublicClient', 'tesseraTokenProtectionRequired', 'passwordCredential', 'keyId', 'appId', 'deviceId', '@odata.id', 'principalId',
      'resourceId', 'appRoleId', 'systemLabels', 'extensionAttributes', 'trustType', 'isCompliant', 'securityEnabled', 'mailEnabled', 'members@odata.bind'];
    await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: targets.length - 1 }), fc.dictionary(fc.constantFrom(...keys), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }), async (i, value) => {
      const [method, path] = targets[i]!;
      const r = await graph(s, token, method, path, JSON.stringify(value));
      assert.ok(r.status < 500, `${method} ${path} ${String(JSON.stringify(value)).slice(0, 200)} → ${r.status} ${String(JSON.stringify(r.body)).slice(0, 200)}`);
      if (r.status >= 400) assert.equal(typeof r.body.error.code, 'string');
    }), { numRuns: 200 });
  });
});
