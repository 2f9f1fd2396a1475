/**
 * The contract every `PolicyRepository` must pass (DESIGN.md: "one contract test suite that
 * every implementation of an interface must pass"). The core runs it against its SQL stores:
 *   runPolicyRepositoryContract('sqlite', async () => openSqlitePolicyRepository(':memory:'))
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PolicyRepository } from './repository.ts';
import type { ConditionalAccessPolicy } from './schema/policy.ts';
import type { NamedLocation } from './schema/named-location.ts';
import { policySchema } from './schema/policy.ts';
import { namedLocationSchema } from './schema/named-location.ts';

export function samplePolicy(displayName = 'Require MFA'): ConditionalAccessPolicy {
  return policySchema.parse({
    displayName,
    state: 'enabled',
    conditions: { users: { includeUsers: ['All'] }, applications: { includeApplications: ['All'] }, clientAppTypes: ['all'] },
    grantControls: { operator: 'OR', builtInControls: ['mfa'] },
  });
}

export function sampleLocation(displayName = 'HQ'): NamedLocation {
  return namedLocationSchema.parse({ '@odata.type': '#microsoft.graph.ipNamedLocation', displayName, isTrusted: true, ipRanges: [{ cidrAddress: '192.0.2.0/24' }] });
}

export function runPolicyRepositoryContract(name: string, factory: () => PolicyRepository | Promise<PolicyRepository>): void {
  describe(`PolicyRepository contract: ${name}`, () => {
    it('creates policies with fresh ids and timestamps, and reads them back', async () => {
      const repo = await factory();
      const a = await repo.createPolicy({ ...samplePolicy('A'), id: 'ignored' });
      const b = await repo.createPolicy(samplePolicy('B'));
      assert.notEqual(a.id, 'ignored');
      assert.notEqual(a.id, b.id);
      assert.match(a.createdDateTime, /^\d{4}-\d\d-\d\dT/);
      assert.equal(a.createdDateTime, a.modifiedDateTime);
      assert.deepEqual(await repo.getPolicy(a.id), a);
      assert.deepEqual((await repo.listPolicies()).map((p) => p.displayName).sort(), ['A', 'B']);
      assert.equal(await repo.getPolicy('missing'), null);
    });

    it('updates replace the policy, keep id and createdDateTime, and miss on unknown ids', async () => {
      const repo = await factory();
      const a = await repo.createPolicy(samplePolicy('A'));
      const u = await repo.updatePolicy(a.id, { ...samplePolicy('A2'), state: 'disabled' });
      assert.ok(u);
      assert.equal(u.id, a.id);
      assert.equal(u.createdDateTime, a.createdDateTime);
      assert.equal(u.displayName, 'A2');
      assert.equal((await repo.getPolicy(a.id))?.state, 'disabled');
      assert.equal(await repo.updatePolicy('missing', samplePolicy()), null);
    });

    it('soft-deletes policies to deletedItems and restores them', async () => {
      const repo = await factory();
      const a = await repo.createPolicy(samplePolicy('A'));
      assert.equal(await repo.deletePolicy(a.id), true);
      assert.equal(await repo.deletePolicy(a.id), false);
      assert.equal(await repo.getPolicy(a.id), null);
      const deleted = await repo.listDeletedPolicies();
      assert.equal(deleted.length, 1);
      assert.equal(deleted[0]!.id, a.id);
      assert.ok(deleted[0]!.deletedDateTime);
      assert.equal(await repo.updatePolicy(a.id, samplePolicy()), null, 'a deleted policy cannot be updated');
      const r = await repo.restorePolicy(a.id);
      assert.equal(r?.displayName, 'A');
      assert.equal(r?.deletedDateTime ?? null, null);
      assert.equal((await repo.listDeletedPolicies()).length, 0);
      assert.equal(await repo.restorePolicy(a.id), null);
    });

    it('purges deleted policies for good', async () => {
      const repo = await factory();
      const a = await repo.createPolicy(samplePolicy('A'));
      await repo.deletePolicy(a.id);
      assert.equal(await repo.purgeDeletedPolicy(a.id), true);
      assert.equal(await repo.restorePolicy(a.id), null);
      assert.equal(await repo.purgeDeletedPolicy(a.id), false);
    });

    it('keeps named locations with full CRUD', async () => {
      const repo = await factory();
      const l = await repo.createNamedLocation(sampleLocation('HQ'));
      assert.deepEqual(await repo.getNamedLocation(l.id), l);
      const u = await repo.updateNamedLocation(l.id, { ...sampleLocation('HQ2') });
      assert.equal(u?.displayName, 'HQ2');
      assert.equal(u?.createdDateTime, l.createdDateTime);
      assert.equal((await repo.listNamedLocations()).length, 1);
      assert.equal(await repo.deleteNamedLocation(l.id), true);
      assert.equal(await repo.deleteNamedLocation(l.id), false);
      assert.equal(await repo.getNamedLocation(l.id), null);
      assert.equal(await repo.updateNamedLocation(l.id, sampleLocation()), null);
    });

    it('version() strictly increases on every mutation and only then', async () => {
      const repo = await factory();
      let v = await repo.version();
      const step = async (what: string, fn: () => Promise<unknown>) => {
        await fn();
        const nv = await repo.version();
        assert.ok(nv > v, `version must increase after ${what}`);
        v = nv;
      };
      const p = await repo.createPolicy(samplePolicy());
      assert.ok((await repo.version()) > v);
      v = await repo.version();
      await repo.listPolicies();
      await repo.getPolicy(p.id);
      assert.equal(await repo.version(), v, 'reads do not change the version');
      await step('updatePolicy', () => repo.updatePolicy(p.id, samplePolicy('x')));
      await step('deletePolicy', () => repo.deletePolicy(p.id));
      await step('restorePolicy', () => repo.restorePolicy(p.id));
      const l = await repo.createNamedLocation(sampleLocation());
      v = await repo.version();
      await step('updateNamedLocation', () => repo.updateNamedLocation(l.id, sampleLocation('y')));
      await step('deleteNamedLocation', () => repo.deleteNamedLocation(l.id));
    });

    it('returns copies, never live state', async () => {
      const repo = await factory();
      const a = await repo.createPolicy(samplePolicy('A'));
      a.displayName = 'mutated';
      (await repo.getPolicy(a.id))!.conditions.users!.includeUsers.push('x');
      const again = await repo.getPolicy(a.id);
      assert.equal(again?.displayName, 'A');
      assert.deepEqual(again?.conditions.users?.includeUsers, ['All']);
    });

    it('survives concurrent creates without losing any', async () => {
      const repo = await factory();
      const made = await Promise.all(Array.from({ length: 20 }, (_, i) => repo.createPolicy(samplePolicy(`P${i}`))));
      assert.equal(new Set(made.map((p) => p.id)).size, 20);
      assert.equal((await repo.listPolicies()).length, 20);
    });
  });
}
