/**
 * In-memory snapshots of what every token request reads: tenants, clients (application + service
 * principal + credentials) and resources. Entries are dropped when the admin API changes them
 * (`invalidate`), and expire after a short TTL so another node's changes are seen soon too.
 */
import type { Application, Credential, ServicePrincipal, Store, Tenant } from '../store/types.ts';

/** A client as token requests need it; `wids` are its service principal's directory roles (for app-only tokens). */
export interface ClientRecord { app: Application; sp: ServicePrincipal | undefined; credentials: Credential[]; wids: string[] }

const TTL_MS = 30_000;

export class DirectoryCache {
  private tenants = new Map<string, { at: number; value: Tenant | undefined }>();
  private clients = new Map<string, { at: number; value: ClientRecord | undefined }>();
  private resources = new Map<string, { at: number; value: Application | undefined }>();
  private roles = new Map<string, { at: number; value: string[] }>();
  constructor(private readonly store: Store) {}

  async tenant(idOrDomain: string): Promise<Tenant | undefined> {
    const key = idOrDomain.toLowerCase();
    const hit = this.tenants.get(key);
    if (hit && Date.now() - hit.at < TTL_MS) return hit.value;
    const value = await this.store.tenants.get(key);
    if (this.tenants.size > 10_000) this.tenants.clear(); // unknown-tenant probes must not grow memory without bound
    this.tenants.set(key, { at: Date.now(), value });
    return value;
  }

  async client(appId: string): Promise<ClientRecord | undefined> {
    const hit = this.clients.get(appId);
    if (hit && Date.now() - hit.at < TTL_MS) return hit.value;
    const app = await this.store.applications.getByAppId(appId);
    let value: ClientRecord | undefined;
    if (app) {
      const sp = await this.store.servicePrincipals.getByAppId(app.tenantId, appId);
      value = { app, sp, credentials: await this.store.applications.credentials(appId), wids: sp ? await this.store.roles.rolesOf(app.tenantId, sp.id) : [] };
    }
    if (this.clients.size > 10_000) this.clients.clear();
    this.clients.set(appId, { at: Date.now(), value });
    return value;
  }

  /** The application acting as a resource, by identifier URI or appId, within a tenant. */
  async resource(tenantId: string, idOrUri: string): Promise<Application | undefined> {
    const key = `${tenantId}|${idOrUri}`;
    const hit = this.resources.get(key);
    if (hit && Date.now() - hit.at < TTL_MS) return hit.value;
    let value = await this.store.applications.getByIdentifierUri(tenantId, idOrUri);
    if (!value && /^[0-9a-f-]{36}$/i.test(idOrUri)) {
      const byId = await this.store.applications.getByAppId(idOrUri);
      value = byId?.tenantId === tenantId ? byId : undefined;
    }
    if (this.resources.size > 10_000) this.resources.clear();
    this.resources.set(key, { at: Date.now(), value });
    return value;
  }

  /** Directory role template ids of a user or service principal (the `wids` claim). */
  async directoryRoles(tenantId: string, principalId: string): Promise<string[]> {
    const key = `${tenantId}|${principalId}`;
    const hit = this.roles.get(key);
    if (hit && Date.now() - hit.at < TTL_MS) return hit.value;
    const value = await this.store.roles.rolesOf(tenantId, principalId);
    if (this.roles.size > 100_000) this.roles.clear();
    this.roles.set(key, { at: Date.now(), value });
    return value;
  }

  invalidate(): void {
    this.roles.clear();
    this.tenants.clear();
    this.clients.clear();
    this.resources.clear();
  }
}
