/**
 * `/applications`: app registrations. Redirect URIs keep Graph's platform split (web, spa,
 * publicClient) in `extra`; the protocol reads their union. An application is a public client when
 * `isFallbackPublicClient` is set or when it has spa/publicClient redirect URIs and no web ones.
 * `tesseraTokenProtectionRequired` is Tessera's extension: resource tokens for this app require a
 * device-bound (token-protected) sign-in.
 */
import { z } from 'zod';
import type { App } from '../app/app.ts';
import { BadRequest } from '../errors/graph.ts';
import { StoreConflict, type Application, type Credential } from '../store/types.ts';
import { newId } from '../util/ids.ts';
import { catalogues } from './odata/index.ts';
import { keyCredentialSchema, newKeyCredential, newPasswordCredential, planKeyCredentials, toGraphKeyCredential, toGraphPasswordCredential } from './application-credentials.ts';
import { alternateKey, contextOf, entityContext, jsonBody, listResponse, notFound, requireRoleManagerFor, selectOne, type GraphContext, type GraphRouter } from './route.ts';
import { changes, guid, modified, nonEmpty, parseBody, stringList, text } from './validate.ts';

const uri = text(1024).refine((s) => {
  try { return new URL(s).protocol.length > 1; } catch { return false; }
}, 'must be an absolute URI');
const redirectUri = uri.refine((s) => !s.includes('#'), 'must not contain a fragment');
const uris = z.array(redirectUri).max(256, 'must have at most 256 items');
const identifierUri = uri.refine((s) => /^(api|https|urn):/i.test(s), "must start with 'api://', 'https://' or 'urn:'");

const appRole = z.object({
  id: guid, value: text(120).nullable().optional(), displayName: nonEmpty(120), description: text(1024).default(''),
  allowedMemberTypes: z.array(z.enum(['User', 'Application'])).min(1).max(2), isEnabled: z.boolean().default(true), origin: z.string().max(40).optional(),
}).strict();
const scope = z.object({
  id: guid, value: nonEmpty(120).refine((s) => !/\s/.test(s), 'must not contain spaces'), adminConsentDisplayName: text(256).default(''),
  adminConsentDescription: text(1024).default(''), userConsentDisplayName: text(256).nullable().optional(), userConsentDescription: text(1024).nullable().optional(),
  type: z.enum(['User', 'Admin']).default('User'), isEnabled: z.boolean().default(true), origin: z.string().max(40).optional(),
}).strict();

const editable = {
  displayName: nonEmpty(256), description: text(1024).nullable(), notes: text(1024).nullable(), tags: stringList(256, 50),
  signInAudience: z.enum(['AzureADMyOrg', 'AzureADMultipleOrgs', 'AzureADandPersonalMicrosoftAccount', 'PersonalMicrosoftAccount']),
  identifierUris: z.array(identifierUri).max(50), isFallbackPublicClient: z.boolean().nullable(),
  web: z.object({ redirectUris: uris.optional(), homePageUrl: uri.nullable().optional(), logoutUrl: uri.nullable().optional(), implicitGrantSettings: z.object({ enableAccessTokenIssuance: z.boolean().optional(), enableIdTokenIssuance: z.boolean().optional() }).strict().optional() }).strict(),
  spa: z.object({ redirectUris: uris.optional() }).strict(),
  publicClient: z.object({ redirectUris: uris.optional() }).strict(),
  appRoles: z.array(appRole).max(100),
  api: z.object({ oauth2PermissionScopes: z.array(scope).max(100).optional(), requestedAccessTokenVersion: z.number().int().min(1).max(2).nullable().optional() }).strict(),
  requiredResourceAccess: z.array(z.object({ resourceAppId: z.string().max(256), resourceAccess: z.array(z.object({ id: guid, type: z.enum(['Scope', 'Role']) }).strict()).max(200) }).strict()).max(50),
  keyCredentials: z.array(keyCredentialSchema).max(20),
  tesseraTokenProtectionRequired: z.boolean(),
};
const createSchema = z.object(editable).partial().required({ displayName: true });
const patchSchema = z.object(editable).partial();
type Body = z.infer<typeof patchSchema>;
const READ_ONLY = ['id', 'appId', 'createdDateTime', 'deletedDateTime', 'publisherDomain', 'passwordCredentials'];

interface Platforms { web: string[]; spa: string[]; publicClient: string[] }
function platforms(a: Application): Platforms {
  const x = (a.extra ?? {}) as { web?: { redirectUris?: string[] }; spa?: { redirectUris?: string[] }; publicClient?: { redirectUris?: string[] } };
  if (!x.web && !x.spa && !x.publicClient) return a.isPublic ? { web: [], spa: [], publicClient: a.redirectUris } : { web: a.redirectUris, spa: [], publicClient: [] };
  return { web: x.web?.redirectUris ?? [], spa: x.spa?.redirectUris ?? [], publicClient: x.publicClient?.redirectUris ?? [] };
}

export function toGraphApplication(a: Application, creds: Credential[], publisherDomain: string): Record<string, unknown> {
  const x = a.extra ?? {};
  const p = platforms(a);
  const web = (x.web ?? {}) as Record<string, unknown>;
  return {
    id: a.id, appId: a.appId, displayName: a.displayName, description: x.description ?? null, notes: x.notes ?? null, tags: x.tags ?? [],
    createdDateTime: new Date(a.createdAt).toISOString(), deletedDateTime: null, publisherDomain, signInAudience: a.signInAudience,
    identifierUris: a.identifierUris, isFallbackPublicClient: x.isFallbackPublicClient ?? null,
    web: { redirectUris: p.web, homePageUrl: web.homePageUrl ?? null, logoutUrl: web.logoutUrl ?? null, implicitGrantSettings: web.implicitGrantSettings ?? { enableAccessTokenIssuance: false, enableIdTokenIssuance: false } },
    spa: { redirectUris: p.spa }, publicClient: { redirectUris: p.publicClient },
    appRoles: a.appRoles.map((r) => ({ ...r, origin: 'Application' })),
    api: { requestedAccessTokenVersion: (x.api as { requestedAccessTokenVersion?: unknown } | undefined)?.requestedAccessTokenVersion ?? 2, oauth2PermissionScopes: a.scopes.map((s) => ({ ...s, origin: 'Application' })) },
    requiredResourceAccess: x.requiredResourceAccess ?? [],
    keyCredentials: creds.filter((c) => c.kind === 'certificate').map(toGraphKeyCredential),
    passwordCredentials: creds.filter((c) => c.kind === 'secret').map((c) => toGraphPasswordCredential(c)),
    tesseraTokenProtectionRequired: a.tokenProtectionRequired,
  };
}

/** Applies a validated body to an application (without credentials). */
function apply(a: Application, b: Body): Application {
  const next: Application = { ...a, extra: { ...(a.extra ?? {}) }, updatedAt: Date.now() };
  const x = next.extra!;
  if (b.displayName !== undefined) next.displayName = b.displayName;
  if (b.signInAudience !== undefined) next.signInAudience = b.signInAudience;
  if (b.identifierUris !== undefined) next.identifierUris = [...new Set(b.identifierUris)];
  if (b.appRoles !== undefined) {
    next.appRoles = b.appRoles.map(({ origin: _o, ...r }) => ({ ...r, value: r.value ?? '' }));
  }
  if (b.api?.oauth2PermissionScopes !== undefined) {
    next.scopes = b.api.oauth2PermissionScopes.map((s) => ({ id: s.id, value: s.value, adminConsentDisplayName: s.adminConsentDisplayName, adminConsentDescription: s.adminConsentDescription, type: s.type, isEnabled: s.isEnabled }));
  }
  if (b.api?.requestedAccessTokenVersion !== undefined) x.api = { requestedAccessTokenVersion: b.api.requestedAccessTokenVersion };
  if (b.tesseraTokenProtectionRequired !== undefined) next.tokenProtectionRequired = b.tesseraTokenProtectionRequired;
  for (const k of ['description', 'notes', 'tags', 'isFallbackPublicClient', 'requiredResourceAccess'] as const) if (b[k] !== undefined) x[k] = b[k];
  const p = platforms(a);
  if (b.web) x.web = { ...((x.web ?? {}) as object), ...b.web, redirectUris: b.web.redirectUris ?? p.web };
  else x.web ??= { redirectUris: p.web };
  x.spa = { redirectUris: b.spa?.redirectUris ?? p.spa };
  x.publicClient = { redirectUris: b.publicClient?.redirectUris ?? p.publicClient };
  const q = platforms(next);
  next.redirectUris = [...new Set([...q.web, ...q.spa, ...q.publicClient])];
  next.isPublic = x.isFallbackPublicClient === true || (q.web.length === 0 && (q.spa.length > 0 || q.publicClient.length > 0));
  return next;
}

async function checkIdentifierUris(app: App, a: Application, before: Application | undefined): Promise<void> {
  for (const u of a.identifierUris) {
    if (before?.identifierUris.includes(u)) continue;
    const other = await app.store.applications.getByIdentifierUri(a.tenantId, u);
    if (other && other.id !== a.id) throw new BadRequest('Another object with the same value for property identifierUris already exists.');
  }
}

/** `applications/{id}` or `applications(appId='{appId}')`. */
export async function findApplication(app: App, c: GraphContext): Promise<Application> {
  const tenantId = c.caller.tenant.id;
  const appId = alternateKey(c, 'applications', 'appId');
  const key = (appId ?? c.params.id!).toLowerCase();
  const a = appId !== undefined ? await app.store.applications.getByAppId(key) : await app.store.applications.get(tenantId, key);
  return a && a.tenantId === tenantId ? a : notFound(key);
}

export function registerApplications(r: GraphRouter): void {
  const { app } = r;
  /** Credentials of an application whose service principal holds a directory role are for role managers only. */
  const guardCredentials = async (c: GraphContext, a: Application) => {
    const sp = await app.store.servicePrincipals.getByAppId(a.tenantId, a.appId);
    if (sp) await requireRoleManagerFor(c, sp.id);
  };
  const shape = async (c: GraphContext, a: Application) => toGraphApplication(a, await app.store.applications.credentials(a.appId), c.caller.tenant.domain);
  const target = (a: Application, mods: ReturnType<typeof changes> = []) => ({ id: a.id, displayName: a.displayName, type: 'Application', modifiedProperties: mods });
  const credentialsChanged = async (c: GraphContext, a: Application, mods: ReturnType<typeof changes>) => {
    await c.audit({ category: 'ApplicationManagement', activity: 'Update application – Certificates and secrets management', targets: [target(a, mods)] });
    app.directory.invalidate();
  };

  r.route('GET', '/applications', 'directory.read', async (c) => {
    const apps = await app.store.applications.list(c.caller.tenant.id);
    return listResponse(c, catalogues.application, await Promise.all(apps.map((a) => shape(c, a))));
  });

  r.route('POST', '/applications', 'apps.write', async (c) => {
    const b = parseBody(createSchema, jsonBody(c), 'application', READ_ONLY);
    const now = Date.now();
    const blank: Application = {
      id: newId(), tenantId: c.caller.tenant.id, appId: newId(), displayName: b.displayName, isPublic: false, signInAudience: 'AzureADMyOrg',
      redirectUris: [], identifierUris: [], appRoles: [], scopes: [], tokenProtectionRequired: false, createdAt: now, updatedAt: now, extra: {},
    };
    const a = apply(blank, b);
    await checkIdentifierUris(app, a, undefined);
    const keys = (b.keyCredentials ?? []).map((k, i) => newKeyCredential(a, k, i));
    try {
      await app.store.applications.create(a);
    } catch (e) {
      if (e instanceof StoreConflict) throw new BadRequest('Another object with the same value for property appId already exists.');
      throw e;
    }
    for (const k of keys) await app.store.applications.addCredential(k);
    await c.audit({ category: 'ApplicationManagement', activity: 'Add application', targets: [target(a, [modified('AppId', null, a.appId), modified('DisplayName', null, a.displayName), ...(keys.length ? [modified('KeyDescription', null, keys.map((k) => k.keyId))] : [])])] });
    app.directory.invalidate();
    return { status: 201, body: { '@odata.context': entityContext(c, 'applications'), ...(await shape(c, a)) } };
  });

  for (const key of ['/applications/:id', "/applications(appId=':appId')"]) {
    r.route('GET', key, 'directory.read', async (c) => {
      const a = await findApplication(app, c);
      return selectOne(c, catalogues.application, await shape(c, a));
    });

    r.route('PATCH', key, 'apps.write', async (c) => {
      const before = await findApplication(app, c);
      const raw = jsonBody(c);
      const b = parseBody(patchSchema, raw, 'application', READ_ONLY);
      if (b.keyCredentials) await guardCredentials(c, before);
      const a = apply(before, b);
      await checkIdentifierUris(app, a, before);
      const plan = b.keyCredentials ? planKeyCredentials(a, await app.store.applications.credentials(a.appId), b.keyCredentials) : undefined;
      const { keyCredentials: _k, ...rest } = b;
      const mods = changes(await shape(c, before), rest as Record<string, unknown>);
      await app.store.applications.update(a);
      if (plan) {
        for (const k of plan.add) await app.store.applications.addCredential(k);
        for (const k of plan.remove) await app.store.applications.removeCredential(a.appId, k.keyId);
      }
      if (mods.length > 0 || !plan) await c.audit({ category: 'ApplicationManagement', activity: 'Update application', targets: [target(a, mods)] });
      if (plan) await credentialsChanged(c, a, [modified('KeyDescription', plan.remove.map((k) => k.keyId), plan.add.map((k) => ({ keyId: k.keyId, type: 'AsymmetricX509Cert', thumbprint: k.thumbprint })))]);
      app.directory.invalidate();
      return undefined;
    });

    r.route('DELETE', key, 'apps.write', async (c) => {
      const a = await findApplication(app, c);
      if (c.caller.kind === 'app' && c.caller.actor.appId === a.appId) throw new BadRequest('An application cannot delete its own registration.');
      await guardCredentials(c, a);
      const sp = await app.store.servicePrincipals.getByAppId(a.tenantId, a.appId);
      if (sp) {
        // Deleting an application removes its service principal in the home tenant too.
        for (const role of await app.store.roles.rolesOf(a.tenantId, sp.id)) await app.store.roles.unassign(a.tenantId, role, sp.id);
        await app.store.servicePrincipals.delete(a.tenantId, sp.id);
      }
      await app.store.applications.delete(a.tenantId, a.id);
      await c.audit({ category: 'ApplicationManagement', activity: 'Delete application', targets: [target(a)] });
      app.directory.invalidate();
      return undefined;
    });

    r.route('POST', `${key}/addPassword`, 'apps.write', async (c) => {
      const a = await findApplication(app, c);
      await guardCredentials(c, a);
      const body = c.req.headers['content-type'] === undefined && c.req.body === undefined ? {} : jsonBody(c);
      const { credential, secretText } = newPasswordCredential(a, body);
      if ((await app.store.applications.credentials(a.appId)).filter((k) => k.kind === 'secret').length >= 20) throw new BadRequest('An application can have at most 20 client secrets.');
      await app.store.applications.addCredential(credential);
      await credentialsChanged(c, a, [modified('KeyDescription', null, [{ keyId: credential.keyId, type: 'Password', displayName: credential.displayName }])]);
      return { '@odata.context': contextOf(c, 'microsoft.graph.passwordCredential'), ...toGraphPasswordCredential(credential, secretText) };
    });

    r.route('POST', `${key}/removePassword`, 'apps.write', async (c) => {
      const a = await findApplication(app, c);
      await guardCredentials(c, a);
      const { keyId } = parseBody(z.object({ keyId: guid }), jsonBody(c), 'application');
      const cred = (await app.store.applications.credentials(a.appId)).find((k) => k.kind === 'secret' && k.keyId === keyId);
      if (!cred) throw new BadRequest(`No password credential found with keyId '${keyId}'.`);
      await app.store.applications.removeCredential(a.appId, keyId);
      await credentialsChanged(c, a, [modified('KeyDescription', [{ keyId, type: 'Password', displayName: cred.displayName }], null)]);
      return undefined;
    });
  }
}
