/**
 * Creating a tenant: the tenant, its first administrator (Global Administrator) and an automation
 * client whose service principal holds Global Administrator, so scripts can call the admin API
 * with client credentials from the first minute. Used by the first start and `tessera tenant create`.
 */
import { randomBytes } from 'node:crypto';
import { hashPassword, checkPasswordPolicy } from '../directory/passwords.ts';
import { GLOBAL_ADMIN } from '../directory/roles.ts';
import type { Store } from '../store/types.ts';
import { isGuid, newId, newSecret, sha256 } from '../util/ids.ts';

export interface NewTenantInput {
  domain: string;
  displayName?: string;
  adminUser?: string | undefined;
  adminPassword?: string | undefined;
  clientId?: string | undefined;
  clientSecret?: string | undefined;
}

export interface NewTenantResult {
  tenantId: string;
  domain: string;
  adminUser: string;
  /** Set only when Tessera generated it: shown once, never stored. */
  generatedAdminPassword: string | undefined;
  clientId: string;
  generatedClientSecret: string | undefined;
}

function generatedPassword(): string {
  // 20 random characters from four classes: always meets the password policy.
  const raw = randomBytes(15).toString('base64url');
  return `${raw}aA1!`;
}

export async function createTenant(store: Store, input: NewTenantInput): Promise<NewTenantResult> {
  const domain = input.domain.toLowerCase();
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/.test(domain)) throw new Error(`'${input.domain}' is not a domain name`);
  if (await store.tenants.get(domain)) throw new Error(`a tenant with domain ${domain} already exists`);
  const adminUser = (input.adminUser ?? `admin@${domain}`).toLowerCase();
  if (!/^[^@\s]+@[^@\s]+$/.test(adminUser)) throw new Error(`admin user '${adminUser}' is not a user principal name (name@domain)`);
  const generatedAdminPassword = input.adminPassword ? undefined : generatedPassword();
  const adminPassword = input.adminPassword ?? generatedAdminPassword!;
  checkPasswordPolicy(adminPassword);
  const clientId = input.clientId ?? newId();
  if (!isGuid(clientId)) throw new Error(`client id '${clientId}' must be a GUID`);
  if (await store.applications.getByAppId(clientId)) throw new Error(`an application with client id ${clientId} already exists`);
  const generatedClientSecret = input.clientSecret ? undefined : newSecret(30);
  const clientSecret = input.clientSecret ?? generatedClientSecret!;
  if (clientSecret.length < 16) throw new Error('the client secret must be at least 16 characters');

  const now = Date.now();
  const tenantId = newId();
  await store.tenants.create({ id: tenantId, domain, displayName: input.displayName ?? domain, createdAt: now });
  const adminId = newId();
  await store.users.create({
    id: adminId, tenantId, userPrincipalName: adminUser, displayName: 'Administrator', givenName: null, surname: null, mail: null,
    accountEnabled: true, userType: 'Member', passwordHash: await hashPassword(adminPassword), totpSecret: null,
    signInSessionsValidFrom: 0, createdAt: now, updatedAt: now, extra: {},
  });
  await store.roles.assign(tenantId, GLOBAL_ADMIN, adminId, 'user');

  await store.applications.create({
    id: newId(), tenantId, appId: clientId, displayName: 'Tessera automation', isPublic: false, signInAudience: 'AzureADMyOrg',
    redirectUris: [], identifierUris: [], appRoles: [], scopes: [], tokenProtectionRequired: false, createdAt: now, updatedAt: now,
  });
  await store.applications.addCredential({
    keyId: newId(), tenantId, appId: clientId, kind: 'secret', displayName: 'bootstrap', hint: clientSecret.slice(0, 3),
    secretHash: sha256(clientSecret), publicJwk: null, thumbprint: null, startAt: now, endAt: now + 2 * 365 * 86_400_000,
  });
  const spId = newId();
  await store.servicePrincipals.create({ id: spId, tenantId, appId: clientId, displayName: 'Tessera automation', accountEnabled: true, createdAt: now });
  await store.roles.assign(tenantId, GLOBAL_ADMIN, spId, 'servicePrincipal');
  return { tenantId, domain, adminUser, generatedAdminPassword, clientId, generatedClientSecret };
}
