/**
 * `/servicePrincipals`: created from an application's appId; `appRoleAssignments` (roles the
 * principal holds) and `appRoleAssignedTo` (who holds the resource's roles). A disabled service
 * principal can no longer obtain tokens (client-auth checks `accountEnabled`).
 */
import { z } from 'zod';
import type { App } from '../app/app.ts';
import { BadRequest, Conflict } from '../errors/graph.ts';
import { StoreConflict, type AppRoleAssignment, type Application, type ServicePrincipal } from '../store/types.ts';
import { newId } from '../util/ids.ts';
import { catalogues, type Catalogue } from './odata/index.ts';
import { requireDirectoryObject } from './directory-objects.ts';
import { alternateKey, entityContext, jsonBody, listResponse, notFound, requireRoleManagerFor, selectOne, type GraphContext, type GraphRouter } from './route.ts';
import { changes, guid, modified, nonEmpty, parseBody } from './validate.ts';

const DEFAULT_ACCESS = '00000000-0000-0000-0000-000000000000';
const createSchema = z.object({ appId: guid, accountEnabled: z.boolean().optional(), displayName: nonEmpty(256).optional() });
const patchSchema = z.object({ accountEnabled: z.boolean(), displayName: nonEmpty(256) }).partial();
const READ_ONLY = ['id', 'createdDateTime', 'deletedDateTime', 'appOwnerOrganizationId', 'servicePrincipalType', 'servicePrincipalNames', 'appDisplayName'];
const assignmentCatalogue: Catalogue = {
  type: 'appRoleAssignment', entitySet: 'appRoleAssignments',
  properties: Object.fromEntries([
    ...['id', 'appRoleId', 'principalId', 'resourceId'].map((k) => [k, { type: 'guid' } as const]),
    ...['principalDisplayName', 'principalType', 'resourceDisplayName'].map((k) => [k, { type: 'string' } as const]),
    ['createdDateTime', { type: 'dateTime' } as const], ['deletedDateTime', { type: 'dateTime' } as const],
  ]),
};
const assignmentSchema = z.object({ principalId: guid, resourceId: guid, appRoleId: guid });

export function toGraphServicePrincipal(sp: ServicePrincipal, a: Application | undefined): Record<string, unknown> {
  return {
    id: sp.id, appId: sp.appId, displayName: sp.displayName, accountEnabled: sp.accountEnabled, appDisplayName: a?.displayName ?? sp.displayName,
    appOwnerOrganizationId: sp.tenantId, servicePrincipalType: 'Application', signInAudience: a?.signInAudience ?? 'AzureADMyOrg',
    servicePrincipalNames: [sp.appId, ...(a?.identifierUris ?? [])], createdDateTime: new Date(sp.createdAt).toISOString(), deletedDateTime: null,
    appRoleAssignmentRequired: false, tags: [], replyUrls: a?.redirectUris ?? [], keyCredentials: [], passwordCredentials: [],
    appRoles: (a?.appRoles ?? []).map((r) => ({ ...r, origin: 'Application' })),
    oauth2PermissionScopes: (a?.scopes ?? []).map((s) => ({ ...s, origin: 'Application' })),
  };
}

async function findSp(app: App, tenantId: string, id: string): Promise<ServicePrincipal> {
  return (await app.store.servicePrincipals.get(tenantId, id.toLowerCase())) ?? notFound(id);
}

/** `servicePrincipals/{id}` or `servicePrincipals(appId='{appId}')`. */
async function findPathSp(app: App, c: GraphContext): Promise<ServicePrincipal> {
  const appId = alternateKey(c, 'servicePrincipals', 'appId');
  if (appId === undefined) return findSp(app, c.caller.tenant.id, c.params.id!);
  return (await app.store.servicePrincipals.getByAppId(c.caller.tenant.id, appId.toLowerCase())) ?? notFound(appId);
}

export function registerServicePrincipals(r: GraphRouter): void {
  const { app } = r;
  const shape = async (sp: ServicePrincipal) => toGraphServicePrincipal(sp, await app.store.applications.getByAppId(sp.appId));
  const target = (sp: ServicePrincipal, mods: ReturnType<typeof changes> = []) => ({ id: sp.id, displayName: sp.displayName, type: 'ServicePrincipal', modifiedProperties: mods });

  const assignmentShape = async (c: GraphContext, x: AppRoleAssignment) => {
    const principal = await app.store.users.get(c.caller.tenant.id, x.principalId) ?? await app.store.servicePrincipals.get(c.caller.tenant.id, x.principalId) ?? await app.store.groups.get(c.caller.tenant.id, x.principalId);
    const resource = await app.store.servicePrincipals.get(c.caller.tenant.id, x.resourceId);
    return {
      id: x.id, appRoleId: x.appRoleId, createdDateTime: new Date(x.createdAt).toISOString(), deletedDateTime: null,
      principalDisplayName: principal?.displayName ?? null, principalId: x.principalId, principalType: x.principalType,
      resourceDisplayName: resource?.displayName ?? null, resourceId: x.resourceId,
    };
  };

  r.route('GET', '/servicePrincipals', 'directory.read', async (c) =>
    listResponse(c, catalogues.servicePrincipal, await Promise.all((await app.store.servicePrincipals.list(c.caller.tenant.id)).map(shape))));

  r.route('POST', '/servicePrincipals', 'apps.write', async (c) => {
    const b = parseBody(createSchema, jsonBody(c), 'servicePrincipal', READ_ONLY);
    const a = await app.store.applications.getByAppId(b.appId);
    if (!a || a.tenantId !== c.caller.tenant.id) throw new BadRequest(`The appId '${b.appId}' of the service principal does not reference a valid application object.`);
    const sp: ServicePrincipal = { id: newId(), tenantId: a.tenantId, appId: a.appId, displayName: b.displayName ?? a.displayName, accountEnabled: b.accountEnabled ?? true, createdAt: Date.now() };
    if (await app.store.servicePrincipals.getByAppId(a.tenantId, a.appId)) throw new Conflict(`The service principal cannot be created because the service principal name ${a.appId} is already in use.`);
    try {
      await app.store.servicePrincipals.create(sp);
    } catch (e) {
      if (e instanceof StoreConflict) throw new Conflict(`The service principal cannot be created because the service principal name ${a.appId} is already in use.`);
      throw e;
    }
    await c.audit({ category: 'ApplicationManagement', activity: 'Add service principal', targets: [target(sp, [modified('AppId', null, sp.appId), modified('AccountEnabled', null, sp.accountEnabled), modified('DisplayName', null, sp.displayName)])] });
    app.directory.invalidate();
    return { status: 201, body: { '@odata.context': entityContext(c, 'servicePrincipals'), ...(await shape(sp)) } };
  });

  for (const key of ['/servicePrincipals/:id', "/servicePrincipals(appId=':appId')"]) {
    r.route('GET', key, 'directory.read', async (c) =>
      selectOne(c, catalogues.servicePrincipal, await shape(await findPathSp(app, c))));

    r.route('PATCH', key, 'apps.write', async (c) => {
      const sp = await findPathSp(app, c);
      const b = parseBody(patchSchema, jsonBody(c), 'servicePrincipal', READ_ONLY);
      const next: ServicePrincipal = { ...sp, displayName: b.displayName ?? sp.displayName, accountEnabled: b.accountEnabled ?? sp.accountEnabled };
      await app.store.servicePrincipals.update(next);
      await c.audit({ category: 'ApplicationManagement', activity: 'Update service principal', targets: [target(next, changes(await shape(sp), b))] });
      app.directory.invalidate();
      return undefined;
    });

    r.route('DELETE', key, 'apps.write', async (c) => {
      const sp = await findPathSp(app, c);
      if (c.caller.kind === 'app' && c.caller.principalId === sp.id) throw new BadRequest('A service principal cannot delete itself.');
      await requireRoleManagerFor(c, sp.id);
      await app.store.servicePrincipals.delete(sp.tenantId, sp.id);
      await c.audit({ category: 'ApplicationManagement', activity: 'Remove service principal', targets: [target(sp)] });
      app.directory.invalidate();
      return undefined;
    });

    r.route('GET', `${key}/appRoleAssignments`, 'directory.read', async (c) => {
      const sp = await findPathSp(app, c);
      const rows = await app.store.servicePrincipals.appRoleAssignmentsOf(sp.tenantId, sp.id);
      return listResponse(c, assignmentCatalogue, await Promise.all(rows.map((x) => assignmentShape(c, x))), { entitySet: `servicePrincipals('${sp.id}')/appRoleAssignments` });
    });

    r.route('GET', `${key}/appRoleAssignedTo`, 'directory.read', async (c) => {
      const sp = await findPathSp(app, c);
      const rows = await app.store.servicePrincipals.appRoleAssignmentsTo(sp.tenantId, sp.id);
      return listResponse(c, assignmentCatalogue, await Promise.all(rows.map((x) => assignmentShape(c, x))), { entitySet: `servicePrincipals('${sp.id}')/appRoleAssignedTo` });
    });

    /** Both POSTs take the same body; the path names either the principal or the resource. */
    const assign = async (c: GraphContext, pathSp: ServicePrincipal, side: 'principal' | 'resource') => {
      const b = parseBody(assignmentSchema, jsonBody(c), 'appRoleAssignment', ['id', 'createdDateTime', 'principalDisplayName', 'resourceDisplayName', 'principalType']);
      if ((side === 'principal' ? b.principalId : b.resourceId) !== pathSp.id) throw new BadRequest(`The ${side}Id in the body must be the service principal in the path.`);
      const resource = await findSp(app, c.caller.tenant.id, b.resourceId);
      const principal = await requireDirectoryObject(app, c.caller.tenant.id, b.principalId);
      if (principal.type === 'device') throw new BadRequest('A device cannot be assigned an app role.');
      const resourceApp = await app.store.applications.getByAppId(resource.appId);
      const role = resourceApp?.appRoles.find((x) => x.id === b.appRoleId);
      const memberType = principal.type === 'servicePrincipal' ? 'Application' : 'User';
      if (b.appRoleId !== DEFAULT_ACCESS && (!role || !role.isEnabled || !role.allowedMemberTypes.includes(memberType))) {
        throw new BadRequest(`Permission being assigned was not found on application '${resource.appId}' or cannot be assigned to a ${principal.type}.`);
      }
      if ((await app.store.servicePrincipals.appRoleAssignmentsOf(c.caller.tenant.id, principal.id)).some((x) => x.resourceId === resource.id && x.appRoleId === b.appRoleId)) {
        throw new Conflict('Permission being assigned already exists on the object.');
      }
      const principalType = principal.type === 'servicePrincipal' ? 'ServicePrincipal' : principal.type === 'group' ? 'Group' : 'User';
      const x: AppRoleAssignment = { id: newId(), tenantId: c.caller.tenant.id, principalId: principal.id, principalType, resourceId: resource.id, appRoleId: b.appRoleId, createdAt: Date.now() };
      await app.store.servicePrincipals.assignAppRole(x);
      const mods = [modified('AppRole.Id', null, b.appRoleId), modified('AppRole.Value', null, role?.value ?? ''), modified('ServicePrincipal.ObjectID', null, resource.id)];
      await c.audit(principal.type === 'servicePrincipal'
        ? { category: 'ApplicationManagement', activity: 'Add app role assignment to service principal', targets: [{ id: principal.id, displayName: principal.displayName, type: 'ServicePrincipal', modifiedProperties: mods }, target(resource)] }
        : { category: principal.type === 'group' ? 'GroupManagement' : 'UserManagement', activity: principal.type === 'group' ? 'Add app role assignment to group' : 'Add app role assignment grant to user', targets: [{ id: principal.id, displayName: principal.displayName, type: principal.type === 'group' ? 'Group' : 'User', modifiedProperties: mods }, target(resource)] });
      app.directory.invalidate();
      return { status: 201 as const, body: { '@odata.context': entityContext(c, `servicePrincipals('${pathSp.id}')/${side === 'principal' ? 'appRoleAssignments' : 'appRoleAssignedTo'}`), ...(await assignmentShape(c, x)) } };
    };
    r.route('POST', `${key}/appRoleAssignments`, 'apps.write', async (c) => assign(c, await findPathSp(app, c), 'principal'));
    r.route('POST', `${key}/appRoleAssignedTo`, 'apps.write', async (c) => assign(c, await findPathSp(app, c), 'resource'));

    const unassign = async (c: GraphContext, side: 'principal' | 'resource') => {
      const sp = await findPathSp(app, c);
      const rows = side === 'principal' ? await app.store.servicePrincipals.appRoleAssignmentsOf(sp.tenantId, sp.id) : await app.store.servicePrincipals.appRoleAssignmentsTo(sp.tenantId, sp.id);
      const x = rows.find((y) => y.id === c.params.assignment!.toLowerCase()) ?? notFound(c.params.assignment!);
      await app.store.servicePrincipals.removeAppRoleAssignment(sp.tenantId, x.id);
      const resource = await app.store.servicePrincipals.get(sp.tenantId, x.resourceId);
      const mods = [modified('AppRole.Id', x.appRoleId, null), modified('ServicePrincipal.ObjectID', x.resourceId, null)];
      await c.audit(x.principalType === 'ServicePrincipal'
        ? { category: 'ApplicationManagement', activity: 'Remove app role assignment from service principal', targets: [{ id: x.principalId, type: 'ServicePrincipal', modifiedProperties: mods }, ...(resource ? [target(resource)] : [])] }
        : { category: x.principalType === 'Group' ? 'GroupManagement' : 'UserManagement', activity: x.principalType === 'Group' ? 'Remove app role assignment from group' : 'Remove app role assignment from user', targets: [{ id: x.principalId, type: x.principalType, modifiedProperties: mods }, ...(resource ? [target(resource)] : [])] });
      app.directory.invalidate();
      return undefined;
    };
    r.route('DELETE', `${key}/appRoleAssignments/:assignment`, 'apps.write', async (c) => unassign(c, 'principal'));
    r.route('DELETE', `${key}/appRoleAssignedTo/:assignment`, 'apps.write', async (c) => unassign(c, 'resource'));

  }
}
