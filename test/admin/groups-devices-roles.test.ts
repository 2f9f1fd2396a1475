import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import * as OTPAuth from 'otpauth';
import { adminToken, graph, startTestServer, type TestServer } from '../helpers/server.ts';
import { sha256 } from '../../src/util/ids.ts';
import { assertGraphError, audits, createPublicClient, createUser, PASSWORD, REDIRECT } from './helpers.ts';
import { codeFlow } from '../../bench/lib/code-flow.ts';

const ref = (id: string) => ({ '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${id}` });

describe('groups, devices, directory roles and software OATH methods', () => {
  let s: TestServer;
  let token: string;
  before(async () => { s = await startTestServer(); token = await adminToken(s); });
  after(async () => { await s.stop(); });

  it('groups: create with members@odata.bind, add and remove members by $ref, memberOf, patch, delete', async () => {
    const a = await createUser(s, token, 'ann');
    const b = await createUser(s, token, 'bob');
    const g = await graph(s, token, 'POST', '/v1.0/groups', { displayName: 'Finance', mailEnabled: false, mailNickname: 'finance', securityEnabled: true, 'members@odata.bind': [ref(a.id)['@odata.id']] });
    assert.equal(g.status, 201, JSON.stringify(g.body));
    assert.equal((await graph(s, token, 'POST', `/v1.0/groups/${g.body.id}/members/$ref`, ref(b.id))).status, 204);
    assertGraphError(await graph(s, token, 'POST', `/v1.0/groups/${g.body.id}/members/$ref`, ref(b.id)), 400, 'duplicate member');
    assertGraphError(await graph(s, token, 'POST', `/v1.0/groups/${g.body.id}/members/$ref`, ref(g.body.id)), 400, 'group in itself');
    assertGraphError(await graph(s, token, 'POST', `/v1.0/groups/${g.body.id}/members/$ref`, ref(randomUUID())), 404, 'unknown member');
    assertGraphError(await graph(s, token, 'POST', `/v1.0/groups/${g.body.id}/members/$ref`, { '@odata.id': 'javascript:alert(1)' }), 400, 'bad @odata.id');
    const members = await graph(s, token, 'GET', `/v1.0/groups/${g.body.id}/members?$select=id`);
    assert.deepEqual(members.body.value.map((m: any) => m.id).sort(), [a.id, b.id].sort());
    const memberOf = await graph(s, token, 'GET', `/v1.0/users/${b.upn}/memberOf`);
    assert.deepEqual(memberOf.body.value.map((m: any) => m.displayName), ['Finance']);
    assert.equal((await graph(s, token, 'DELETE', `/v1.0/groups/${g.body.id}/members/${b.id}/$ref`)).status, 204);
    assertGraphError(await graph(s, token, 'DELETE', `/v1.0/groups/${g.body.id}/members/${b.id}/$ref`), 404, 'remove twice');
    assert.equal((await graph(s, token, 'PATCH', `/v1.0/groups/${g.body.id}`, { description: 'Money people' })).status, 204);
    assert.equal((await graph(s, token, 'GET', `/v1.0/groups?$filter=description eq 'Money people'`)).body.value.length, 1);
    const adds = await audits(s, token, 'Add member to group');
    assert.equal(adds.length, 2);
    assert.equal(adds[0].category, 'GroupManagement');
    assert.ok(adds.some((e) => e.targetResources[0].id === b.id && e.targetResources[1].id === g.body.id));
    assert.equal((await audits(s, token, 'Remove member from group')).length, 1);
    assert.equal((await graph(s, token, 'DELETE', `/v1.0/groups/${g.body.id}`)).status, 204);
    assert.equal((await audits(s, token, 'Delete group')).length, 1);
    assertGraphError(await graph(s, token, 'POST', '/v1.0/groups', { displayName: 'M365', mailEnabled: true, mailNickname: 'm', securityEnabled: false, groupTypes: ['Unified'] }), 400, 'unified group');
  });

  it('devices: create, get by id and deviceId, patch, filter, owners, disable and delete revoke bound refresh tokens', async () => {
    const owner = await createUser(s, token, 'owner');
    const deviceId = randomUUID();
    const d = await graph(s, token, 'POST', '/v1.0/devices', {
      deviceId, displayName: 'LAPTOP-1', accountEnabled: true, operatingSystem: 'Windows', operatingSystemVersion: '10.0.22631', trustType: 'AzureAd',
      isCompliant: true, isManaged: true, systemLabels: ['PrivilegedAccessWorkstation'], enrollmentProfileName: 'Autopilot', manufacturer: 'Contoso', model: 'X1',
      'registeredOwners@odata.bind': [ref(owner.id)['@odata.id']],
    });
    assert.equal(d.status, 201, JSON.stringify(d.body));
    assert.equal(d.body.profileType, 'RegisteredDevice');
    assertGraphError(await graph(s, token, 'POST', '/v1.0/devices', { deviceId, displayName: 'dup' }), 409, 'duplicate deviceId');
    const byKey = await graph(s, token, 'GET', `/v1.0/devices(deviceId='${deviceId}')`);
    assert.equal(byKey.body.id, d.body.id);
    assert.equal(byKey.body.manufacturer, 'Contoso');
    const owners = await graph(s, token, 'GET', `/v1.0/devices/${d.body.id}/registeredOwners`);
    assert.deepEqual(owners.body.value.map((o: any) => o.id), [owner.id]);
    const owned = await graph(s, token, 'GET', `/v1.0/users/${owner.upn}/registeredDevices?$select=deviceId`);
    assert.deepEqual(owned.body.value, [{ deviceId }]);
    assert.equal(owned.headers.get('client-request-id'), owned.headers.get('request-id'));
    const filtered = await graph(s, token, 'GET', "/v1.0/devices?$filter=systemLabels/any(l: l eq 'PrivilegedAccessWorkstation') and isCompliant eq true&$count=true");
    assert.equal(filtered.body['@odata.count'], 1);

    const now = Date.now();
    const bound = { tokenHash: sha256(randomUUID()), familyId: randomUUID(), tenantId: s.tenantId, clientId: randomUUID(), userId: owner.id, scope: 'openid', resource: null, sid: randomUUID(), authTime: now, amr: ['pwd'], jkt: null, deviceId, issuedAt: now, expiresAt: now + 3_600_000, status: 'active' as const, usedAt: null, context: {} };
    await s.app.store.refreshTokens.save(bound);
    const patch = await graph(s, token, 'PATCH', `/beta/devices/${d.body.id}`, { accountEnabled: false, isCompliant: false, extensionAttributes: { extensionAttribute1: 'kiosk' } });
    assert.equal(patch.status, 204, JSON.stringify(patch.body));
    assert.equal((await s.app.store.refreshTokens.find(bound.tokenHash))?.status, 'revoked');
    const got = (await graph(s, token, 'GET', `/beta/devices/${d.body.id}`)).body;
    assert.equal(got.extensionAttributes.extensionAttribute1, 'kiosk');
    assert.equal(got.isCompliant, false);
    assertGraphError(await graph(s, token, 'PATCH', `/v1.0/devices/${d.body.id}`, { deviceId: randomUUID() }), 400, 'deviceId is read-only');
    assertGraphError(await graph(s, token, 'PATCH', `/v1.0/devices/${d.body.id}`, { trustType: 'Sideways' }), 400, 'bad trustType');

    const second = { ...bound, tokenHash: sha256(randomUUID()) };
    await s.app.store.refreshTokens.save(second);
    assert.equal((await graph(s, token, 'DELETE', `/v1.0/devices(deviceId='${deviceId}')`)).status, 204);
    assert.equal((await s.app.store.refreshTokens.find(second.tokenHash))?.status, 'revoked');
    assertGraphError(await graph(s, token, 'GET', `/v1.0/devices/${d.body.id}`), 404, 'deleted device');
    assertGraphError(await graph(s, token, 'DELETE', `/v1.0/devices(deviceId='${deviceId}')`), 404, 'delete twice');
    const del = await audits(s, token, 'Delete device');
    assert.equal(del[0].category, 'Device');
    assert.equal(del[0].targetResources[0].modifiedProperties[0].oldValue, JSON.stringify(deviceId));
    const d2 = (await graph(s, token, 'POST', '/v1.0/devices', { deviceId: randomUUID(), displayName: 'PHONE' })).body;
    assert.equal((await graph(s, token, 'DELETE', `/v1.0/devices/${d2.id}`)).status, 204);
  });

  it('directory roles list the built-in template ids; templates; add and remove members', async () => {
    const roles = await graph(s, token, 'GET', '/v1.0/directoryRoles?$select=displayName,roleTemplateId');
    assert.ok(roles.body.value.some((r: any) => r.roleTemplateId === '62e90394-69f5-4237-9190-012177145e10' && r.displayName === 'Global Administrator'));
    const templates = await graph(s, token, 'GET', '/v1.0/directoryRoleTemplates');
    assert.ok(templates.body.value.some((t: any) => t.id === '194ae4cb-b126-40b2-bd5b-6091b380977d'));
    const byFilter = await graph(s, token, 'GET', "/v1.0/directoryRoles?$filter=roleTemplateId eq '194ae4cb-b126-40b2-bd5b-6091b380977d'");
    const secAdmin = byFilter.body.value[0];
    const u = await createUser(s, token, 'secadmin');
    assert.equal((await graph(s, token, 'POST', `/v1.0/directoryRoles/${secAdmin.id}/members/$ref`, ref(u.id))).status, 204);
    assertGraphError(await graph(s, token, 'POST', `/v1.0/directoryRoles/${secAdmin.id}/members/$ref`, ref(u.id)), 400, 'member twice');
    const members = await graph(s, token, 'GET', `/v1.0/directoryRoles/${secAdmin.id}/members`);
    assert.deepEqual(members.body.value.map((m: any) => m.id), [u.id]);
    const added = await audits(s, token, 'Add member to role');
    assert.equal(added[0].category, 'RoleManagement');
    assert.ok(added[0].targetResources[0].modifiedProperties.some((m: any) => m.displayName === 'Role.TemplateId' && m.newValue === JSON.stringify(secAdmin.roleTemplateId)));
    assert.equal((await graph(s, token, 'DELETE', `/v1.0/directoryRoles/${secAdmin.id}/members/${u.id}/$ref`)).status, 204);
    assertGraphError(await graph(s, token, 'GET', `/v1.0/directoryRoles/${randomUUID()}`), 404, 'unknown role');
  });

  it('software OATH: register a TOTP secret (shown once), list, sign-in can use it, delete', async () => {
    const u = await createUser(s, token, 'totp');
    const base = `/v1.0/users/${u.id}/authentication/softwareOathMethods`;
    assert.deepEqual((await graph(s, token, 'GET', base)).body.value, []);
    const reg = await graph(s, token, 'POST', base, {});
    assert.equal(reg.status, 201, JSON.stringify(reg.body));
    assert.match(reg.body.otpauthUri, /^otpauth:\/\/totp\//);
    const user = await s.app.store.users.get(s.tenantId, u.id);
    assert.equal(s.app.sealer.unseal(user!.totpSecret!, `totp:${u.id}`).toString('utf8'), reg.body.secretKey);
    const clientId = await createPublicClient(s, token);
    const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(reg.body.secretKey), digits: 6, period: 30, algorithm: 'SHA1' });
    const { tokens } = await codeFlow({ authority: s.authority, clientId, clientAuth: 'none', redirectUri: REDIRECT, scope: 'openid', username: u.upn, password: PASSWORD, otp: () => totp.generate() });
    assert.ok(tokens.id_token, 'password + TOTP sign-in succeeds');
    const list = await graph(s, token, 'GET', base);
    assert.deepEqual(list.body.value, [{ id: reg.body.id, secretKey: null }]);
    assertGraphError(await graph(s, token, 'POST', base, {}), 409, 'second method');
    assertGraphError(await graph(s, token, 'POST', base, { secretKey: 'AAAA' }), 400, 'client-chosen secret');
    assert.equal((await audits(s, token, 'Admin registered security info')).length, 1);
    assert.equal((await graph(s, token, 'DELETE', `${base}/${reg.body.id}`)).status, 204);
    assertGraphError(await graph(s, token, 'DELETE', `${base}/${reg.body.id}`), 404, 'delete twice');
    assert.equal((await s.app.store.users.get(s.tenantId, u.id))?.totpSecret, null);
  });
});
