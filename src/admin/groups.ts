/**
 * `/groups` (security groups) with `members`, `members/$ref` and `members@odata.bind` on create.
 * Membership changes affect conditional access and `groups` claims, so the directory cache is
 * invalidated after each.
 */
import { z } from 'zod';
import { BadRequest } from '../errors/graph.ts';
import type { Group } from '../store/types.ts';
import { newId } from '../util/ids.ts';
import { catalogues } from './odata/index.ts';
import { memberObjects, refId, requireDirectoryObject, type DirectoryObject } from './directory-objects.ts';
import { entityContext, jsonBody, listResponse, notFound, selectOne, type GraphContext, type GraphRouter } from './route.ts';
import { changes, modified, nonEmpty, parseBody, text } from './validate.ts';

const editable = {
  displayName: nonEmpty(256), description: text(1024).nullable(), mailNickname: nonEmpty(64).refine((s) => /^[\x21-\x7e]+$/.test(s) && !/[@()\\[\]";:<>,]/.test(s), 'must be ASCII without spaces or @()\\[]";:<>,'),
  mailEnabled: z.literal(false, { message: 'mail-enabled groups are not supported' }), securityEnabled: z.boolean(),
  groupTypes: z.array(z.string()).max(0, 'only security groups (groupTypes: []) are supported'), visibility: z.enum(['Private', 'Public', 'HiddenMembership']).nullable(),
  isAssignableToRole: z.boolean(),
};
const createSchema = z.object({ ...editable, 'members@odata.bind': z.array(z.string().max(2048)).max(20) }).partial().required({ displayName: true, mailEnabled: true, mailNickname: true, securityEnabled: true });
const patchSchema = z.object(editable).partial();
const READ_ONLY = ['id', 'createdDateTime', 'deletedDateTime', 'mail', 'securityIdentifier', 'onPremisesSyncEnabled', 'renewedDateTime'];

export function toGraphGroup(g: Group): Record<string, unknown> {
  return {
    id: g.id, displayName: g.displayName, description: g.description, mailNickname: g.mailNickname, mailEnabled: g.mailEnabled,
    securityEnabled: g.securityEnabled, groupTypes: [], mail: null, visibility: null, createdDateTime: new Date(g.createdAt).toISOString(), deletedDateTime: null,
  };
}

export function registerGroups(r: GraphRouter): void {
  const { app } = r;
  const find = async (c: GraphContext): Promise<Group> => {
    const id = c.params.id!.toLowerCase();
    return (await app.store.groups.get(c.caller.tenant.id, id)) ?? notFound(id);
  };
  const target = (g: Group, mods: ReturnType<typeof changes> = []) => ({ id: g.id, displayName: g.displayName, type: 'Group', modifiedProperties: mods });
  const addMember = async (c: GraphContext, g: Group, obj: DirectoryObject) => {
    if (obj.id === g.id) throw new BadRequest('A group cannot be a member of itself.');
    if (!(await app.store.groups.addMember(g.tenantId, g.id, { id: obj.id, type: obj.type }))) {
      throw new BadRequest("One or more added object references already exist for the following modified properties: 'members'.");
    }
    await c.audit({
      category: 'GroupManagement', activity: 'Add member to group',
      targets: [{ id: obj.id, displayName: obj.displayName, type: obj.type === 'user' ? 'User' : obj.type === 'group' ? 'Group' : obj.type === 'device' ? 'Device' : 'ServicePrincipal', modifiedProperties: [modified('Group.ObjectID', null, g.id), modified('Group.DisplayName', null, g.displayName)] }, target(g)],
    });
  };

  r.route('GET', '/groups', 'directory.read', async (c) => listResponse(c, catalogues.group, (await app.store.groups.list(c.caller.tenant.id)).map(toGraphGroup)));

  r.route('GET', '/groups/:id', 'directory.read', async (c) => selectOne(c, catalogues.group, toGraphGroup(await find(c))));

  r.route('POST', '/groups', 'groups.write', async (c) => {
    const b = parseBody(createSchema, jsonBody(c), 'group', READ_ONLY);
    const members: DirectoryObject[] = [];
    for (const ref of b['members@odata.bind'] ?? []) members.push(await requireDirectoryObject(app, c.caller.tenant.id, refId({ '@odata.id': ref })));
    const g: Group = { id: newId(), tenantId: c.caller.tenant.id, displayName: b.displayName, description: b.description ?? null, mailNickname: b.mailNickname, securityEnabled: b.securityEnabled, mailEnabled: false, createdAt: Date.now() };
    await app.store.groups.create(g);
    await c.audit({ category: 'GroupManagement', activity: 'Add group', targets: [target(g, [modified('DisplayName', null, g.displayName), modified('MailNickname', null, g.mailNickname), modified('SecurityEnabled', null, g.securityEnabled)])] });
    for (const m of members) await addMember(c, g, m);
    app.directory.invalidate();
    return { status: 201, body: { '@odata.context': entityContext(c, 'groups'), ...toGraphGroup(g) } };
  });

  r.route('PATCH', '/groups/:id', 'groups.write', async (c) => {
    const g = await find(c);
    const b = parseBody(patchSchema, jsonBody(c), 'group', READ_ONLY);
    const next: Group = { ...g };
    if (b.displayName !== undefined) next.displayName = b.displayName;
    if (b.description !== undefined) next.description = b.description;
    if (b.mailNickname !== undefined) next.mailNickname = b.mailNickname;
    if (b.securityEnabled !== undefined) next.securityEnabled = b.securityEnabled;
    await app.store.groups.update(next);
    await c.audit({ category: 'GroupManagement', activity: 'Update group', targets: [target(next, changes(toGraphGroup(g), b))] });
    app.directory.invalidate();
    return undefined;
  });

  r.route('DELETE', '/groups/:id', 'groups.write', async (c) => {
    const g = await find(c);
    await app.store.groups.delete(g.tenantId, g.id);
    await c.audit({ category: 'GroupManagement', activity: 'Delete group', targets: [target(g)] });
    app.directory.invalidate();
    return undefined;
  });

  r.route('GET', '/groups/:id/members', 'directory.read', async (c) => {
    const g = await find(c);
    return listResponse(c, catalogues.user, await memberObjects(app, g.tenantId, await app.store.groups.members(g.tenantId, g.id)), { entitySet: 'directoryObjects' });
  });

  r.route('POST', '/groups/:id/members/$ref', 'groups.write', async (c) => {
    const g = await find(c);
    const obj = await requireDirectoryObject(app, g.tenantId, refId(jsonBody(c)));
    await addMember(c, g, obj);
    app.directory.invalidate();
    return undefined;
  });

  r.route('DELETE', '/groups/:id/members/:member/$ref', 'groups.write', async (c) => {
    const g = await find(c);
    const id = c.params.member!.toLowerCase();
    if (!(await app.store.groups.removeMember(g.tenantId, g.id, id))) notFound(id);
    const obj = await requireDirectoryObject(app, g.tenantId, id).catch(() => undefined);
    await c.audit({
      category: 'GroupManagement', activity: 'Remove member from group',
      targets: [{ id, displayName: obj?.displayName ?? null, type: obj?.type === 'group' ? 'Group' : obj?.type === 'servicePrincipal' ? 'ServicePrincipal' : obj?.type === 'device' ? 'Device' : 'User', modifiedProperties: [modified('Group.ObjectID', g.id, null), modified('Group.DisplayName', g.displayName, null)] }, target(g)],
    });
    app.directory.invalidate();
    return undefined;
  });
}
