/** Directory fixtures for flow tests, created through the store (the admin API has its own tests). */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { hashPassword } from '../../src/directory/passwords.ts';
import { exportPublicJwk, jwkThumbprint } from '../../src/crypto/jwk.ts';
import type { TestServer } from './server.ts';
import { newId, sha256 } from '../../src/util/ids.ts';
import type { Application } from '../../src/store/types.ts';

export async function addUser(s: TestServer, upn: string, password: string, extra: { totpSecret?: string; enabled?: boolean } = {}): Promise<string> {
  const id = newId();
  const now = Date.now();
  await s.app.store.users.create({
    id, tenantId: s.tenantId, userPrincipalName: upn, displayName: upn.split('@')[0]!, givenName: null, surname: null, mail: upn,
    accountEnabled: extra.enabled ?? true, userType: 'Member', passwordHash: await hashPassword(password),
    totpSecret: extra.totpSecret ? s.app.sealer.seal(extra.totpSecret, `totp:${id}`) : null, signInSessionsValidFrom: 0,
    createdAt: now, updatedAt: now, extra: {},
  });
  return id;
}

export async function addApp(s: TestServer, opts: Partial<Application> & { secret?: string; publicKey?: KeyObject }): Promise<Application> {
  const now = Date.now();
  const app: Application = {
    id: newId(), tenantId: s.tenantId, appId: newId(), displayName: 'Test app', isPublic: false, signInAudience: 'AzureADMyOrg',
    redirectUris: [], identifierUris: [], appRoles: [], scopes: [], tokenProtectionRequired: false, createdAt: now, updatedAt: now, ...opts,
  };
  await s.app.store.applications.create(app);
  await s.app.store.servicePrincipals.create({ id: newId(), tenantId: s.tenantId, appId: app.appId, displayName: app.displayName, accountEnabled: true, createdAt: now });
  if (opts.secret) {
    await s.app.store.applications.addCredential({ keyId: newId(), tenantId: s.tenantId, appId: app.appId, kind: 'secret', displayName: 's', hint: opts.secret.slice(0, 3), secretHash: sha256(opts.secret), publicJwk: null, thumbprint: null, startAt: now - 1000, endAt: now + 86_400_000 });
  }
  if (opts.publicKey) {
    const jwk = exportPublicJwk(opts.publicKey);
    const thumbprint = jwkThumbprint(jwk);
    await s.app.store.applications.addCredential({ keyId: newId(), tenantId: s.tenantId, appId: app.appId, kind: 'certificate', displayName: 'cert', hint: null, secretHash: null, publicJwk: jwk, thumbprint, startAt: now - 1000, endAt: now + 86_400_000 });
  }
  s.app.directory.invalidate();
  return app;
}

export function rsaKeyPair(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('rsa', { modulusLength: 2048 });
}

/** Drives the sign-in form like a browser: follows the authorize URL, submits credentials (and a TOTP code), returns the final redirect. */
export async function browserSignIn(authorizeUrl: string, username: string, password: string, otp?: () => string): Promise<{ location: string; cookie: string | undefined }> {
  const first = await fetch(authorizeUrl, { redirect: 'manual' });
  if (first.status === 302) return { location: first.headers.get('location')!, cookie: undefined };
  let html = await first.text();
  const origin = new URL(authorizeUrl).origin;
  const submit = async (fields: Record<string, string>): Promise<Response> => {
    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
    const interaction = /name="interaction" value="([^"]+)"/.exec(html)?.[1];
    if (!action || !interaction) throw new Error(`no sign-in form in page: ${html.slice(0, 300)}`);
    return fetch(new URL(action.replace(/&amp;/g, '&'), origin), { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ interaction: interaction.replace(/&amp;/g, '&'), ...fields }) });
  };
  let res = await submit({ username, password });
  if (res.status === 200 && otp) {
    html = await res.text();
    res = await submit({ otp: otp() });
  }
  if (res.status !== 302) throw new Error(`sign-in did not redirect: ${res.status} ${(await res.text()).slice(0, 400)}`);
  return { location: res.headers.get('location')!, cookie: res.headers.get('set-cookie')?.split(';')[0] };
}
