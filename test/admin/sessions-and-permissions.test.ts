import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { adminToken, graph, startTestServer, type TestServer } from '../helpers/server.ts';
import { codeFlow, CookieJar } from '../../bench/lib/code-flow.ts';
import { appWithRole, assertGraphError, audits, createPublicClient, createUser, PASSWORD, REDIRECT, SECURITY_READER, userTokens } from './helpers.ts';

async function refresh(s: TestServer, clientId: string, refreshToken: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${s.authority}/oauth2/v2.0/token`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', client_id: clientId, refresh_token: refreshToken }),
  });
  return { status: res.status, body: await res.json() };
}

describe('permissions, /me and revokeSignInSessions', () => {
  let s: TestServer;
  let admin: string;
  let clientId: string;
  before(async () => {
    s = await startTestServer();
    admin = await adminToken(s);
    clientId = await createPublicClient(s, admin);
  });
  after(async () => { await s.stop(); });

  it('a user with Security Reader can read but not write; a user with no role gets 403', async () => {
    const reader = await createUser(s, admin, 'reader');
    const add = await graph(s, admin, 'POST', "/v1.0/directoryRoles(roleTemplateId='5d6b6bb7-de71-4623-b4af-96380a352509')/members/$ref", { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${reader.id}` });
    assert.equal(add.status, 204, JSON.stringify(add.body));
    const plain = await createUser(s, admin, 'plain');

    const readerToken = (await userTokens(s, clientId, reader.upn)).access;
    const claims = JSON.parse(Buffer.from(readerToken.split('.')[1]!, 'base64url').toString());
    assert.deepEqual(claims.wids, [SECURITY_READER]);
    assert.equal((await graph(s, readerToken, 'GET', '/v1.0/users')).status, 200);
    assert.equal((await graph(s, readerToken, 'GET', '/v1.0/auditLogs/directoryAudits')).status, 200);
    const denied = await graph(s, readerToken, 'POST', '/v1.0/groups', { displayName: 'g', mailEnabled: false, mailNickname: 'g', securityEnabled: true });
    assertGraphError(denied, 403, 'reader writes');
    assert.equal(denied.body.error.code, 'Authorization_RequestDenied');
    assert.equal(denied.body.error.message, 'Insufficient privileges to complete the operation.');
    assertGraphError(await graph(s, readerToken, 'PATCH', `/v1.0/users/${plain.id}`, { displayName: 'x' }), 403, 'reader patches a user');

    const plainToken = (await userTokens(s, clientId, plain.upn)).access;
    assertGraphError(await graph(s, plainToken, 'GET', '/v1.0/users'), 403, 'no role lists users');
    const me = await graph(s, plainToken, 'GET', '/v1.0/me?$select=id,userPrincipalName');
    assert.equal(me.status, 200, JSON.stringify(me.body));
    assert.deepEqual({ id: me.body.id, upn: me.body.userPrincipalName }, { id: plain.id, upn: plain.upn });
    const memberOf = await graph(s, readerToken, 'GET', '/v1.0/me/memberOf');
    assert.equal(memberOf.body.value[0]['@odata.type'], '#microsoft.graph.directoryRole');
    assert.equal(memberOf.body.value[0].roleTemplateId, SECURITY_READER);
    assertGraphError(await graph(s, admin, 'GET', '/v1.0/me'), 400, '/me with an app token');
  });

  it('disabling a user revokes their refresh tokens', async () => {
    const u = await createUser(s, admin, 'disabled');
    const tokens = await userTokens(s, clientId, u.upn);
    assert.equal((await graph(s, admin, 'PATCH', `/v1.0/users/${u.id}`, { accountEnabled: false })).status, 204);
    const r = await refresh(s, clientId, tokens.refresh);
    assert.equal(r.status, 400);
    assert.equal(r.body.error, 'invalid_grant');
    assertGraphError(await graph(s, tokens.access, 'GET', '/v1.0/me'), 401, 'access token of a disabled user');
  });

  it('User and Application Administrators cannot take over principals that hold directory roles', async () => {
    const userAdmin = await appWithRole(s, admin, 'fe930be7-5e62-47db-91af-98c3a49a38b1');
    const appAdmin = await appWithRole(s, admin, '9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3');
    const ga = (await graph(s, admin, 'GET', '/v1.0/users/admin@contoso.test')).body;
    const plain = await createUser(s, admin, 'ordinary');
    assertGraphError(await graph(s, userAdmin.token, 'PATCH', `/v1.0/users/${ga.id}`, { passwordProfile: { password: 'An0ther-Passw0rd!' } }), 403, 'reset a Global Administrator password');
    assertGraphError(await graph(s, userAdmin.token, 'PATCH', `/v1.0/users/${ga.id}`, { accountEnabled: false }), 403, 'disable a Global Administrator');
    assertGraphError(await graph(s, userAdmin.token, 'DELETE', `/v1.0/users/${ga.id}`), 403, 'delete a Global Administrator');
    assert.equal((await graph(s, userAdmin.token, 'PATCH', `/v1.0/users/${ga.id}`, { jobTitle: 'Boss' })).status, 204, 'profile fields stay editable');
    assert.equal((await graph(s, userAdmin.token, 'PATCH', `/v1.0/users/${plain.id}`, { passwordProfile: { password: 'An0ther-Passw0rd!' } })).status, 204);
    assert.equal((await audits(s, admin, 'Reset user password')).length, 1);
    const automation = (await graph(s, admin, 'GET', "/v1.0/applications(appId='11111111-2222-4333-8444-555555555555')")).body;
    assertGraphError(await graph(s, appAdmin.token, 'POST', `/v1.0/applications/${automation.id}/addPassword`, {}), 403, 'add a secret to a Global Administrator app');
    assertGraphError(await graph(s, appAdmin.token, 'DELETE', `/v1.0/applications/${automation.id}`), 403, 'delete a Global Administrator app');
    const own = (await graph(s, appAdmin.token, 'POST', '/v1.0/applications', { displayName: 'Unprivileged' })).body;
    assert.equal((await graph(s, appAdmin.token, 'POST', `/v1.0/applications/${own.id}/addPassword`, {})).status, 200);
  });

  it('an app whose service principal holds a limited role is held to it', async () => {
    const reader = await appWithRole(s, admin, SECURITY_READER);
    assert.equal((await graph(s, reader.token, 'GET', '/v1.0/applications')).status, 200);
    assertGraphError(await graph(s, reader.token, 'POST', '/v1.0/applications', { displayName: 'nope' }), 403, 'reader app creates an app');
    const none = await appWithRole(s, admin, undefined);
    assertGraphError(await graph(s, none.token, 'GET', '/v1.0/devices'), 403, 'no-role app lists devices');
    const members = await graph(s, admin, 'GET', `/v1.0/directoryRoles/${SECURITY_READER}/members`);
    assert.ok(members.body.value.some((m: any) => m.id === reader.spId && m['@odata.type'] === '#microsoft.graph.servicePrincipal'));
    assert.equal((await graph(s, admin, 'DELETE', `/v1.0/directoryRoles/${SECURITY_READER}/members/${reader.spId}/$ref`)).status, 204);
    assert.equal((await audits(s, admin, 'Remove member from role')).length, 1);
  });

  it('revokeSignInSessions makes an existing refresh token fail with AADSTS50173 and the access token stop working', async () => {
    const u = await createUser(s, admin, 'revoked');
    await graph(s, admin, 'POST', `/v1.0/directoryRoles(roleTemplateId='${SECURITY_READER}')/members/$ref`, { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${u.id}` });
    const tokens = await userTokens(s, clientId, u.upn);
    const first = await refresh(s, clientId, tokens.refresh);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    // A second or more must pass so the access token's iat (whole seconds) is before the revocation.
    await new Promise((r) => setTimeout(r, 1100));
    const before = (await graph(s, admin, 'GET', `/v1.0/users/${u.id}`)).body.signInSessionsValidFromDateTime;

    const revoked = await graph(s, admin, 'POST', `/v1.0/users/${u.upn}/revokeSignInSessions`);
    assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
    assert.equal(revoked.body.value, true);
    assert.match(revoked.body['@odata.context'], /\$metadata#Edm\.Boolean$/);
    const after = (await graph(s, admin, 'GET', `/v1.0/users/${u.id}`)).body.signInSessionsValidFromDateTime;
    assert.ok(Date.parse(after) > Date.parse(before));

    const denied = await refresh(s, clientId, first.body.refresh_token);
    assert.equal(denied.status, 400);
    assert.equal(denied.body.error, 'invalid_grant');
    assert.ok(denied.body.error_codes?.includes(50173) || /AADSTS50173/.test(denied.body.error_description), JSON.stringify(denied.body));
    assertGraphError(await graph(s, first.body.access_token, 'GET', '/v1.0/me'), 401, 'access token issued before the revocation');

    const records = await audits(s, admin, 'Invalidate all refresh tokens for user');
    assert.equal(records[0].targetResources[0].id, u.id);
    assert.equal(records[0].category, 'UserManagement');
    assert.equal(records[0].initiatedBy.app.appId, '11111111-2222-4333-8444-555555555555');
    assertGraphError(await graph(s, admin, 'POST', '/v1.0/users/nobody@contoso.test/revokeSignInSessions'), 404, 'unknown user');

    // Browser sessions end too: the SSO cookie no longer signs the user in without a form.
    const jar = new CookieJar();
    const opts = { authority: s.authority, clientId, clientAuth: 'none' as const, redirectUri: REDIRECT, scope: 'openid', username: u.upn, password: PASSWORD, jar };
    await codeFlow(opts);
    assert.equal((await codeFlow(opts)).sso, true, 'the second sign-in rides the session');
    assert.equal((await graph(s, admin, 'POST', `/v1.0/users/${u.id}/revokeSignInSessions`)).status, 200);
    assert.equal((await codeFlow(opts)).sso, false, 'after revocation the session cookie is not honoured');

    // A user may revoke their own sessions with a delegated token.
    const fresh = await userTokens(s, clientId, u.upn);
    const self = await graph(s, fresh.access, 'POST', '/v1.0/me/revokeSignInSessions');
    assert.equal(self.status, 200, JSON.stringify(self.body));
    assert.equal((await refresh(s, clientId, fresh.refresh)).status, 400);
  });
});
