/**
 * Storage contract for conditional access policies and named locations (DESIGN.md "narrow store
 * interfaces per artifact"). The core implements it over SQL; `MemoryPolicyRepository` is the
 * reference implementation; `runPolicyRepositoryContract` (repository-contract.ts) is the suite
 * every implementation must pass.
 *
 * Guarantees every implementation gives:
 * - `create*` assigns a fresh unique `id` (any id in the input is ignored) and sets
 *   `createdDateTime` = `modifiedDateTime` = now (ISO-8601 UTC).
 * - `update*` replaces the whole object, keeps `id` and `createdDateTime`, bumps `modifiedDateTime`;
 *   returns null when the id does not exist (or is soft-deleted).
 * - `deletePolicy` is a soft delete (graph-shapes §1 policyDeletableItem): the policy leaves the
 *   live list and appears in `listDeletedPolicies` with `deletedDateTime`; `restorePolicy` brings
 *   it back unchanged except `deletedDateTime: null`. Named locations are deleted outright.
 * - `version()` strictly increases after every successful mutation, and is shared by all nodes
 *   using the same store, so a node can tell its compiled snapshot is stale with one cheap read.
 * - Returned objects are copies: mutating them never changes stored state.
 */
import type { ConditionalAccessPolicy } from './schema/policy.ts';
import type { NamedLocation } from './schema/named-location.ts';

export type StoredPolicy = ConditionalAccessPolicy & { id: string; createdDateTime: string; modifiedDateTime: string };
export type StoredNamedLocation = NamedLocation & { id: string; createdDateTime: string; modifiedDateTime: string };

export interface PolicyRepository {
  listPolicies(): Promise<StoredPolicy[]>;
  getPolicy(id: string): Promise<StoredPolicy | null>;
  createPolicy(policy: ConditionalAccessPolicy): Promise<StoredPolicy>;
  updatePolicy(id: string, policy: ConditionalAccessPolicy): Promise<StoredPolicy | null>;
  /** Soft delete; false when no live policy has this id. */
  deletePolicy(id: string): Promise<boolean>;
  listDeletedPolicies(): Promise<StoredPolicy[]>;
  /** Null when no deleted policy has this id. */
  restorePolicy(id: string): Promise<StoredPolicy | null>;
  /** Permanently removes a soft-deleted policy; false when none has this id. */
  purgeDeletedPolicy(id: string): Promise<boolean>;

  listNamedLocations(): Promise<StoredNamedLocation[]>;
  getNamedLocation(id: string): Promise<StoredNamedLocation | null>;
  createNamedLocation(location: NamedLocation): Promise<StoredNamedLocation>;
  updateNamedLocation(id: string, location: NamedLocation): Promise<StoredNamedLocation | null>;
  deleteNamedLocation(id: string): Promise<boolean>;

  /** A number that strictly increases with every successful mutation. */
  version(): Promise<number>;
}

/** In-process implementation: the embedded default for tests and single-node use. */
export class MemoryPolicyRepository implements PolicyRepository {
  private readonly policies = new Map<string, StoredPolicy>();
  private readonly deleted = new Map<string, StoredPolicy>();
  private readonly locations = new Map<string, StoredNamedLocation>();
  private v = 0;

  constructor(private readonly clock: () => Date = () => new Date(), private readonly newId: () => string = () => crypto.randomUUID()) {}

  private now(): string { return this.clock().toISOString(); }

  async listPolicies() { return [...this.policies.values()].map(copy); }
  async getPolicy(id: string) { const p = this.policies.get(id); return p ? copy(p) : null; }
  async createPolicy(policy: ConditionalAccessPolicy) {
    const now = this.now();
    const stored = { ...copy(policy), id: this.newId(), createdDateTime: now, modifiedDateTime: now, deletedDateTime: null } as StoredPolicy;
    this.policies.set(stored.id, stored);
    this.v++;
    return copy(stored);
  }
  async updatePolicy(id: string, policy: ConditionalAccessPolicy) {
    const old = this.policies.get(id);
    if (!old) return null;
    const stored = { ...copy(policy), id, createdDateTime: old.createdDateTime, modifiedDateTime: this.now(), deletedDateTime: null } as StoredPolicy;
    this.policies.set(id, stored);
    this.v++;
    return copy(stored);
  }
  async deletePolicy(id: string) {
    const p = this.policies.get(id);
    if (!p) return false;
    this.policies.delete(id);
    this.deleted.set(id, { ...p, deletedDateTime: this.now() });
    this.v++;
    return true;
  }
  async listDeletedPolicies() { return [...this.deleted.values()].map(copy); }
  async restorePolicy(id: string) {
    const p = this.deleted.get(id);
    if (!p) return null;
    this.deleted.delete(id);
    const restored = { ...p, deletedDateTime: null };
    this.policies.set(id, restored);
    this.v++;
    return copy(restored);
  }
  async purgeDeletedPolicy(id: string) {
    if (!this.deleted.delete(id)) return false;
    this.v++;
    return true;
  }

  async listNamedLocations() { return [...this.locations.values()].map(copy); }
  async getNamedLocation(id: string) { const l = this.locations.get(id); return l ? copy(l) : null; }
  async createNamedLocation(location: NamedLocation) {
    const now = this.now();
    const stored = { ...copy(location), id: this.newId(), createdDateTime: now, modifiedDateTime: now } as StoredNamedLocation;
    this.locations.set(stored.id, stored);
    this.v++;
    return copy(stored);
  }
  async updateNamedLocation(id: string, location: NamedLocation) {
    const old = this.locations.get(id);
    if (!old) return null;
    const stored = { ...copy(location), id, createdDateTime: old.createdDateTime, modifiedDateTime: this.now() } as StoredNamedLocation;
    this.locations.set(id, stored);
    this.v++;
    return copy(stored);
  }
  async deleteNamedLocation(id: string) {
    if (!this.locations.delete(id)) return false;
    this.v++;
    return true;
  }
  async version() { return this.v; }
}

function copy<T>(v: T): T { return structuredClone(v); }
