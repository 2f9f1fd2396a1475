/**
 * Scope strings to a resource and its permissions (Microsoft identity platform v2 rules): OIDC
 * scopes stand alone; every other scope names one resource by prefix (`api://x/read`,
 * `https://graph.microsoft.com/.default`); all of a request's resource scopes must name the same
 * resource (AADSTS28000); `.default` means every permission the client holds on it. Tessera's own
 * admin API answers as Microsoft Graph, so Graph's resource is built in.
 */
import { InvalidScope, InvalidTarget } from '../errors/oauth.ts';
import type { Application } from '../store/types.ts';
import type { DirectoryCache } from '../app/directory-cache.ts';

export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
export const GRAPH_URI = 'https://graph.microsoft.com';
/** The Log Analytics query API (`/v1/workspaces/{id}/query`), served by Tessera over its own logs. */
export const LOG_ANALYTICS_APP_ID = 'ca7f3f0b-7d91-482c-8e09-c5d840d0eac5';
export const LOG_ANALYTICS_URI = 'https://api.loganalytics.io';
export const OIDC_SCOPES = new Set(['openid', 'profile', 'email', 'offline_access']);

/** Delegated Graph permissions Tessera understands; what a token may do is then decided by the caller's directory roles. */
export const GRAPH_SCOPES = [
  'User.Read', 'User.Read.All', 'User.ReadWrite.All', 'Group.Read.All', 'Group.ReadWrite.All', 'Directory.Read.All',
  'Directory.ReadWrite.All', 'Application.Read.All', 'Application.ReadWrite.All', 'Device.Read.All', 'Device.ReadWrite.All',
  'Policy.Read.All', 'Policy.ReadWrite.ConditionalAccess', 'AuditLog.Read.All', 'IdentityRiskyUser.Read.All',
  'IdentityRiskyUser.ReadWrite.All', 'IdentityRiskEvent.Read.All', 'IdentityRiskyServicePrincipal.ReadWrite.All',
  'RoleManagement.Read.Directory', 'RoleManagement.ReadWrite.Directory',
];

export interface Resource {
  appId: string;
  displayName: string;
  /** The `aud` of tokens for it: the identifier URI the client asked with, else the appId. */
  audience: string;
  application: Application | undefined;
  scopes: string[];
  tokenProtectionRequired: boolean;
}

export interface ScopeRequest {
  oidc: Set<string>;
  resource: Resource | undefined;
  /** Requested resource permissions without the resource prefix; `['.default']` for .default. */
  permissions: string[];
  isDefault: boolean;
}

const graph = (audience: string): Resource => ({ appId: GRAPH_APP_ID, displayName: 'Microsoft Graph', audience, application: undefined, scopes: GRAPH_SCOPES, tokenProtectionRequired: false });

function split(scope: string): { prefix: string; perm: string } {
  // The permission is the last path segment: api://app-id/read → (api://app-id, read)
  const i = scope.lastIndexOf('/');
  if (i <= 0 || i === scope.length - 1) return { prefix: '', perm: scope };
  return { prefix: scope.slice(0, i), perm: scope.slice(i + 1) };
}

export async function resolveScopes(dir: DirectoryCache, tenantId: string, scopeParam: string | undefined, opts: { defaultResource?: string } = {}): Promise<ScopeRequest> {
  const words = (scopeParam ?? '').split(' ').filter(Boolean);
  if (words.length > 100) throw new InvalidScope('Too many scopes requested.', { aadsts: 70011 });
  const oidc = new Set<string>();
  const byPrefix = new Map<string, string[]>();
  for (const w of words) {
    if (w.length > 512 || /[\x00-\x20\x7f"\\]/.test(w)) throw new InvalidScope(`The provided value for the input parameter 'scope' is not valid. The scope '${w.slice(0, 64)}' is malformed.`, { aadsts: 70011 });
    if (OIDC_SCOPES.has(w)) { oidc.add(w); continue; }
    const { prefix, perm } = split(w);
    const key = prefix || GRAPH_URI; // bare names (User.Read) are Graph's, as in Entra
    byPrefix.set(key, [...(byPrefix.get(key) ?? []), perm]);
  }
  if (byPrefix.size > 1) {
    throw new InvalidScope(`The provided value for the input parameter 'scope' is not valid: scopes for more than one resource (${[...byPrefix.keys()].join(', ')}) were requested.`, { aadsts: 28000 });
  }
  let resourceKey = [...byPrefix.keys()][0];
  let permissions = resourceKey ? byPrefix.get(resourceKey)! : [];
  if (!resourceKey && opts.defaultResource) { resourceKey = opts.defaultResource; permissions = ['.default']; }
  if (!resourceKey) {
    // Only OIDC scopes: Entra issues a token for Graph's User.Read; so do we.
    return { oidc, resource: oidc.size ? graph(GRAPH_URI) : undefined, permissions: oidc.size ? ['User.Read'] : [], isDefault: false };
  }
  const isDefault = permissions.includes('.default');
  if (isDefault && permissions.length > 1) throw new InvalidScope("'.default' cannot be combined with other scopes for the same resource.", { aadsts: 70011 });

  let resource: Resource | undefined;
  const bare = resourceKey.replace(/\/+$/, '');
  if (bare === GRAPH_URI || bare === GRAPH_APP_ID || bare === 'https://graph.microsoft.com/v1.0') resource = graph(GRAPH_URI);
  else if (bare === LOG_ANALYTICS_URI || bare === LOG_ANALYTICS_APP_ID || bare === 'https://api.loganalytics.azure.com') {
    resource = { appId: LOG_ANALYTICS_APP_ID, displayName: 'Log Analytics API', audience: LOG_ANALYTICS_URI, application: undefined, scopes: ['Data.Read'], tokenProtectionRequired: false };
  } else {
    const app = await dir.resource(tenantId, bare);
    if (app) {
      resource = {
        appId: app.appId, displayName: app.displayName, audience: app.identifierUris.includes(bare) ? bare : app.appId,
        application: app, scopes: app.scopes.filter((s) => s.isEnabled).map((s) => s.value), tokenProtectionRequired: app.tokenProtectionRequired,
      };
    }
  }
  if (!resource) {
    throw new InvalidTarget(`The resource principal named ${bare} was not found in the tenant. This can happen if the application has not been installed by the administrator of the tenant.`, { aadsts: 500011, status: 400 });
  }
  if (!isDefault) {
    const unknown = permissions.filter((p) => !resource!.scopes.includes(p));
    if (unknown.length) throw new InvalidScope(`The application asked for scope '${unknown[0]}' that doesn't exist on the resource '${resource.appId}'.`, { aadsts: 65005 });
  }
  return { oidc, resource, permissions, isDefault };
}
