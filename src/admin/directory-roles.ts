/**
 * `/directoryRoles` and `/directoryRoleTemplates`: Tessera's built-in roles (Entra's template ids),
 * always activated, with `members` and `members/$ref`. A role's object id is derived from the
 * tenant and template id; the template id and `directoryRoles(roleTemplateId='…')` address it too.
 */
import { builtInRoles, roleByTemplateId } from '../directory/roles.ts';
import { BadRequest } from '../errors/graph.ts';
import { nameBasedId } from '../util/ids.ts';
import { catalogues } from './odata/index.ts';
import { memberObjects, refId, requireDirectoryObject } from './directory-objects.ts';
import { jsonBody, listResponse, notFound, selectOne, type GraphContext, type GraphRouter } from './route.ts';

const roleId = (tenantId: string, templateId: string): string => nameBasedId(tenantId, 'directoryRole', templateId);

export function directoryRoleObject(tenantId: string, templateId: string): Record<string, unknown> | undefined {
  const r = roleByTemplateId(templateId);
  return r && { id: roleId(tenantId, templateId), displayName: r.displayName, description: r.description, roleTemplateId: r.templateId, deletedDateTime: null };
}

function findRole(c: GraphContext, key: string): string {
  const k = key.toLowerCase();
  const byTemplate = /^\(?roletemplateid='([0-9a-f-]{36})'\)$/.exec(k)?.[1];
  const r = builtInRoles.find((x) => x.templateId === (byTemplate ?? k) || roleId(c.caller.tenant.id, x.templateId) === k);
  return r?.templateId ?? notFound(key);
}

/** `directoryRoles(roleTemplateId='…')` arrives as one path segment; the role key is read from the URL. */
function keyOf(c: GraphContext): string {
  if (c.params.id !== undefined) return c.params.id;
  let path: string;
  try { path = decodeURIComponent(c.url.pathname); } catch { return notFound(c.url.pathname); }
  const m = /directoryRoles(\(roleTemplateId=[^)]*\))/i.exec(path);
  return m?.[1] ?? notFound(c.url.pathname);
}

export function registerDirectoryRoles(r: GraphRouter): void {
  const { app } = r;
  r.route('GET', '/directoryRoles', 'directory.read', async (c) =>
    listResponse(c, catalogues.directoryRole, builtInRoles.map((x) => directoryRoleObject(c.caller.tenant.id, x.templateId)!)));

  r.route('GET', '/directoryRoleTemplates', 'directory.read', async (c) =>
    listResponse(c, catalogues.directoryRole, builtInRoles.map((x) => ({ id: x.templateId, displayName: x.displayName, description: x.description, deletedDateTime: null })), { entitySet: 'directoryRoleTemplates' }));

  for (const base of ['/directoryRoles/:id', "/directoryRoles(roleTemplateId=':tid')"]) {
    r.route('GET', base, 'directory.read', async (c) => {
      const t = findRole(c, keyOf(c));
      return selectOne(c, catalogues.directoryRole, directoryRoleObject(c.caller.tenant.id, t)!);
    });

    r.route('GET', `${base}/members`, 'directory.read', async (c) => {
      const t = findRole(c, keyOf(c));
      const members = await app.store.roles.members(c.caller.tenant.id, t);
      return listResponse(c, catalogues.user, await memberObjects(app, c.caller.tenant.id, members.map((m) => ({ id: m.principalId }))), { entitySet: 'directoryObjects' });
    });

    r.route('POST', `${base}/members/$ref`, 'roles.write', async (c) => {
      const t = findRole(c, keyOf(c));
      const id = refId(jsonBody(c));
      const obj = await requireDirectoryObject(app, c.caller.tenant.id, id);
      // Tokens carry the roles assigned directly (wids); role-assignable groups are not supported.
      if (obj.type !== 'user' && obj.type !== 'servicePrincipal') throw new BadRequest(`A ${obj.type} cannot be a member of a directory role; assign roles to users and service principals.`);
      const added = await app.store.roles.assign(c.caller.tenant.id, t, id, obj.type);
      if (!added) throw new BadRequest('One or more added object references already exist for the following modified properties: \'members\'.');
      const role = roleByTemplateId(t)!;
      await c.audit({
        category: 'RoleManagement', activity: 'Add member to role',
        targets: [{ id, displayName: obj.displayName, type: obj.type === 'user' ? 'User' : 'ServicePrincipal', modifiedProperties: [
          { displayName: 'Role.DisplayName', oldValue: null, newValue: JSON.stringify(role.displayName) },
          { displayName: 'Role.TemplateId', oldValue: null, newValue: JSON.stringify(t) },
        ] }, { id: roleId(c.caller.tenant.id, t), displayName: role.displayName, type: 'Role' }],
      });
      app.directory.invalidate();
      return undefined;
    });

    r.route('DELETE', `${base}/members/:member/$ref`, 'roles.write', async (c) => {
      const t = findRole(c, keyOf(c));
      const id = c.params.member!.toLowerCase();
      if (c.caller.principalId === id && t === '62e90394-69f5-4237-9190-012177145e10') throw new BadRequest('You cannot remove yourself from the Global Administrator role.');
      const obj = await requireDirectoryObject(app, c.caller.tenant.id, id);
      if (!(await app.store.roles.unassign(c.caller.tenant.id, t, id))) notFound(id);
      const role = roleByTemplateId(t)!;
      await c.audit({
        category: 'RoleManagement', activity: 'Remove member from role',
        targets: [{ id, displayName: obj.displayName, type: obj.type === 'user' ? 'User' : obj.type === 'group' ? 'Group' : 'ServicePrincipal', modifiedProperties: [
          { displayName: 'Role.DisplayName', oldValue: JSON.stringify(role.displayName), newValue: null },
          { displayName: 'Role.TemplateId', oldValue: JSON.stringify(t), newValue: null },
        ] }, { id: roleId(c.caller.tenant.id, t), displayName: role.displayName, type: 'Role' }],
      });
      app.directory.invalidate();
      return undefined;
    });
  }
}
