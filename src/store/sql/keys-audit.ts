import type { Selectable } from 'kysely';
import type { Database } from '../schema.ts';
import type { AuditEvent, AuditStore, SigningKey, SigningKeyStore } from '../types.ts';
import { json, nnum, num, page, type Db } from './common.ts';

const keyRow = (r: Selectable<Database['signing_keys']>): SigningKey => ({
  kid: r.kid, alg: r.alg, publicJwk: json(r.public_jwk, {}), privateSealed: r.private_sealed,
  createdAt: num(r.created_at), activatedAt: num(r.activated_at), retiredAt: nnum(r.retired_at),
});

export function signingKeyStore(db: Db): SigningKeyStore {
  return {
    async add(k) {
      await db.insertInto('signing_keys').values({ kid: k.kid, alg: k.alg, public_jwk: JSON.stringify(k.publicJwk), private_sealed: k.privateSealed, created_at: k.createdAt, activated_at: k.activatedAt, retired_at: k.retiredAt }).execute();
    },
    async list() {
      return (await db.selectFrom('signing_keys').selectAll().orderBy('activated_at').execute()).map(keyRow);
    },
    async retire(kid, at) {
      await db.updateTable('signing_keys').set({ retired_at: at }).where('kid', '=', kid).where('retired_at', 'is', null).execute();
    },
    async delete(kid) {
      await db.deleteFrom('signing_keys').where('kid', '=', kid).execute();
    },
  };
}

const auditRow = (r: Selectable<Database['audit_events']>): AuditEvent => ({
  id: r.id, tenantId: r.tenant_id, activityAt: num(r.activity_at), category: r.category, activity: r.activity,
  result: r.result === 'failure' ? 'failure' : 'success', initiatedBy: json(r.initiated_by, {}),
  targetResources: json(r.target_resources, []), additionalDetails: json(r.additional_details, []), correlationId: r.correlation_id,
});

export function auditStore(db: Db): AuditStore {
  return {
    async append(e) {
      await db.insertInto('audit_events').values({
        id: e.id, tenant_id: e.tenantId, activity_at: e.activityAt, category: e.category, activity: e.activity, result: e.result,
        initiated_by: JSON.stringify(e.initiatedBy), target_resources: JSON.stringify(e.targetResources),
        additional_details: JSON.stringify(e.additionalDetails), correlation_id: e.correlationId,
      }).execute();
    },
    async list(tenantId, opts) {
      let q = db.selectFrom('audit_events').selectAll().where('tenant_id', '=', tenantId);
      if (opts?.since !== undefined) q = q.where('activity_at', '>=', opts.since);
      return (await page(q.orderBy('activity_at', 'desc').orderBy('seq', 'desc'), opts).execute()).map(auditRow);
    },
    async get(tenantId, id) {
      const r = await db.selectFrom('audit_events').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return r && auditRow(r);
    },
  };
}
