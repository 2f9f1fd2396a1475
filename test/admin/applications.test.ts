import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { adminToken, graph, startTestServer, type TestServer } from '../helpers/server.ts';
import { assertGraphError, audits } from './helpers.ts';
import { sha256 } from '../../src/util/ids.ts';

/** A self-signed certificate from `openssl`, made once for the private_key_jwt test. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function selfSigned(): { certPem: string; keyPem: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-cert-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '30', '-subj', '/CN=tessera-test'], { stdio: 'ignore' });
    return { certPem: readFileSync(join(dir, 'c.pem'), 'utf8'), keyPem: readFileSync(join(dir, 'k.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function assertion(clientId: string, aud: string, keyPem: string, header: Record<string, unknown>): string {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const input = `${b64({ alg: 'RS256', typ: 'JWT', ...header })}.${b64({ iss: clientId, sub: clientId, aud, jti: randomUUID(), iat: now, nbf: now, exp: now + 300 })}`;
  return `${input}.${sign('sha256', Buffer.from(input), keyPem).toString('base64url')}`;
}

async function clientCredentials(s: TestServer, params: Record<string, string>): Promise<{ status: number; body: any }> {
  const res = await fetch(`${s.authority}/oauth2/v2.0/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'https://graph.microsoft.com/.default', ...params }) });
  return { status: res.status, body: await res.json() };
}

describe('applications and service principals', () => {
  let s: TestServer;
  let token: string;
  before(async () => { s = await startTestServer(); token = await adminToken(s); });
  after(async () => { await s.stop(); });

  it('creates an application with platforms, roles, scopes and the token protection extension; patches and deletes it', async () => {
    const roleId = randomUUID();
    const scopeId = randomUUID();
    const created = await graph(s, token, 'POST', '/v1.0/applications', {
      displayName: 'Payroll API', identifierUris: ['api://payroll'], web: { redirectUris: ['https://payroll.example/cb'] }, spa: { redirectUris: ['https://spa.example/cb'] },
      appRoles: [{ id: roleId, value: 'Payroll.Read', displayName: 'Read payroll', description: 'r', allowedMemberTypes: ['Application'], isEnabled: true }],
      api: { oauth2PermissionScopes: [{ id: scopeId, value: 'payroll.read', adminConsentDisplayName: 'Read', adminConsentDescription: 'Read', type: 'User', isEnabled: true }] },
      tesseraTokenProtectionRequired: true,
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const a = created.body;
    assert.deepEqual(a.web.redirectUris, ['https://payroll.example/cb']);
    assert.deepEqual(a.spa.redirectUris, ['https://spa.example/cb']);
    assert.equal(a.tesseraTokenProtectionRequired, true);
    assert.equal(a.appRoles[0].value, 'Payroll.Read');
    assert.equal(a.api.oauth2PermissionScopes[0].value, 'payroll.read');
    assert.equal((await s.app.store.applications.getByAppId(a.appId))?.tokenProtectionRequired, true);

    const dup = await graph(s, token, 'POST', '/v1.0/applications', { displayName: 'Other', identifierUris: ['api://payroll'] });
    assertGraphError(dup, 400, 'duplicate identifier URI');

    assert.equal((await graph(s, token, 'PATCH', `/v1.0/applications/${a.id}`, { displayName: 'Payroll', publicClient: { redirectUris: ['http://localhost/x'] }, isFallbackPublicClient: true })).status, 204);
    const got = await graph(s, token, 'GET', `/beta/applications(appId='${a.appId}')`);
    assert.equal(got.status, 200, JSON.stringify(got.body));
    assert.equal(got.body.displayName, 'Payroll');
    assert.deepEqual(got.body.publicClient.redirectUris, ['http://localhost/x']);
    assert.equal((await s.app.store.applications.getByAppId(a.appId))?.isPublic, true);
    const updates = await audits(s, token, 'Update application');
    assert.ok(updates.some((e) => e.targetResources[0].id === a.id && e.targetResources[0].modifiedProperties.some((m: any) => m.displayName === 'DisplayName' && m.newValue === '"Payroll"')));

    const list = await graph(s, token, 'GET', "/v1.0/applications?$filter=displayName eq 'Payroll'&$select=appId");
    assert.deepEqual(list.body.value, [{ appId: a.appId }]);

    assert.equal((await graph(s, token, 'DELETE', `/v1.0/applications/${a.id}`)).status, 204);
    assert.equal((await graph(s, token, 'GET', `/v1.0/applications/${a.id}`)).status, 404);
    assert.equal((await audits(s, token, 'Delete application')).length, 1);
  });

  it('addPassword shows the secret once, stores only its hash, and the secret works; removePassword revokes it', async () => {
    const a = (await graph(s, token, 'POST', '/v1.0/applications', { displayName: 'Daemon' })).body;
    const sp = await graph(s, token, 'POST', '/v1.0/servicePrincipals', { appId: a.appId });
    assert.equal(sp.status, 201);
    assertGraphError(await graph(s, token, 'POST', '/v1.0/servicePrincipals', { appId: a.appId }), 409, 'second service principal');
    const pw = await graph(s, token, 'POST', `/v1.0/applications/${a.id}/addPassword`, { passwordCredential: { displayName: 'ci' } });
    assert.equal(pw.status, 200, JSON.stringify(pw.body));
    assert.equal(typeof pw.body.secretText, 'string');
    assert.equal(pw.body.hint, pw.body.secretText.slice(0, 3));
    const stored = await s.app.store.applications.credentials(a.appId);
    assert.equal(stored[0]?.secretHash, sha256(pw.body.secretText));
    assert.ok(!JSON.stringify(stored).includes(pw.body.secretText), 'the secret itself is not stored');
    const listed = await graph(s, token, 'GET', `/v1.0/applications/${a.id}`);
    assert.equal(listed.body.passwordCredentials[0].secretText, null);
    assert.equal((await clientCredentials(s, { client_id: a.appId, client_secret: pw.body.secretText })).status, 200);
    assert.equal((await audits(s, token, 'Update application – Certificates and secrets management')).length >= 1, true);

    assert.equal((await graph(s, token, 'POST', `/v1.0/applications/${a.id}/removePassword`, { keyId: pw.body.keyId })).status, 204);
    const after = await clientCredentials(s, { client_id: a.appId, client_secret: pw.body.secretText });
    assert.equal(after.status, 401);
    assertGraphError(await graph(s, token, 'POST', `/v1.0/applications/${a.id}/removePassword`, { keyId: 'nope' }), 400, 'bad keyId');
  });

  it('keyCredentials take a PEM certificate or a JWK; private_key_jwt then works with x5t#S256', async () => {
    const { certPem, keyPem } = selfSigned();
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = { ...ec.publicKey.export({ format: 'jwk' }), kid: 'ec-1' };
    const a = (await graph(s, token, 'POST', '/v1.0/applications', { displayName: 'Cert daemon', keyCredentials: [{ type: 'AsymmetricX509Cert', usage: 'Verify', key: Buffer.from(certPem).toString('base64'), displayName: 'CN=tessera-test' }] })).body;
    assert.equal(a.keyCredentials.length, 1);
    assert.equal(a.keyCredentials[0].key, null);
    await graph(s, token, 'POST', '/v1.0/servicePrincipals', { appId: a.appId });
    const stored = (await s.app.store.applications.credentials(a.appId))[0]!;
    const der = Buffer.from(certPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    assert.equal(stored.thumbprint, createHash('sha256').update(der).digest('base64url'));
    const aud = `${s.authority}/oauth2/v2.0/token`;
    const ok = await clientCredentials(s, { client_id: a.appId, client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion(a.appId, aud, keyPem, { 'x5t#S256': stored.thumbprint }) });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));

    // PATCH replaces the collection: keep the certificate by keyId, add a JWK.
    const patch = await graph(s, token, 'PATCH', `/v1.0/applications/${a.id}`, { keyCredentials: [{ keyId: a.keyCredentials[0].keyId }, { type: 'AsymmetricX509Cert', usage: 'Verify', key: jwk, displayName: 'ec' }] });
    assert.equal(patch.status, 204, JSON.stringify(patch.body));
    assert.equal((await graph(s, token, 'GET', `/v1.0/applications/${a.id}`)).body.keyCredentials.length, 2);
    assertGraphError(await graph(s, token, 'PATCH', `/v1.0/applications/${a.id}`, { keyCredentials: [{ key: 'not a certificate' }] }), 400, 'garbage certificate');
    assertGraphError(await graph(s, token, 'PATCH', `/v1.0/applications/${a.id}`, { keyCredentials: [{ key: ec.privateKey.export({ format: 'jwk' }) }] }), 400, 'private JWK');
    assertGraphError(await graph(s, token, 'PATCH', `/v1.0/applications/${a.id}`, { keyCredentials: [{ key: { kty: 'EC', crv: 'P-256', x: 'AAAA', y: 'AAAA' } }] }), 400, 'bad JWK');
  });

  it('service principals: list, patch (disable blocks tokens), appRoleAssignments and appRoleAssignedTo, delete', async () => {
    const roleId = randomUUID();
    const api = (await graph(s, token, 'POST', '/v1.0/applications', { displayName: 'Orders API', identifierUris: ['api://orders'], appRoles: [{ id: roleId, value: 'Orders.Read', displayName: 'Read orders', allowedMemberTypes: ['Application'] }] })).body;
    const apiSp = (await graph(s, token, 'POST', '/v1.0/servicePrincipals', { appId: api.appId })).body;
    const client = (await graph(s, token, 'POST', '/v1.0/applications', { displayName: 'Orders client' })).body;
    const clientSp = (await graph(s, token, 'POST', '/v1.0/servicePrincipals', { appId: client.appId })).body;
    const secret = (await graph(s, token, 'POST', `/v1.0/applications/${client.id}/addPassword`, {})).body.secretText as string;

    const assigned = await graph(s, token, 'POST', `/v1.0/servicePrincipals/${clientSp.id}/appRoleAssignments`, { principalId: clientSp.id, resourceId: apiSp.id, appRoleId: roleId });
    assert.equal(assigned.status, 201, JSON.stringify(assigned.body));
    assertGraphError(await graph(s, token, 'POST', `/v1.0/servicePrincipals/${clientSp.id}/appRoleAssignments`, { principalId: clientSp.id, resourceId: apiSp.id, appRoleId: randomUUID() }), 400, 'unknown role');
    const to = await graph(s, token, 'GET', `/v1.0/servicePrincipals/${apiSp.id}/appRoleAssignedTo`);
    assert.deepEqual(to.body.value.map((x: any) => x.principalId), [clientSp.id]);
    const tok = await clientCredentials(s, { client_id: client.appId, client_secret: secret, scope: 'api://orders/.default' });
    assert.equal(tok.status, 200, JSON.stringify(tok.body));
    assert.deepEqual(JSON.parse(Buffer.from(tok.body.access_token.split('.')[1], 'base64url').toString()).roles, ['Orders.Read']);
    assert.equal((await audits(s, token, 'Add app role assignment to service principal')).length, 1);

    const byFilter = await graph(s, token, 'GET', `/v1.0/servicePrincipals?$filter=appId eq '${client.appId}'`);
    assert.equal(byFilter.body.value[0].id, clientSp.id);
    assert.equal((await graph(s, token, 'PATCH', `/v1.0/servicePrincipals/${clientSp.id}`, { accountEnabled: false })).status, 204);
    assert.equal((await clientCredentials(s, { client_id: client.appId, client_secret: secret })).status >= 400, true);
    assert.equal((await graph(s, token, 'DELETE', `/v1.0/servicePrincipals/${clientSp.id}/appRoleAssignments/${assigned.body.id}`)).status, 204);
    assert.equal((await graph(s, token, 'DELETE', `/v1.0/servicePrincipals/${clientSp.id}`)).status, 204);
    assert.equal((await graph(s, token, 'GET', `/v1.0/servicePrincipals/${clientSp.id}`)).status, 404);
    assert.equal((await audits(s, token, 'Remove service principal')).length, 1);
  });

  it('refuses garbage on every application and service principal endpoint', async () => {
    const a = (await graph(s, token, 'POST', '/v1.0/applications', { displayName: 'Garbage target' })).body;
    const cases: [string, string, unknown, number][] = [
      ['POST', '/v1.0/applications', {}, 400],
      ['POST', '/v1.0/applications', { displayName: 'x', appId: randomUUID() }, 400],
      ['POST', '/v1.0/applications', { displayName: 'x', web: { redirectUris: ['not a uri'] } }, 400],
      ['POST', '/v1.0/applications', { displayName: 'x', web: { redirectUris: 'https://a/cb' } }, 400],
      ['POST', '/v1.0/applications', { displayName: 'x', identifierUris: ['ftp://x'] }, 400],
      ['POST', '/v1.0/applications', { displayName: 'x', appRoles: [{ id: 'nope' }] }, 400],
      ['POST', '/v1.0/applications', { displayName: 'x', tesseraTokenProtectionRequired: 'yes' }, 400],
      ['POST', '/v1.0/applications', { displayName: '\u202e\ud800' }, 400],
      ['PATCH', `/v1.0/applications/${a.id}`, { passwordCredentials: [] }, 400],
      ['PATCH', `/v1.0/applications/${a.id}`, '{"displayName":', 400],
      ['PATCH', '/v1.0/applications/00000000-0000-0000-0000-000000000001', { displayName: 'x' }, 404],
      ['POST', `/v1.0/applications/${a.id}/addPassword`, { passwordCredential: { endDateTime: 'tomorrow' } }, 400],
      ['POST', `/v1.0/applications/${a.id}/addPassword`, { passwordCredential: { secretText: 'mine' } }, 400],
      ['POST', '/v1.0/servicePrincipals', { appId: randomUUID() }, 400],
      ['POST', '/v1.0/servicePrincipals', { appId: 42 }, 400],
      ['PATCH', `/v1.0/servicePrincipals/${randomUUID()}`, { accountEnabled: true }, 404],
      ['GET', "/v1.0/servicePrincipals?$filter=appId eq", undefined, 400],
      ['GET', '/v1.0/applications?$orderby=keyCredentials', undefined, 400],
      ['GET', '/v1.0/applications?$expand=owners', undefined, 400],
    ];
    for (const [method, path, body, status] of cases) assertGraphError(await graph(s, token, method, path, body), status, `${method} ${path} ${JSON.stringify(body)?.slice(0, 60)}`);
  });
});
