/** Shared steps of the admin API tests, all done over HTTP through the Graph surface itself. */
import assert from 'node:assert/strict';
import { codeFlow } from '../../bench/lib/code-flow.ts';
import { graph, type TestServer } from '../helpers/server.ts';

export const REDIRECT = 'http://localhost/cb';
export const PASSWORD = 'Str0ng-Passw0rd!';
export const SECURITY_READER = '5d6b6bb7-de71-4623-b4af-96380a352509';
export const GLOBAL_ADMIN = '62e90394-69f5-4237-9190-012177145e10';

export async function createUser(s: TestServer, token: string, nick: string, extra: Record<string, unknown> = {}): Promise<{ id: string; upn: string }> {
  const upn = `${nick}@contoso.test`;
  const r = await graph(s, token, 'POST', '/v1.0/users', { accountEnabled: true, displayName: nick, mailNickname: nick, userPrincipalName: upn, passwordProfile: { password: PASSWORD }, ...extra });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return { id: r.body.id, upn };
}

/** A public client (PKCE, no secret) registered through the API, for user sign-ins. */
export async function createPublicClient(s: TestServer, token: string): Promise<string> {
  const r = await graph(s, token, 'POST', '/v1.0/applications', { displayName: 'Public client', publicClient: { redirectUris: [REDIRECT] }, isFallbackPublicClient: true });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const sp = await graph(s, token, 'POST', '/v1.0/servicePrincipals', { appId: r.body.appId });
  assert.equal(sp.status, 201, JSON.stringify(sp.body));
  return r.body.appId;
}

/** Signs a user in with the code flow over HTTP; returns Graph access and refresh tokens. */
export async function userTokens(s: TestServer, clientId: string, upn: string, scope = 'openid offline_access https://graph.microsoft.com/User.Read'): Promise<{ access: string; refresh: string }> {
  const { tokens } = await codeFlow({ authority: s.authority, clientId, clientAuth: 'none', redirectUri: REDIRECT, scope, username: upn, password: PASSWORD });
  assert.ok(tokens.access_token, JSON.stringify(tokens));
  return { access: tokens.access_token!, refresh: tokens.refresh_token! };
}

/** A confidential app whose service principal holds `roleTemplateId`; returns an app-only Graph token. */
export async function appWithRole(s: TestServer, token: string, roleTemplateId: string | undefined): Promise<{ token: string; appId: string; spId: string }> {
  const a = await graph(s, token, 'POST', '/v1.0/applications', { displayName: `Automation ${roleTemplateId ?? 'no role'}` });
  assert.equal(a.status, 201, JSON.stringify(a.body));
  const sp = await graph(s, token, 'POST', '/v1.0/servicePrincipals', { appId: a.body.appId });
  const pw = await graph(s, token, 'POST', `/v1.0/applications/${a.body.id}/addPassword`, { passwordCredential: { displayName: 'test' } });
  assert.equal(pw.status, 200, JSON.stringify(pw.body));
  if (roleTemplateId) {
    const add = await graph(s, token, 'POST', `/v1.0/directoryRoles(roleTemplateId='${roleTemplateId}')/members/$ref`, { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${sp.body.id}` });
    assert.equal(add.status, 204, JSON.stringify(add.body));
  }
  const res = await fetch(`${s.authority}/oauth2/v2.0/token`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: a.body.appId, client_secret: pw.body.secretText, scope: 'https://graph.microsoft.com/.default' }),
  });
  const body = await res.json() as { access_token?: string };
  assert.ok(body.access_token, JSON.stringify(body));
  return { token: body.access_token, appId: a.body.appId, spId: sp.body.id };
}

/** The directory audit records of one activity, newest first. */
export async function audits(s: TestServer, token: string, activity: string): Promise<any[]> {
  const r = await graph(s, token, 'GET', `/v1.0/auditLogs/directoryAudits?$filter=activityDisplayName eq '${activity.replace(/'/g, "''")}'`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.value;
}

/** Every response to garbage must be a Graph error, never a 500 or a success. */
export function assertGraphError(r: { status: number; body: any }, status: number | number[], what: string): void {
  const ok = Array.isArray(status) ? status.includes(r.status) : r.status === status;
  assert.ok(ok, `${what}: got ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
  assert.equal(typeof r.body?.error?.code, 'string', `${what}: Graph error body`);
  assert.equal(typeof r.body?.error?.message, 'string', `${what}: Graph error message`);
}
