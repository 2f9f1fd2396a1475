/**
 * The node:http fast path for the token endpoint answers exactly as the Fastify route does, and
 * handles what a hand-written body reader must: chunked bodies over the limit, aborted uploads,
 * paths it leaves to Fastify.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startTestServer, CLIENT_ID, CLIENT_SECRET, type TestServer } from '../../test/helpers/server.ts';

describe('token endpoint fast path', () => {
  let s: TestServer;
  before(async () => { s = await startTestServer({ TESSERA_BODY_LIMIT: '4096' }); });
  after(async () => { await s.stop(); });

  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  const cases: [string, string][] = [
    ['missing grant', ''],
    ['unknown grant', 'grant_type=password'],
    ['bad secret', `grant_type=client_credentials&scope=https://graph.microsoft.com/.default&client_id=${CLIENT_ID}&client_secret=wrong`],
    ['repeated', 'grant_type=client_credentials&grant_type=client_credentials'],
  ];

  test('errors are the same through the fast path and through the Fastify route', async () => {
    for (const [name, body] of cases) {
      const viaHttp = await fetch(`${s.url}/${s.tenantId}/oauth2/v2.0/token`, { method: 'POST', headers: form, body });
      const viaFastify = await s.http.inject({ method: 'POST', url: `/${s.tenantId}/oauth2/v2.0/token`, headers: form, payload: body });
      assert.equal(viaHttp.status, viaFastify.statusCode, name);
      const a = await viaHttp.json() as Record<string, unknown>;
      const b = viaFastify.json() as Record<string, unknown>;
      assert.deepEqual(a, b, name);
      assert.match(viaHttp.headers.get('content-type') ?? '', /^application\/json/);
    }
  });

  test('a success carries no-store and a bearer token', async () => {
    const res = await fetch(`${s.url}/${s.tenantId}/oauth2/v2.0/token`, {
      method: 'POST', headers: { ...form, authorization: `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}` },
      body: 'grant_type=client_credentials&scope=https://graph.microsoft.com/.default',
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const body = await res.json() as { token_type: string; access_token: string };
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.access_token.split('.').length, 3);
  });

  test('a chunked body over the limit gets 413 and the connection is closed', async () => {
    const { status, body, connection } = await new Promise<{ status: number; body: string; connection: string | undefined }>((resolve, reject) => {
      const req = request(`${s.url}/${s.tenantId}/oauth2/v2.0/token`, { method: 'POST', headers: { ...form, 'transfer-encoding': 'chunked' } }, (res) => {
        let text = '';
        res.on('data', (c) => { text += c; });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, connection: res.headers.connection }));
      });
      req.on('error', reject);
      req.write(`grant_type=client_credentials&pad=${'a'.repeat(3000)}`);
      req.write('b'.repeat(3000));
      req.end();
    });
    assert.equal(status, 413);
    assert.equal(JSON.parse(body).error, 'request_too_large');
    assert.equal(connection, 'close');
  });

  test('an upload aborted half way leaves the server answering', async () => {
    await new Promise<void>((resolve) => {
      const req = request(`${s.url}/${s.tenantId}/oauth2/v2.0/token`, { method: 'POST', headers: { ...form, 'content-length': '1000' } });
      req.on('error', () => resolve());
      req.write('grant_type=client_');
      setTimeout(() => { req.destroy(); resolve(); }, 50);
    });
    const res = await fetch(`${s.url}/${s.tenantId}/oauth2/v2.0/token`, { method: 'POST', headers: form, body: 'grant_type=password' });
    assert.equal(res.status, 400);
  });

  test('paths it does not serve still reach Fastify', async () => {
    const encoded = await fetch(`${s.url}/%E0%A4%A/oauth2/v2.0/token`, { method: 'POST', headers: form, body: 'grant_type=password' });
    assert.equal(encoded.status, 400);
    assert.equal((await encoded.json() as { error: string }).error, 'invalid_request');
    const get = await fetch(`${s.url}/${s.tenantId}/oauth2/v2.0/token`);
    assert.ok(get.status === 404 || get.status === 405, String(get.status));
    assert.equal((await fetch(`${s.url}/health`)).status, 200);
  });
});
