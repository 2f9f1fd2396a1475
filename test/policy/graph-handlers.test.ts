import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryPolicyRepository } from '../../src/policy/repository.ts';
import * as h from '../../src/policy/graph-handlers.ts';
import { isGraphError } from '../../src/errors/graph.ts';

function setup() {
  const audits: Array<{ activity: string; target: h.AuditTarget }> = [];
  const deps: h.PolicyHandlerDeps = { repo: new MemoryPolicyRepository(), audit: (activity, target) => { audits.push({ activity, target }); }, serviceRoot: 'https://tessera.test/beta' };
  return { deps, audits };
}

const body = {
  displayName: 'Block legacy auth', state: 'enabled',
  conditions: { users: { includeUsers: ['All'] }, applications: { includeApplications: ['All'] }, clientAppTypes: ['exchangeActiveSync', 'other'] },
  grantControls: { operator: 'OR', builtInControls: ['block'] },
};

async function graphError(p: Promise<unknown>, status: number, message: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => isGraphError(e) && e.status === status && message.test(e.message));
}

describe('Graph handlers: policies', () => {
  it('create, get, list, patch, delete, restore — each change audited', async () => {
    const { deps, audits } = setup();
    const created = await h.createPolicy(deps, { ...body, id: 'chosen-by-client', '@odata.type': '#microsoft.graph.conditionalAccessPolicy' });
    assert.equal(created.status, 201);
    const id = created.body!.id as string;
    assert.notEqual(id, 'chosen-by-client');
    assert.equal(created.body!['@odata.context'], 'https://tessera.test/beta/$metadata#identity/conditionalAccess/policies/$entity');
    assert.equal((await h.getPolicy(deps, id)).body!.displayName, 'Block legacy auth');
    assert.equal(((await h.listPolicies(deps)).body!.value as unknown[]).length, 1);

    assert.equal((await h.patchPolicy(deps, id, { state: 'enabledForReportingButNotEnforced', conditions: { clientAppTypes: ['other'] } })).status, 204);
    const after = (await h.getPolicy(deps, id)).body!;
    assert.equal(after.state, 'enabledForReportingButNotEnforced');
    assert.deepEqual((after.conditions as { clientAppTypes: string[] }).clientAppTypes, ['other']);
    assert.deepEqual((after.conditions as { users: { includeUsers: string[] } }).users.includeUsers, ['All'], 'PATCH merges nested objects');

    assert.equal((await h.deletePolicy(deps, id)).status, 204);
    await graphError(h.getPolicy(deps, id), 404, /Could not find/);
    assert.equal(((await h.listDeletedPolicies(deps)).body!.value as unknown[]).length, 1);
    assert.equal((await h.restorePolicy(deps, id)).body!.id, id);
    assert.deepEqual(audits.map((a) => a.activity), ['Add conditional access policy', 'Update conditional access policy', 'Delete conditional access policy', 'Restore conditional access policy']);
    assert.deepEqual(audits[1]!.target.modifiedProperties.map((m) => m.displayName).sort(), ['conditions', 'state']);
  });

  it('answers garbage with a clear Graph error and stores nothing', async () => {
    const { deps, audits } = setup();
    for (const bad of [null, 'policy', 42, [], [body], undefined]) await graphError(h.createPolicy(deps, bad), 400, /must be a JSON object/);
    await graphError(h.createPolicy(deps, { ...body, state: 'sometimes' }), 400, /state: 'sometimes' is not one of/);
    await graphError(h.createPolicy(deps, { ...body, displayName: '' }), 400, /displayName/);
    await graphError(h.createPolicy(deps, { ...body, conditions: 'all' }), 400, /conditions/);
    await graphError(h.createPolicy(deps, { ...body, conditions: { ...body.conditions, devices: { deviceFilter: { mode: 'exclude', rule: 'device.trustType == "x"' } } } }), 400, /deviceFilter\.rule/);
    await graphError(h.createPolicy(deps, { '@odata.type': '#microsoft.graph.ipNamedLocation', displayName: 'x', isTrusted: false, ipRanges: [] }), 400, /named location, not a conditional access policy/);
    await graphError(h.getPolicy(deps, ''), 400, /identifier/);
    await graphError(h.getPolicy(deps, { id: 1 }), 400, /identifier/);
    await graphError(h.patchPolicy(deps, 'nope', { state: 'enabled' }), 404, /Could not find/);
    await graphError(h.deletePolicy(deps, 'nope'), 404, /Could not find/);
    await graphError(h.restorePolicy(deps, 'nope'), 404, /deleted/);
    const created = await h.createPolicy(deps, body);
    await graphError(h.patchPolicy(deps, created.body!.id, 'x'), 400, /JSON object/);
    await graphError(h.patchPolicy(deps, created.body!.id, { grantControls: { operator: 'MAYBE' } }), 400, /grantControls\.operator/);
    assert.equal(((await h.listPolicies(deps)).body!.value as unknown[]).length, 1);
    assert.equal(audits.length, 1);
  });
});

describe('Graph handlers: named locations', () => {
  const ip = { '@odata.type': '#microsoft.graph.ipNamedLocation', displayName: 'HQ', isTrusted: true, ipRanges: [{ '@odata.type': '#microsoft.graph.iPv4CidrRange', cidrAddress: '198.51.100.0/24' }] };

  it('CRUD, with trusted and in-use locations protected from deletion', async () => {
    const { deps, audits } = setup();
    const c = await h.createNamedLocation(deps, ip);
    const id = c.body!.id as string;
    await graphError(h.deleteNamedLocation(deps, id), 400, /trusted/);
    await h.patchNamedLocation(deps, id, { isTrusted: false });
    const policy = await h.createPolicy(deps, { ...body, conditions: { ...body.conditions, locations: { includeLocations: [id] } } });
    await graphError(h.deleteNamedLocation(deps, id), 400, /used by the conditional access policy/);
    await h.deletePolicy(deps, policy.body!.id);
    assert.equal((await h.deleteNamedLocation(deps, id)).status, 204);
    await graphError(h.getNamedLocation(deps, id), 404, /named location/);
    assert.deepEqual(audits.filter((a) => a.target.type === 'NamedLocation').map((a) => a.activity), ['Add named location', 'Update named location', 'Delete named location']);
  });

  it('rejects bad ranges, subtype changes and garbage', async () => {
    const { deps } = setup();
    await graphError(h.createNamedLocation(deps, { ...ip, ipRanges: [{ cidrAddress: '300.1.1.1/24' }] }), 400, /ipRanges\.0: '300\.1\.1\.1' is not an IP address/);
    await graphError(h.createNamedLocation(deps, body), 400, /conditional access policy, not a named location/);
    await graphError(h.createNamedLocation(deps, 'x'), 400, /JSON object/);
    const c = await h.createNamedLocation(deps, ip);
    await graphError(h.patchNamedLocation(deps, c.body!.id, { '@odata.type': '#microsoft.graph.countryNamedLocation' }), 400, /cannot change/);
    await graphError(h.patchNamedLocation(deps, c.body!.id, { ipRanges: 'everything' }), 400, /ipRanges/);
  });
});
