import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { adminToken, CLIENT_ID, graph, startTestServer, type TestServer } from '../helpers/server.ts';
import { assertGraphError, createPublicClient, createUser, userTokens } from './helpers.ts';

/** Follows @odata.nextLink to the end; returns every page. */
async function allPages(s: TestServer, token: string, path: string): Promise<any[][]> {
  const pages: any[][] = [];
  let next: string | undefined = `${s.url}${path}`;
  while (next) {
    assert.ok(next.startsWith(s.url), next);
    const r = await graph(s, token, 'GET', next.slice(s.url.length));
    assert.equal(r.status, 200, JSON.stringify(r.body));
    pages.push(r.body.value);
    next = r.body['@odata.nextLink'];
  }
  return pages;
}

describe('auditLogs: directoryAudits and signIns, paging', () => {
  let s: TestServer;
  let token: string;
  before(async () => { s = await startTestServer(); token = await adminToken(s); });
  after(async () => { await s.stop(); });

  it('every change is visible in directoryAudits, newest first, with Entra activity names and categories', async () => {
    const u = await createUser(s, token, 'audited', { jobTitle: 'Clerk' });
    await graph(s, token, 'PATCH', `/v1.0/users/${u.id}`, { jobTitle: 'Manager' });
    await graph(s, token, 'DELETE', `/v1.0/users/${u.id}`);
    const r = await graph(s, token, 'GET', '/v1.0/auditLogs/directoryAudits?$top=3');
    assert.equal(r.status, 200);
    assert.match(r.body['@odata.context'], /\$metadata#auditLogs\/directoryAudits$/);
    assert.deepEqual(r.body.value.map((e: any) => e.activityDisplayName), ['Delete user', 'Update user', 'Add user']);
    const [del, upd, add] = r.body.value;
    for (const e of [del, upd, add]) {
      assert.equal(e.category, 'UserManagement');
      assert.equal(e.result, 'success');
      assert.equal(e.loggedByService, 'Core Directory');
      assert.equal(e.initiatedBy.app.appId, CLIENT_ID);
      assert.equal(e.targetResources[0].id, u.id);
    }
    assert.deepEqual(upd.targetResources[0].modifiedProperties, [{ displayName: 'JobTitle', oldValue: '"Clerk"', newValue: '"Manager"' }]);
    const one = await graph(s, token, 'GET', `/v1.0/auditLogs/directoryAudits/${del.id}`);
    assert.equal(one.body.id, del.id);
    const filtered = await graph(s, token, 'GET', `/v1.0/auditLogs/directoryAudits?$filter=targetResources/any(t: t/id eq '${u.id}') and category eq 'UserManagement'&$count=true`);
    assert.equal(filtered.body['@odata.count'], 3);
    assertGraphError(await graph(s, token, 'GET', '/v1.0/auditLogs/directoryAudits?$filter=nonsense eq 1'), 400, 'unknown property');
    assertGraphError(await graph(s, token, 'GET', '/v1.0/auditLogs/directoryAudits/Directory_nope'), 404, 'unknown record');
  });

  it('lists page with @odata.nextLink through every record exactly once, and a tampered skiptoken is a 400', async () => {
    for (let i = 0; i < 7; i++) await createUser(s, token, `pager${i}`);
    const pages = await allPages(s, token, "/v1.0/users?$filter=startswith(userPrincipalName,'pager')&$top=3&$orderby=displayName desc");
    assert.deepEqual(pages.map((p) => p.length), [3, 3, 1]);
    assert.deepEqual(pages.flat().map((u) => u.displayName), ['pager6', 'pager5', 'pager4', 'pager3', 'pager2', 'pager1', 'pager0']);
    const auditPages = await allPages(s, token, '/beta/auditLogs/directoryAudits?$top=4');
    const ids = auditPages.flat().map((e) => e.id);
    assert.equal(new Set(ids).size, ids.length);
    assert.ok(ids.length >= 10);
    const first = await graph(s, token, 'GET', '/v1.0/users?$top=2');
    const link = new URL(first.body['@odata.nextLink']);
    const tok = link.searchParams.get('$skiptoken')!;
    assertGraphError(await graph(s, token, 'GET', `/v1.0/users?$top=2&$skiptoken=${encodeURIComponent(`${tok.slice(0, -2)}xx`)}`), 400, 'tampered skiptoken');
    assertGraphError(await graph(s, token, 'GET', `/v1.0/users?$top=2&$filter=accountEnabled eq true&$skiptoken=${encodeURIComponent(tok)}`), 400, 'skiptoken of another query');
  });

  it('signIns: interactive by default, other event types by filter, fresh records visible at once', async () => {
    const clientId = await createPublicClient(s, token);
    const u = await createUser(s, token, 'signer');
    const tokens = await userTokens(s, clientId, u.upn);
    await fetch(`${s.authority}/oauth2/v2.0/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'refresh_token', client_id: clientId, refresh_token: tokens.refresh }) });
    await fetch(`${s.authority}/oauth2/v2.0/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'refresh_token', client_id: clientId, refresh_token: 'garbage' }) });

    const interactive = await graph(s, token, 'GET', `/beta/auditLogs/signIns?$filter=userId eq '${u.id}'`);
    assert.equal(interactive.status, 200, JSON.stringify(interactive.body));
    assert.match(interactive.body['@odata.context'], /\$metadata#auditLogs\/signIns$/);
    assert.ok(interactive.body.value.length >= 1);
    for (const e of interactive.body.value) {
      assert.deepEqual(e.signInEventTypes, ['interactiveUser']);
      assert.equal(e.isInteractive, true);
      assert.equal(e.userPrincipalName, u.upn);
      assert.equal(e.appId, clientId);
      assert.equal(e.status.errorCode, 0);
    }
    const nonInteractive = await graph(s, token, 'GET', `/beta/auditLogs/signIns?$filter=signInEventTypes/any(t: t eq 'nonInteractiveUser') and userId eq '${u.id}'`);
    assert.equal(nonInteractive.body.value.length, 1, JSON.stringify(nonInteractive.body));
    assert.equal(nonInteractive.body.value[0].isInteractive, false);
    const sp = await graph(s, token, 'GET', `/beta/auditLogs/signIns?$filter=signInEventTypes/any(t: t eq 'servicePrincipal') and appId eq '${CLIENT_ID}'&$top=1`);
    assert.equal(sp.body.value[0].servicePrincipalId.length, 36);
    assert.equal(sp.body.value[0].clientCredentialType, 'clientSecret');
    const byId = await graph(s, token, 'GET', `/v1.0/auditLogs/signIns/${interactive.body.value[0].id}?$select=id,userId`);
    assert.deepEqual({ id: byId.body.id, userId: byId.body.userId }, { id: interactive.body.value[0].id, userId: u.id });
    const failures = await graph(s, token, 'GET', "/v1.0/auditLogs/signIns?$filter=signInEventTypes/any(t: t ne 'interactiveUser') and status/errorCode ne 0&$select=status");
    assert.ok(failures.body.value.length >= 1, JSON.stringify(failures.body));
    // Conjuncts compiled to SQL keep the evaluator's semantics: case-insensitive text, instants, in-lists.
    const since = new Date(Date.now() - 3_600_000).toISOString();
    const upper = await graph(s, token, 'GET', `/v1.0/auditLogs/signIns?$filter=userPrincipalName eq '${u.upn.toUpperCase()}' and createdDateTime ge ${since} and appId in ('${clientId}', 'x')`);
    assert.deepEqual(upper.body.value.map((e: any) => e.id), interactive.body.value.map((e: any) => e.id));
    const future = await graph(s, token, 'GET', `/v1.0/auditLogs/signIns?$filter=createdDateTime gt ${new Date(Date.now() + 3_600_000).toISOString()}`);
    assert.deepEqual(future.body.value, []);
    const prefix = await graph(s, token, 'GET', `/v1.0/auditLogs/signIns?$filter=startswith(userPrincipalName, 'SIGN') and not(ipAddress eq '203.0.113.9')`);
    assert.equal(prefix.body.value.length, interactive.body.value.length);
    assertGraphError(await graph(s, token, 'GET', "/v1.0/auditLogs/signIns?$filter=status/errorCode eq 'x'"), 400, 'wrong literal type');
    assertGraphError(await graph(s, token, 'GET', '/v1.0/auditLogs/signIns/nope'), 404, 'unknown sign-in');
  });
});
