/**
 * The contract every RiskRepository implementation must pass (docs/STYLE.md "one contract test suite").
 *   runRiskRepositoryContract('memory', () => createMemoryRiskRepository());
 *   runRiskRepositoryContract('sqlite', async () => openSqliteRiskRepository(tmp()));   // the core's
 * Each test gets a fresh repository from `factory`.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildRiskDetection, buildServicePrincipalRiskDetection } from './model/build.ts';
import type { RiskyServicePrincipal, RiskyUser } from './model/records.ts';
import type { RiskRepository } from './repository.ts';
import type { DetectionLevel } from './types.ts';

const T0 = Date.UTC(2026, 0, 10, 12);
const user = { id: 'u1', userPrincipalName: 'ana@contoso.example', displayName: 'Ana' };
const other = { id: 'u2', userPrincipalName: 'bo@contoso.example' };
const sp = { id: 'sp1', appId: 'app1', displayName: 'Billing worker' };

function det(id: string, u: typeof user | typeof other, minutes: number, level: DetectionLevel = 'medium', type = 'unfamiliarFeatures', requestId?: string) {
  return buildRiskDetection(u, {
    riskEventType: type, level, timing: 'realtime', activity: 'signin', activityTime: T0 + minutes * 60_000,
    detectedTime: T0 + minutes * 60_000, ...(requestId ? { requestId } : {}), ip: '203.0.113.9',
  }, id);
}

function spDet(id: string, minutes: number) {
  return buildServicePrincipalRiskDetection(sp, {
    riskEventType: 'suspiciousSignins', level: 'high', timing: 'offline', activity: 'servicePrincipal',
    activityTime: T0 + minutes * 60_000, detectedTime: T0 + minutes * 60_000, keyIds: ['k1'],
  }, id);
}

function riskyUser(level: RiskyUser['riskLevel'], minutes: number, id = user.id): RiskyUser {
  return {
    id, isDeleted: false, isProcessing: false, riskLevel: level, riskState: level === 'none' ? 'dismissed' : 'atRisk',
    riskDetail: 'none', riskLastUpdatedDateTime: new Date(T0 + minutes * 60_000).toISOString(), userDisplayName: 'Ana', userPrincipalName: 'ana@contoso.example',
  };
}

function riskySp(level: RiskyServicePrincipal['riskLevel'], minutes: number): RiskyServicePrincipal {
  return {
    id: sp.id, appId: sp.appId, displayName: sp.displayName, servicePrincipalType: 'Application', accountEnabled: true, isEnabled: true,
    isProcessing: false, riskLevel: level, riskState: 'atRisk', riskDetail: 'none', riskLastUpdatedDateTime: new Date(T0 + minutes * 60_000).toISOString(),
  };
}

export function runRiskRepositoryContract(name: string, factory: () => RiskRepository | Promise<RiskRepository>): void {
  describe(`RiskRepository contract: ${name}`, () => {
    test('adding a detection twice keeps one copy; reads are copies', async () => {
      const repo = await factory();
      const d = det('d1', user, 1);
      await repo.addDetections([d]);
      await repo.addDetections([{ ...d, riskLevel: 'high' }]);
      const all = await repo.listDetections();
      assert.equal(all.length, 1);
      assert.equal(all[0]!.riskLevel, 'medium', 'the first write wins; a retried write does not overwrite');
      all[0]!.riskLevel = 'low';
      assert.equal((await repo.getDetection('d1'))!.riskLevel, 'medium');
      assert.equal(await repo.getDetection('nope'), undefined);
    });

    test('detections list newest first and filter by user, state, level, type, request, since, limit', async () => {
      const repo = await factory();
      await repo.addDetections([det('a', user, 1, 'low'), det('b', user, 3, 'high', 'anomalousToken', 'r-b'), det('c', other, 2), det('d', user, 3)]);
      assert.deepEqual((await repo.listDetections()).map((d) => d.id), ['b', 'd', 'c', 'a'], 'ties on time are ordered by id');
      assert.deepEqual((await repo.listDetections({ userId: 'u1' })).map((d) => d.id), ['b', 'd', 'a']);
      assert.deepEqual((await repo.listDetections({ riskLevel: 'high' })).map((d) => d.id), ['b']);
      assert.deepEqual((await repo.listDetections({ riskEventType: 'anomalousToken' })).map((d) => d.id), ['b']);
      assert.deepEqual((await repo.listDetections({ requestId: 'r-b' })).map((d) => d.id), ['b']);
      assert.deepEqual((await repo.listDetections({ since: new Date(T0 + 2 * 60_000).toISOString() })).map((d) => d.id), ['b', 'd', 'c']);
      assert.deepEqual((await repo.listDetections({ limit: 2 })).map((d) => d.id), ['b', 'd']);
      assert.deepEqual(await repo.listDetections({ riskState: 'dismissed' }), []);
    });

    test('updating detection states touches only the user and the listed states', async () => {
      const repo = await factory();
      await repo.addDetections([det('a', user, 1), det('b', user, 2), det('c', other, 3)]);
      const patch = { riskState: 'dismissed' as const, riskDetail: 'adminDismissedAllRiskForUser' as const, lastUpdatedDateTime: new Date(T0 + 3_600_000).toISOString() };
      assert.equal(await repo.updateUserDetectionStates('u1', ['atRisk'], patch), 2);
      assert.equal(await repo.updateUserDetectionStates('u1', ['atRisk'], patch), 0, 'already dismissed');
      const a = (await repo.getDetection('a'))!;
      assert.equal(a.riskState, 'dismissed');
      assert.equal(a.riskDetail, 'adminDismissedAllRiskForUser');
      assert.equal(a.lastUpdatedDateTime, patch.lastUpdatedDateTime);
      assert.equal((await repo.getDetection('c'))!.riskState, 'atRisk');
    });

    test('risky users: the record and its history are written together; history keeps every change', async () => {
      const repo = await factory();
      const h = (u: RiskyUser) => ({ ...u, userId: u.id, initiatedBy: null, activity: { detail: u.riskDetail, riskEventTypes: ['unfamiliarFeatures'], eventTypes: [] } });
      await repo.putRiskyUser(riskyUser('low', 1), h(riskyUser('low', 1)));
      await repo.putRiskyUser(riskyUser('high', 2), h(riskyUser('high', 2)));
      await repo.putRiskyUser(riskyUser('medium', 5, 'u2'), h(riskyUser('medium', 5, 'u2')));
      assert.equal((await repo.getRiskyUser('u1'))!.riskLevel, 'high');
      assert.deepEqual((await repo.listRiskyUserHistory('u1')).map((x) => x.riskLevel), ['high', 'low'], 'newest first');
      assert.deepEqual((await repo.listRiskyUsers()).map((u) => u.id), ['u2', 'u1']);
      assert.deepEqual((await repo.listRiskyUsers({ riskLevel: 'high' })).map((u) => u.id), ['u1']);
      assert.deepEqual(await repo.listRiskyUsers({ riskState: 'confirmedCompromised' }), []);
      assert.deepEqual(await repo.listRiskyUserHistory('nobody'), []);
      assert.equal(await repo.getRiskyUser('nobody'), undefined);
      await repo.putRiskyUser(riskyUser('medium', 2), h(riskyUser('medium', 2)));
      assert.deepEqual((await repo.listRiskyUserHistory('u1')).map((x) => x.riskLevel), ['medium', 'high', 'low'], 'equal times: last written first');
    });

    test('concurrent writes to one risky user: one record, every history item kept', async () => {
      const repo = await factory();
      const levels = ['low', 'medium', 'high', 'low', 'medium', 'high', 'low', 'medium'] as const;
      await Promise.all(levels.map((l, i) => {
        const u = riskyUser(l, 10 + i);
        return repo.putRiskyUser(u, { ...u, userId: u.id, initiatedBy: null, activity: { detail: 'none', riskEventTypes: [], eventTypes: [] } });
      }));
      assert.equal((await repo.listRiskyUserHistory('u1')).length, levels.length);
      assert.equal((await repo.listRiskyUsers()).length, 1);
    });

    test('service principal detections and risky service principals', async () => {
      const repo = await factory();
      await repo.addServicePrincipalDetections([spDet('s1', 1), spDet('s2', 2), spDet('s1', 9)]);
      const list = await repo.listServicePrincipalDetections({ servicePrincipalId: 'sp1' });
      assert.deepEqual(list.map((d) => d.id), ['s2', 's1']);
      assert.deepEqual(list[0]!.keyIds, ['k1']);
      assert.equal((await repo.getServicePrincipalDetection('s2'))!.servicePrincipalId, 'sp1');
      assert.equal(await repo.updateServicePrincipalDetectionStates('sp1', ['atRisk'], { riskState: 'confirmedCompromised', riskDetail: 'adminConfirmedServicePrincipalCompromised', lastUpdatedDateTime: new Date(T0).toISOString() }), 2);
      assert.deepEqual(await repo.listServicePrincipalDetections({ riskState: 'atRisk' }), []);
      const r = riskySp('high', 3);
      await repo.putRiskyServicePrincipal(r, { ...r, servicePrincipalId: r.id, initiatedBy: 'admin1', activity: { detail: 'none', riskEventTypes: ['suspiciousSignins'] } });
      assert.equal((await repo.getRiskyServicePrincipal('sp1'))!.riskLevel, 'high');
      assert.equal((await repo.listRiskyServicePrincipalHistory('sp1'))[0]!.initiatedBy, 'admin1');
      assert.deepEqual((await repo.listRiskyServicePrincipals({ riskLevel: 'high' })).map((s) => s.id), ['sp1']);
      assert.deepEqual(await repo.listRiskyServicePrincipals({ riskLevel: 'low' }), []);
    });
  });
}
