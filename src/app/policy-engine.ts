/**
 * Compiled conditional access snapshots, one per tenant. The repository version is re-read at most
 * once a second, so a policy changed on another node takes effect here within a second without a
 * database read on every sign-in; a change made through this node invalidates at once.
 */
import { PolicySnapshotCache, type PolicySnapshot } from '../policy/index.ts';
import type { Store } from '../store/types.ts';

const RECHECK_MS = 1000;

export class PolicyEngine {
  private caches = new Map<string, { cache: PolicySnapshotCache; snapshot?: PolicySnapshot; checkedAt: number }>();
  constructor(private readonly store: Store) {}

  async snapshot(tenantId: string, now = Date.now()): Promise<PolicySnapshot> {
    let e = this.caches.get(tenantId);
    if (!e) {
      e = { cache: new PolicySnapshotCache(this.store.policies(tenantId)), checkedAt: 0 };
      this.caches.set(tenantId, e);
    }
    if (!e.snapshot || now - e.checkedAt >= RECHECK_MS) {
      e.snapshot = await e.cache.current();
      e.checkedAt = now;
    }
    return e.snapshot;
  }

  invalidate(tenantId: string): void {
    const e = this.caches.get(tenantId);
    if (e) { e.cache.invalidate(); e.snapshot = undefined; }
  }
}
