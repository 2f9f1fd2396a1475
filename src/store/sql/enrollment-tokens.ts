import type { Selectable } from 'kysely';
import type { Database } from '../schema.ts';
import type { EnrollmentTokenRecord, EnrollmentTokenStore } from '../types.ts';
import { deleteExpiredInBatches, insertOrConflict, json, nnum, num, page, type Db } from './common.ts';

interface GrantSummary { trustType: string; profileType: string | null; systemLabels: string[]; enrollmentProfileName: string | null }

const row = (r: Selectable<Database['enrollment_tokens']>): EnrollmentTokenRecord => {
  const g = json<GrantSummary>(r.grant_summary, { trustType: 'AzureAd', profileType: null, systemLabels: [], enrollmentProfileName: null });
  return {
    id: r.id, tenantId: r.tenant_id, issuedBy: r.issued_by, createdAt: num(r.created_at), expiresAt: num(r.expires_at),
    trustType: g.trustType, profileType: g.profileType, systemLabels: g.systemLabels, enrollmentProfileName: g.enrollmentProfileName,
    maxUses: nnum(r.max_uses), usageCount: num(r.use_count), lastUsedAt: nnum(r.last_used_at), revokedAt: nnum(r.revoked_at), revokedBy: r.revoked_by,
  };
};

export function enrollmentTokenStore(db: Db): EnrollmentTokenStore {
  const get = async (tenantId: string, id: string) => {
    const r = await db.selectFrom('enrollment_tokens').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    return r && row(r);
  };
  return {
    async create(t) {
      const summary: GrantSummary = { trustType: t.trustType, profileType: t.profileType, systemLabels: t.systemLabels, enrollmentProfileName: t.enrollmentProfileName };
      await insertOrConflict(`enrollment token ${t.id}`, () => db.insertInto('enrollment_tokens').values({
        id: t.id, tenant_id: t.tenantId, issued_by: t.issuedBy, created_at: t.createdAt, expires_at: t.expiresAt, grant_summary: JSON.stringify(summary),
        max_uses: t.maxUses, use_count: t.usageCount, last_used_at: t.lastUsedAt, revoked_at: t.revokedAt, revoked_by: t.revokedBy,
      }).execute());
    },
    get,
    async list(tenantId, opts) {
      const q = db.selectFrom('enrollment_tokens').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at', 'desc').orderBy('id', 'desc');
      return (await page(q, opts).execute()).map(row);
    },
    async use(tenantId, id, now) {
      // One conditional UPDATE is the arbiter (SQLite serialises writers; PostgreSQL re-checks the
      // WHERE on the locked row), so concurrent registrations cannot exceed max_uses.
      const r = await db.updateTable('enrollment_tokens')
        .set((eb) => ({ use_count: eb('use_count', '+', 1), last_used_at: now }))
        .where('tenant_id', '=', tenantId).where('id', '=', id).where('revoked_at', 'is', null).where('expires_at', '>', now)
        .where((eb) => eb.or([eb('max_uses', 'is', null), eb('use_count', '<', eb.ref('max_uses'))]))
        .executeTakeFirst();
      if (r.numUpdatedRows > 0n) return 'used';
      const cur = await get(tenantId, id);
      if (!cur) return 'unknown';
      if (cur.revokedAt !== null) return 'revoked';
      if (cur.expiresAt <= now) return 'expired';
      return 'exhausted';
    },
    async revoke(tenantId, id, by, now) {
      const r = await db.updateTable('enrollment_tokens').set({ revoked_at: now, revoked_by: by })
        .where('tenant_id', '=', tenantId).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
      return r.numUpdatedRows > 0n;
    },
    deleteExpired: (before, opts) => deleteExpiredInBatches(db, 'enrollment_tokens', 'id', before, opts?.batchSize),
  };
}
