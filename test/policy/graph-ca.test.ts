/** Conditional access through the Graph-shaped API: CRUD with audit, real-export import, What If, enforcement follows changes. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { adminToken, graph, startTestServer, CLIENT_ID, CLIENT_SECRET, type TestServer } from '../helpers/server.ts';

describe('Graph /identity/conditionalAccess', () => {
  let s: TestServer;
  let token: string;
  before(async () => { s = await startTestServer(); token = await adminToken(s); });
  after(async () => { await s.stop(); });

  test('a real exported policy (UTF-16, annotations) is accepted by POST, read back, patched and deleted with audit records', async () => {
    const raw = readFileSync(new URL('../../../shared/corpus/ca-policies/AlexFilipin-ConditionalAccess/PolicyRepository/Base protection/203 - RING - Base protection - All apps Block access When high sign-in risk is detected.json', import.meta.url));
    const text = raw[0] === 0xff && raw[1] === 0xfe ? raw.subarray(2).toString('utf16le') : raw.toString('utf8').replace(/^\uFEFF/, '');
    const created = await graph(s, token, 'POST', '/v1.0/identity/conditionalAccess/policies', text);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.id as string;
    const got = await graph(s, token, 'GET', `/beta/identity/conditionalAccess/policies/${id}`);
    assert.equal(got.body.conditions.signInRiskLevels[0], 'high');
    const patched = await graph(s, token, 'PATCH', `/v1.0/identity/conditionalAccess/policies/${id}`, { state: 'disabled' });
    assert.ok(patched.status === 200 || patched.status === 204, JSON.stringify(patched.body));
    const list = await graph(s, token, 'GET', '/v1.0/identity/conditionalAccess/policies');
    assert.equal(list.body.value.length, 1);
    assert.equal((await graph(s, token, 'DELETE', `/v1.0/identity/conditionalAccess/policies/${id}`)).status, 204);
    const deleted = await graph(s, token, 'GET', '/v1.0/identity/conditionalAccess/deletedItems/policies');
    assert.equal(deleted.body.value[0].id, id);
    const audits = await graph(s, token, 'GET', '/v1.0/auditLogs/directoryAudits');
    const activities = (audits.body.value as { activityDisplayName: string; category: string }[]).filter((a) => a.category === 'Policy').map((a) => a.activityDisplayName);
    assert.ok(activities.length >= 3, activities.join('; '));
  });

  test('garbage policies are refused naming the property', async () => {
    const bad = await graph(s, token, 'POST', '/v1.0/identity/conditionalAccess/policies', { displayName: 'x', state: 'sometimes', conditions: {} });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /state/);
    const notJson = await graph(s, token, 'POST', '/v1.0/identity/conditionalAccess/policies', '{"displayName":');
    assert.equal(notJson.status, 400);
    const missing = await graph(s, token, 'GET', '/v1.0/identity/conditionalAccess/policies/does-not-exist');
    assert.equal(missing.status, 404);
    const filter = await graph(s, token, 'POST', '/v1.0/identity/conditionalAccess/namedLocations', { '@odata.type': '#microsoft.graph.ipNamedLocation', displayName: 'bad', isTrusted: true, ipRanges: [{ cidrAddress: '10.0.0.0/4' }] });
    assert.equal(filter.status, 400, JSON.stringify(filter.body));
  });

  test('a block policy for the automation client takes effect at once, and What If explains it', async () => {
    const sp = await s.app.store.servicePrincipals.getByAppId(s.tenantId, CLIENT_ID);
    const created = await graph(s, token, 'POST', '/v1.0/identity/conditionalAccess/policies', {
      displayName: 'Block automation from the Internet', state: 'enabled',
      conditions: { clientApplications: { includeServicePrincipals: [sp!.id] }, applications: { includeApplications: ['All'] }, clientAppTypes: ['all'], locations: { includeLocations: ['All'] } },
      grantControls: { operator: 'OR', builtInControls: ['block'] },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const wi = await graph(s, token, 'POST', '/beta/identity/conditionalAccess/evaluate', {
      signInIdentity: { '@odata.type': '#microsoft.graph.servicePrincipalSignIn', servicePrincipalId: sp!.id },
      signInContext: { '@odata.type': '#microsoft.graph.applicationContext', includeApplications: ['00000003-0000-0000-c000-000000000000'] },
      signInConditions: { ipAddress: '203.0.113.7' },
    });
    assert.equal(wi.status, 200, JSON.stringify(wi.body));
    assert.equal(wi.body.value.find((p: { id: string }) => p.id === created.body.id)?.policyApplies, true);
    const res = await fetch(`${s.authority}/oauth2/v2.0/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: CLIENT_SECRET, scope: 'https://graph.microsoft.com/.default' }) });
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { error_description: string }).error_description, /AADSTS53003/);
    // Undo with the token obtained before the block.
    assert.equal((await graph(s, token, 'DELETE', `/v1.0/identity/conditionalAccess/policies/${created.body.id}`)).status, 204);
  });
});
