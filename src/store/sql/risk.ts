/**
 * Identity protection records in the SQL stores, one `RiskRepository` per tenant (contract:
 * src/risk/repository.contract.ts). Records are kept as Graph JSON documents keyed by kind and
 * subject (user or service principal); filtering and ordering reuse the in-memory rules, so both
 * implementations answer alike. Fine for the volumes risk records have (detections, not sign-ins).
 */
import type { RiskRepository } from '../../risk/repository.ts';
import { byDetectedDesc, byUpdatedDesc, limitOf, matchDetection } from '../../risk/repository.ts';
import type { Db } from './common.ts';

type Kind = 'detection' | 'riskyUser' | 'riskyUserHistory' | 'spDetection' | 'riskySp' | 'riskySpHistory';

export function sqlRiskRepository(db: Db, tenantId: string): RiskRepository {
  const all = async <T>(kind: Kind, subject?: string, q: Db = db): Promise<T[]> => {
    let s = q.selectFrom('risk_documents').select('body').where('tenant_id', '=', tenantId).where('kind', '=', kind);
    if (subject !== undefined) s = s.where('subject_id', '=', subject);
    return (await s.orderBy('seq').execute()).map((r) => JSON.parse(r.body) as T);
  };
  const one = async <T>(kind: Kind, id: string): Promise<T | undefined> => {
    const r = await db.selectFrom('risk_documents').select('body').where('tenant_id', '=', tenantId).where('kind', '=', kind).where('id', '=', id).executeTakeFirst();
    return r ? (JSON.parse(r.body) as T) : undefined;
  };
  const insertNew = async (kind: Kind, items: readonly { id: string }[], subjectOf: (x: never) => string): Promise<void> => {
    for (const d of items) {
      // First write wins: a detection, once recorded, keeps its state changes.
      await db.insertInto('risk_documents').values({ tenant_id: tenantId, kind, id: d.id, subject_id: subjectOf(d as never), body: JSON.stringify(d) })
        .onConflict((oc) => oc.columns(['tenant_id', 'kind', 'id']).doNothing()).execute();
    }
  };
  const put = (kind: Kind, id: string, subject: string, body: unknown) =>
    db.insertInto('risk_documents').values({ tenant_id: tenantId, kind, id, subject_id: subject, body: JSON.stringify(body) })
      .onConflict((oc) => oc.columns(['tenant_id', 'kind', 'id']).doUpdateSet({ body: JSON.stringify(body) })).execute();
  const updateStates = (kind: Kind) => async (subject: string, from: readonly string[], patch: { riskState: string; riskDetail: string; lastUpdatedDateTime: string }): Promise<number> =>
    db.transaction().execute(async (tx) => {
      let n = 0;
      const rows = await tx.selectFrom('risk_documents').select(['id', 'body']).where('tenant_id', '=', tenantId).where('kind', '=', kind).where('subject_id', '=', subject).execute();
      for (const r of rows) {
        const d = JSON.parse(r.body) as { riskState: string; riskDetail: string; lastUpdatedDateTime: string };
        if (!from.includes(d.riskState)) continue;
        Object.assign(d, patch);
        await tx.updateTable('risk_documents').set({ body: JSON.stringify(d) }).where('tenant_id', '=', tenantId).where('kind', '=', kind).where('id', '=', r.id).execute();
        n++;
      }
      return n;
    });
  let historySeq = 0;

  return {
    addDetections: (items) => insertNew('detection', items, (d: { userId: string }) => d.userId),
    getDetection: (id) => one('detection', id),
    async listDetections(q = {}) {
      return limitOf((await all<never>('detection', q.userId)).filter((d) => matchDetection(d, q)).sort(byDetectedDesc), q.limit);
    },
    updateUserDetectionStates: updateStates('detection') as RiskRepository['updateUserDetectionStates'],
    getRiskyUser: (id) => one('riskyUser', id),
    async listRiskyUsers(q = {}) {
      const out = (await all<{ riskState: string; riskLevel: string; riskLastUpdatedDateTime: string; id: string }>('riskyUser')).filter((u) => (q.riskState === undefined || u.riskState === q.riskState) && (q.riskLevel === undefined || u.riskLevel === q.riskLevel));
      return limitOf(out.sort(byUpdatedDesc), q.limit) as never;
    },
    async putRiskyUser(user, history) {
      await put('riskyUser', user.id, user.id, user);
      await db.insertInto('risk_documents').values({ tenant_id: tenantId, kind: 'riskyUserHistory', id: `${history.id}:${Date.now()}:${historySeq++}`, subject_id: user.id, body: JSON.stringify(history) }).execute();
    },
    async listRiskyUserHistory(userId) {
      return (await all<never>('riskyUserHistory', userId)).reverse().sort(byUpdatedDesc);
    },
    addServicePrincipalDetections: (items) => insertNew('spDetection', items, (d: { servicePrincipalId: string }) => d.servicePrincipalId),
    getServicePrincipalDetection: (id) => one('spDetection', id),
    async listServicePrincipalDetections(q = {}) {
      return limitOf((await all<never>('spDetection', q.servicePrincipalId)).filter((d) => matchDetection(d, q)).sort(byDetectedDesc), q.limit);
    },
    updateServicePrincipalDetectionStates: updateStates('spDetection') as RiskRepository['updateServicePrincipalDetectionStates'],
    getRiskyServicePrincipal: (id) => one('riskySp', id),
    async listRiskyServicePrincipals(q = {}) {
      const out = (await all<{ riskState: string; riskLevel: string; riskLastUpdatedDateTime: string; id: string }>('riskySp')).filter((s) => (q.riskState === undefined || s.riskState === q.riskState) && (q.riskLevel === undefined || s.riskLevel === q.riskLevel));
      return limitOf(out.sort(byUpdatedDesc), q.limit) as never;
    },
    async putRiskyServicePrincipal(sp, history) {
      await put('riskySp', sp.id, sp.id, sp);
      await db.insertInto('risk_documents').values({ tenant_id: tenantId, kind: 'riskySpHistory', id: `${history.id}:${Date.now()}:${historySeq++}`, subject_id: sp.id, body: JSON.stringify(history) }).execute();
    },
    async listRiskyServicePrincipalHistory(spId) {
      return (await all<never>('riskySpHistory', spId)).reverse().sort(byUpdatedDesc);
    },
  };
}
