/**
 * `/identity/conditionalAccess/…` on the Graph router: policies, deleted policies, named locations
 * (the policy engine's handlers, persisted per tenant) and What If (`evaluate`). Every change
 * writes its audit record first and then drops this node's compiled snapshot; other nodes notice
 * the version change within a second.
 */
import type { GraphContext, GraphRouter } from './route.ts';
import { jsonBody } from './route.ts';
import * as h from '../policy/graph-handlers.ts';
import { whatIf } from '../policy/what-if.ts';
import { serviceRoot } from './odata/index.ts';

const base = '/identity/conditionalAccess';

function deps(c: GraphContext): h.PolicyHandlerDeps {
  return {
    repo: c.app.store.policies(c.caller.tenant.id),
    serviceRoot: serviceRoot(c.url).replace(/\/$/, ''),
    audit: async (activity, target) => {
      await c.audit({ category: 'Policy', activity, targets: [{ id: target.id, displayName: target.displayName, type: target.type, modifiedProperties: target.modifiedProperties }] });
      c.app.policies.invalidate(c.caller.tenant.id);
    },
  };
}

async function answer(p: Promise<h.GraphResponse>): Promise<Record<string, unknown> | { status: 200 | 201; body: Record<string, unknown> } | undefined> {
  const r = await p;
  if (r.status === 204) return undefined;
  return { status: r.status, body: r.body ?? {} };
}

export function registerConditionalAccess(r: GraphRouter): void {
  r.route('GET', `${base}/policies`, 'policies.read', (c) => answer(h.listPolicies(deps(c))));
  r.route('POST', `${base}/policies`, 'policies.write', (c) => answer(h.createPolicy(deps(c), jsonBody(c))));
  r.route('GET', `${base}/policies/:id`, 'policies.read', (c) => answer(h.getPolicy(deps(c), c.params.id)));
  r.route('PATCH', `${base}/policies/:id`, 'policies.write', (c) => answer(h.patchPolicy(deps(c), c.params.id, jsonBody(c))));
  r.route('DELETE', `${base}/policies/:id`, 'policies.write', (c) => answer(h.deletePolicy(deps(c), c.params.id)));
  r.route('GET', `${base}/deletedItems/policies`, 'policies.read', (c) => answer(h.listDeletedPolicies(deps(c))));
  r.route('POST', `${base}/deletedItems/policies/:id/restore`, 'policies.write', (c) => answer(h.restorePolicy(deps(c), c.params.id)));
  r.route('GET', `${base}/namedLocations`, 'policies.read', (c) => answer(h.listNamedLocations(deps(c))));
  r.route('POST', `${base}/namedLocations`, 'policies.write', (c) => answer(h.createNamedLocation(deps(c), jsonBody(c))));
  r.route('GET', `${base}/namedLocations/:id`, 'policies.read', (c) => answer(h.getNamedLocation(deps(c), c.params.id)));
  r.route('PATCH', `${base}/namedLocations/:id`, 'policies.write', (c) => answer(h.patchNamedLocation(deps(c), c.params.id, jsonBody(c))));
  r.route('DELETE', `${base}/namedLocations/:id`, 'policies.write', (c) => answer(h.deleteNamedLocation(deps(c), c.params.id)));
  r.route('POST', `${base}/evaluate`, 'policies.read', async (c) => {
    const tenantId = c.caller.tenant.id;
    const snapshot = await c.app.policies.snapshot(tenantId);
    return whatIf(snapshot, jsonBody(c), {
      user: async (id) => {
        const u = await c.app.store.users.get(tenantId, id);
        if (!u) return null;
        return { groupIds: await c.app.store.groups.transitiveGroupIds(tenantId, id), roleTemplateIds: await c.app.store.roles.rolesOf(tenantId, id), userType: u.userType === 'Guest' ? 'guest' : 'member' };
      },
      servicePrincipal: async (id) => {
        const sp = await c.app.store.servicePrincipals.get(tenantId, id);
        return sp ? { appId: sp.appId, isSingleTenantInMyTenant: true } : null;
      },
    });
  });
}
