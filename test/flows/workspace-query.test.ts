/** The Log Analytics query API over Tessera's own sign-in logs: KQL in, tables out, permission-checked. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, CLIENT_ID, CLIENT_SECRET, type TestServer } from '../helpers/server.ts';

describe('POST /v1/workspaces/{tenant}/query', () => {
  let s: TestServer;
  let token: string;
  before(async () => {
    s = await startTestServer();
    const res = await fetch(`${s.authority}/oauth2/v2.0/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: CLIENT_SECRET, scope: 'https://api.loganalytics.io/.default' }) });
    token = ((await res.json()) as { access_token: string }).access_token;
    // Three failed client authentications leave three service-principal sign-in records.
    for (let i = 0; i < 3; i++) {
      await fetch(`${s.authority}/oauth2/v2.0/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: 'wrong-secret', scope: 'https://graph.microsoft.com/.default' }) });
    }
  });
  after(async () => { await s.stop(); });

  const query = (body: unknown, workspace = s.tenantId, auth = `Bearer ${token}`) =>
    fetch(`${s.url}/v1/workspaces/${workspace}/query`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });

  test('KQL over the service principal sign-in table gives the right counts', async () => {
    const res = await query({ query: 'AADServicePrincipalSignInLogs | summarize n = count() by ResultType | order by ResultType asc', timespan: 'PT1H' });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { tables: { name: string; columns: { name: string }[]; rows: unknown[][] }[] };
    assert.equal(body.tables[0]!.name, 'PrimaryResult');
    assert.deepEqual(body.tables[0]!.columns.map((c) => c.name), ['ResultType', 'n']);
    assert.deepEqual(body.tables[0]!.rows, [['0', 1], ['7000215', 3]]);
  });

  test('bad queries, other workspaces, missing tokens and wrong content types get clear errors', async () => {
    const bad = await query({ query: 'SigninLogs | frobnicate' });
    assert.equal(bad.status, 400);
    const e = (await bad.json()) as { error: { code: string; details: { message: string }[] } };
    assert.equal(e.error.code, 'BadArgumentError');
    assert.ok(e.error.details[0]!.message.length > 0);
    assert.equal((await query({ nope: 1 })).status, 400);
    assert.equal((await query('{"query":')).status, 400);
    assert.equal((await query({ query: 'SigninLogs | take 1' }, 'other.example')).status, 404);
    const anon = await query({ query: 'SigninLogs' }, s.tenantId, '');
    assert.equal(anon.status, 401);
    const form = await fetch(`${s.url}/v1/workspaces/${s.tenantId}/query`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' }, body: 'SigninLogs' });
    assert.equal(form.status, 415);
  });
});
