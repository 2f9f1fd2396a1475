/**
 * Conditional access policies and named locations in the SQL stores, one `PolicyRepository` per
 * tenant. Documents are kept as Graph JSON; a per-tenant version row, bumped in the same
 * transaction as every change, lets each node's compiled snapshot notice changes made elsewhere.
 */
import type { PolicyRepository, StoredNamedLocation, StoredPolicy } from '../../policy/repository.ts';
import type { ConditionalAccessPolicy } from '../../policy/schema/policy.ts';
import type { NamedLocation } from '../../policy/schema/named-location.ts';
import { newId } from '../../util/ids.ts';
import type { Db } from './common.ts';

type Kind = 'policy' | 'deletedPolicy' | 'namedLocation';

export function sqlPolicyRepository(db: Db, tenantId: string): PolicyRepository {
  const list = async <T>(kind: Kind): Promise<T[]> => {
    const rows = await db.selectFrom('ca_documents').select('body').where('tenant_id', '=', tenantId).where('kind', '=', kind).orderBy('created_at').orderBy('id').execute();
    return rows.map((r) => JSON.parse(r.body) as T);
  };
  // Reads inside a transaction must use the transaction's connection (SQLite has only one).
  const get = async <T>(kind: Kind, id: string, q: Db = db): Promise<T | null> => {
    const r = await q.selectFrom('ca_documents').select('body').where('tenant_id', '=', tenantId).where('kind', '=', kind).where('id', '=', id).executeTakeFirst();
    return r ? (JSON.parse(r.body) as T) : null;
  };
  /** Runs `fn` and bumps the version in one transaction when it reports a change. */
  const mutate = async <T>(fn: (tx: Db) => Promise<{ changed: boolean; value: T }>): Promise<T> => db.transaction().execute(async (tx) => {
    const r = await fn(tx);
    if (r.changed) {
      // One upsert, so concurrent first writers on PostgreSQL cannot both insert.
      await tx.insertInto('ca_versions').values({ tenant_id: tenantId, version: 1 })
        .onConflict((oc) => oc.column('tenant_id').doUpdateSet((eb) => ({ version: eb('ca_versions.version', '+', 1) }))).execute();
    }
    return r.value;
  });
  const put = (tx: Db, kind: Kind, id: string, body: unknown, at: number) =>
    tx.insertInto('ca_documents').values({ tenant_id: tenantId, kind, id, body: JSON.stringify(body), created_at: at }).execute();
  const replace = (tx: Db, kind: Kind, id: string, body: unknown) =>
    tx.updateTable('ca_documents').set({ body: JSON.stringify(body) }).where('tenant_id', '=', tenantId).where('kind', '=', kind).where('id', '=', id).executeTakeFirst();
  const nowIso = () => new Date().toISOString();

  return {
    listPolicies: () => list<StoredPolicy>('policy'),
    getPolicy: (id) => get<StoredPolicy>('policy', id),
    createPolicy: (policy: ConditionalAccessPolicy) => mutate(async (tx) => {
      const now = nowIso();
      const stored = { ...policy, id: newId(), createdDateTime: now, modifiedDateTime: now, deletedDateTime: null } as StoredPolicy;
      await put(tx, 'policy', stored.id, stored, Date.now());
      return { changed: true, value: stored };
    }),
    updatePolicy: (id, policy) => mutate(async (tx) => {
      const old = await get<StoredPolicy>('policy', id, tx);
      if (!old) return { changed: false, value: null };
      const stored = { ...policy, id, createdDateTime: old.createdDateTime, modifiedDateTime: nowIso(), deletedDateTime: null } as StoredPolicy;
      await replace(tx, 'policy', id, stored);
      return { changed: true, value: stored };
    }),
    deletePolicy: (id) => mutate(async (tx) => {
      const p = await get<StoredPolicy>('policy', id, tx);
      if (!p) return { changed: false, value: false };
      const r = await tx.updateTable('ca_documents').set({ kind: 'deletedPolicy', body: JSON.stringify({ ...p, deletedDateTime: nowIso() }) })
        .where('tenant_id', '=', tenantId).where('kind', '=', 'policy').where('id', '=', id).executeTakeFirst();
      return { changed: r.numUpdatedRows > 0n, value: r.numUpdatedRows > 0n };
    }),
    listDeletedPolicies: () => list<StoredPolicy>('deletedPolicy'),
    restorePolicy: (id) => mutate(async (tx) => {
      const p = await get<StoredPolicy>('deletedPolicy', id, tx);
      if (!p) return { changed: false, value: null };
      const restored = { ...p, deletedDateTime: null } as StoredPolicy;
      const r = await tx.updateTable('ca_documents').set({ kind: 'policy', body: JSON.stringify(restored) })
        .where('tenant_id', '=', tenantId).where('kind', '=', 'deletedPolicy').where('id', '=', id).executeTakeFirst();
      return r.numUpdatedRows > 0n ? { changed: true, value: restored } : { changed: false, value: null };
    }),
    purgeDeletedPolicy: (id) => mutate(async (tx) => {
      const r = await tx.deleteFrom('ca_documents').where('tenant_id', '=', tenantId).where('kind', '=', 'deletedPolicy').where('id', '=', id).executeTakeFirst();
      return { changed: r.numDeletedRows > 0n, value: r.numDeletedRows > 0n };
    }),
    listNamedLocations: () => list<StoredNamedLocation>('namedLocation'),
    getNamedLocation: (id) => get<StoredNamedLocation>('namedLocation', id),
    createNamedLocation: (location: NamedLocation) => mutate(async (tx) => {
      const now = nowIso();
      const stored = { ...location, id: newId(), createdDateTime: now, modifiedDateTime: now } as StoredNamedLocation;
      await put(tx, 'namedLocation', stored.id, stored, Date.now());
      return { changed: true, value: stored };
    }),
    updateNamedLocation: (id, location) => mutate(async (tx) => {
      const old = await get<StoredNamedLocation>('namedLocation', id, tx);
      if (!old) return { changed: false, value: null };
      const stored = { ...location, id, createdDateTime: old.createdDateTime, modifiedDateTime: nowIso() } as StoredNamedLocation;
      await replace(tx, 'namedLocation', id, stored);
      return { changed: true, value: stored };
    }),
    deleteNamedLocation: (id) => mutate(async (tx) => {
      const r = await tx.deleteFrom('ca_documents').where('tenant_id', '=', tenantId).where('kind', '=', 'namedLocation').where('id', '=', id).executeTakeFirst();
      return { changed: r.numDeletedRows > 0n, value: r.numDeletedRows > 0n };
    }),
    async version() {
      const r = await db.selectFrom('ca_versions').select('version').where('tenant_id', '=', tenantId).executeTakeFirst();
      return r ? Number(r.version) : 0;
    },
  };
}
