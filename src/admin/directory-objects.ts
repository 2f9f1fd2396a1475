/**
 * Directory objects referenced by `@odata.id` (`members/$ref` bodies) and their short Graph shapes
 * in membership listings.
 */
import { z } from 'zod';
import type { App } from '../app/app.ts';
import { BadRequest } from '../errors/graph.ts';
import type { Member, MemberType } from '../store/types.ts';
import { notFound } from './route.ts';
import { parseBody } from './validate.ts';

export interface DirectoryObject { id: string; type: MemberType; displayName: string; graph: Record<string, unknown> }

const refSchema = z.object({ '@odata.id': z.string().max(2048) });

/** The object id named by a `{ "@odata.id": "https://…/v1.0/directoryObjects/{id}" }` body. */
export function refId(body: Record<string, unknown>): string {
  const ref = parseBody(refSchema, { ...body }, 'directoryObject');
  const m = /\/(?:directoryObjects|users|groups|servicePrincipals|devices)\/([0-9a-fA-F-]{36})$/.exec(ref['@odata.id']) ?? /^([0-9a-fA-F-]{36})$/.exec(ref['@odata.id']);
  if (!m) throw new BadRequest("Invalid URL format specified in @odata.id: expected '…/directoryObjects/{id}'.");
  return m[1]!.toLowerCase();
}

/** Finds a user, group, service principal or device by object id. */
export async function findDirectoryObject(app: App, tenantId: string, id: string): Promise<DirectoryObject | undefined> {
  const u = await app.store.users.get(tenantId, id);
  if (u) return { id, type: 'user', displayName: u.displayName, graph: { '@odata.type': '#microsoft.graph.user', id, displayName: u.displayName, userPrincipalName: u.userPrincipalName, accountEnabled: u.accountEnabled } };
  const sp = await app.store.servicePrincipals.get(tenantId, id);
  if (sp) return { id, type: 'servicePrincipal', displayName: sp.displayName, graph: { '@odata.type': '#microsoft.graph.servicePrincipal', id, appId: sp.appId, displayName: sp.displayName, accountEnabled: sp.accountEnabled } };
  const g = await app.store.groups.get(tenantId, id);
  if (g) return { id, type: 'group', displayName: g.displayName, graph: { '@odata.type': '#microsoft.graph.group', id, displayName: g.displayName, description: g.description, securityEnabled: g.securityEnabled, mailEnabled: g.mailEnabled } };
  const d = await app.store.devices.get(tenantId, id);
  if (d) return { id, type: 'device', displayName: d.displayName, graph: { '@odata.type': '#microsoft.graph.device', id, deviceId: d.deviceId, displayName: d.displayName, accountEnabled: d.accountEnabled } };
  return undefined;
}

export async function requireDirectoryObject(app: App, tenantId: string, id: string): Promise<DirectoryObject> {
  return (await findDirectoryObject(app, tenantId, id)) ?? notFound(id);
}

/** Graph shapes of members, skipping any that were deleted since. */
export async function memberObjects(app: App, tenantId: string, members: readonly Pick<Member, 'id'>[]): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for (const m of members) {
    const o = await findDirectoryObject(app, tenantId, m.id);
    if (o) out.push(o.graph);
  }
  return out;
}
