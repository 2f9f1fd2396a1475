/**
 * Microsoft's own client against Tessera: @azure/msal-node in OIDC protocol mode with the authority
 * metadata supplied, over HTTPS (development self-signed certificate), for client credentials and
 * the device code flow.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfidentialClientApplication, PublicClientApplication, ProtocolMode, LogLevel } from '@azure/msal-node';
import { startTestServer, CLIENT_ID, CLIENT_SECRET, type TestServer } from '../helpers/server.ts';
import { addApp, addUser } from '../helpers/fixtures.ts';

describe('msal-node (OIDC protocol mode) against Tessera over HTTPS', () => {
  let s: TestServer;
  let ca: string;
  let metadata: string;
  before(async () => {
    s = await startTestServer({ TESSERA_DEV_TLS: '1', TESSERA_DEVICE_CODE_INTERVAL: '1' });
    assert.ok(s.url.startsWith('https://'));
    ca = readFileSync(join(s.dataDir, 'dev-tls-cert.pem'), 'utf8');
    const agent = await import('node:https');
    metadata = await new Promise<string>((resolve, reject) => {
      agent.get(`${s.authority}/v2.0/.well-known/openid-configuration`, { ca }, (res) => {
        let b = '';
        res.on('data', (c) => (b += c));
        res.on('end', () => resolve(b));
      }).on('error', reject);
    });
  });
  after(async () => { await s.stop(); });

  // msal-node's own client cannot be told about a development CA, so it gets a network module
  // (its documented extension point) that trusts exactly the server's self-signed certificate.
  const send = (method: 'GET' | 'POST') => async (url: string, options?: { headers?: Record<string, string>; body?: string }) => {
    const https = await import('node:https');
    return new Promise<any>((resolve, reject) => {
      const req = https.request(url, { method, ca, headers: options?.headers ?? {} }, (res) => {
        let b = '';
        res.on('data', (c) => (b += c));
        res.on('end', () => {
          let body: unknown = b;
          try { body = JSON.parse(b); } catch { /* keep text */ }
          resolve({ status: res.statusCode ?? 0, headers: Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, String(v)])), body });
        });
      });
      req.on('error', reject);
      req.end(options?.body);
    });
  };
  const system = () => ({ protocolMode: ProtocolMode.OIDC, networkClient: { sendGetRequestAsync: send('GET'), sendPostRequestAsync: send('POST') }, loggerOptions: { logLevel: LogLevel.Error, piiLoggingEnabled: false, loggerCallback: () => undefined } });

  test('client credentials', async () => {
    const cca = new ConfidentialClientApplication({
      auth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, authority: s.authority, authorityMetadata: metadata, knownAuthorities: [new URL(s.url).host] },
      system: system(),
    });
    const r = await cca.acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'] });
    assert.ok(r?.accessToken);
    const claims = JSON.parse(Buffer.from(r.accessToken.split('.')[1]!, 'base64url').toString());
    assert.equal(claims.tid, s.tenantId);
    assert.equal(claims.aud, 'https://graph.microsoft.com');
  });

  test('device code flow', async () => {
    await addUser(s, 'bob@contoso.test', 'Tr0ub4dor&3-horse');
    const native = await addApp(s, { displayName: 'CLI tool', isPublic: true, redirectUris: ['http://localhost'] });
    const pca = new PublicClientApplication({
      auth: { clientId: native.appId, authority: s.authority, authorityMetadata: metadata, knownAuthorities: [new URL(s.url).host] },
      system: system(),
    });
    const https = await import('node:https');
    const postForm = (url: string, form: Record<string, string>) => new Promise<string>((resolve, reject) => {
      const req = https.request(url, { method: 'POST', ca, headers: { 'content-type': 'application/x-www-form-urlencoded' } }, (res) => {
        let b = '';
        res.on('data', (c) => (b += c));
        res.on('end', () => resolve(b));
      });
      req.on('error', reject);
      req.end(new URLSearchParams(form).toString());
    });
    const r = await pca.acquireTokenByDeviceCode({
      scopes: ['User.Read'],
      deviceCodeCallback: (resp) => {
        void (async () => {
          const page = await postForm(resp.verificationUri, { user_code: resp.userCode });
          const interaction = /name="interaction" value="([^"]+)"/.exec(page)![1]!;
          await postForm(`${s.authority}/oauth2/v2.0/login`, { interaction, username: 'bob@contoso.test', password: 'Tr0ub4dor&3-horse' });
        })();
      },
    });
    assert.ok(r?.accessToken);
    assert.equal(r.account?.username, 'bob@contoso.test');
  });
});
