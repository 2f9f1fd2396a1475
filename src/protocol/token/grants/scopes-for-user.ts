/** What a user token carries for a resource: delegated `scp`, app-role `roles`, directory-role `wids`. */
import type { App } from '../../../app/app.ts';
import type { ScopeRequest } from '../../resources.ts';

export async function userPermissions(app: App, tenantId: string, userId: string, scopes: ScopeRequest): Promise<{ scp: string[]; roles: string[]; wids: string[] }> {
  const resource = scopes.resource;
  const scp = !resource ? [] : scopes.isDefault ? [...resource.scopes] : [...scopes.permissions];
  const roles: string[] = [];
  if (resource?.application) {
    const resourceSp = await app.store.servicePrincipals.getByAppId(tenantId, resource.appId);
    if (resourceSp) {
      for (const a of await app.store.servicePrincipals.appRoleAssignmentsOf(tenantId, userId)) {
        if (a.resourceId !== resourceSp.id) continue;
        const role = resource.application.appRoles.find((r) => r.id === a.appRoleId && r.isEnabled);
        if (role) roles.push(role.value);
      }
    }
  }
  const wids = await app.directory.directoryRoles(tenantId, userId);
  return { scp, roles, wids };
}
