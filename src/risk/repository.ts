/**
 * Storage of identity protection records. Narrow on purpose: the core implements it over SQL; the in-memory
 * implementation below is the reference and both pass `runRiskRepositoryContract` (repository.contract.ts).
 *
 * Guarantees every implementation gives:
 *  - `addDetections` / `addServicePrincipalDetections` are idempotent by `id` (a retried write does not duplicate);
 *  - `putRiskyUser` / `putRiskyServicePrincipal` write the current record and append its history item atomically:
 *    a reader never sees a state without its history entry; concurrent writers to one id: last writer wins, every
 *    history item is kept;
 *  - lists are ordered newest first (detectedDateTime / riskLastUpdatedDateTime desc, then id asc; history items
 *    with equal times: the one written last first) and `limit`
 *    caps the count; filters are equality on the named fields, `since` is inclusive on detectedDateTime.
 */
import type {
  RiskDetection, RiskyServicePrincipal, RiskyServicePrincipalHistoryItem, RiskyUser, RiskyUserHistoryItem,
  ServicePrincipalRiskDetection,
} from './model/records.ts';
import type { RiskLevel, RiskState } from './types.ts';

export interface DetectionQuery {
  userId?: string;
  riskState?: RiskState;
  riskLevel?: RiskLevel;
  riskEventType?: string;
  requestId?: string;
  since?: string;
  limit?: number;
}

export interface SpDetectionQuery extends Omit<DetectionQuery, 'userId'> {
  servicePrincipalId?: string;
}

export interface RiskyQuery {
  riskState?: RiskState;
  riskLevel?: RiskLevel;
  limit?: number;
}

/** Fields an action may change on detections. */
export interface DetectionStatePatch {
  riskState: RiskState;
  riskDetail: RiskDetection['riskDetail'];
  lastUpdatedDateTime: string;
}

export interface RiskRepository {
  addDetections(items: readonly RiskDetection[]): Promise<void>;
  getDetection(id: string): Promise<RiskDetection | undefined>;
  listDetections(q?: DetectionQuery): Promise<RiskDetection[]>;
  /** Set state on every detection of `userId` whose state is in `from`; returns how many changed. */
  updateUserDetectionStates(userId: string, from: readonly RiskState[], patch: DetectionStatePatch): Promise<number>;

  getRiskyUser(id: string): Promise<RiskyUser | undefined>;
  listRiskyUsers(q?: RiskyQuery): Promise<RiskyUser[]>;
  putRiskyUser(user: RiskyUser, history: RiskyUserHistoryItem): Promise<void>;
  listRiskyUserHistory(userId: string): Promise<RiskyUserHistoryItem[]>;

  addServicePrincipalDetections(items: readonly ServicePrincipalRiskDetection[]): Promise<void>;
  getServicePrincipalDetection(id: string): Promise<ServicePrincipalRiskDetection | undefined>;
  listServicePrincipalDetections(q?: SpDetectionQuery): Promise<ServicePrincipalRiskDetection[]>;
  updateServicePrincipalDetectionStates(servicePrincipalId: string, from: readonly RiskState[], patch: DetectionStatePatch): Promise<number>;

  getRiskyServicePrincipal(id: string): Promise<RiskyServicePrincipal | undefined>;
  listRiskyServicePrincipals(q?: RiskyQuery): Promise<RiskyServicePrincipal[]>;
  putRiskyServicePrincipal(sp: RiskyServicePrincipal, history: RiskyServicePrincipalHistoryItem): Promise<void>;
  listRiskyServicePrincipalHistory(servicePrincipalId: string): Promise<RiskyServicePrincipalHistoryItem[]>;
}

const clone = <T>(v: T): T => structuredClone(v);

export function byDetectedDesc(a: { detectedDateTime: string; id: string }, b: { detectedDateTime: string; id: string }): number {
  return a.detectedDateTime < b.detectedDateTime ? 1 : a.detectedDateTime > b.detectedDateTime ? -1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
export function byUpdatedDesc(a: { riskLastUpdatedDateTime: string; id: string }, b: { riskLastUpdatedDateTime: string; id: string }): number {
  return a.riskLastUpdatedDateTime < b.riskLastUpdatedDateTime ? 1 : a.riskLastUpdatedDateTime > b.riskLastUpdatedDateTime ? -1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function matchDetection(d: RiskDetection | ServicePrincipalRiskDetection, q: DetectionQuery & SpDetectionQuery): boolean {
  if (q.userId !== undefined && (!('userId' in d) || d.userId !== q.userId)) return false;
  if (q.servicePrincipalId !== undefined && (!('servicePrincipalId' in d) || d.servicePrincipalId !== q.servicePrincipalId)) return false;
  if (q.riskState !== undefined && d.riskState !== q.riskState) return false;
  if (q.riskLevel !== undefined && d.riskLevel !== q.riskLevel) return false;
  if (q.riskEventType !== undefined && d.riskEventType !== q.riskEventType) return false;
  if (q.requestId !== undefined && d.requestId !== q.requestId) return false;
  if (q.since !== undefined && d.detectedDateTime < q.since) return false;
  return true;
}

export function limitOf<T>(items: T[], limit: number | undefined): T[] {
  return limit === undefined ? items : items.slice(0, Math.max(0, limit));
}

/** In-memory RiskRepository; single process, synchronous underneath, so every method is trivially atomic. */
export function createMemoryRiskRepository(): RiskRepository {
  const detections = new Map<string, RiskDetection>();
  const spDetections = new Map<string, ServicePrincipalRiskDetection>();
  const users = new Map<string, RiskyUser>();
  const userHistory = new Map<string, RiskyUserHistoryItem[]>();
  const sps = new Map<string, RiskyServicePrincipal>();
  const spHistory = new Map<string, RiskyServicePrincipalHistoryItem[]>();

  function updateStates<T extends { riskState: RiskState; riskDetail: string; lastUpdatedDateTime: string }>(
    items: Iterable<T>, owns: (d: T) => boolean, from: readonly RiskState[], patch: DetectionStatePatch,
  ): number {
    let n = 0;
    for (const d of items) {
      if (owns(d) && from.includes(d.riskState)) {
        d.riskState = patch.riskState;
        d.riskDetail = patch.riskDetail;
        d.lastUpdatedDateTime = patch.lastUpdatedDateTime;
        n++;
      }
    }
    return n;
  }

  return {
    async addDetections(items) {
      for (const d of items) if (!detections.has(d.id)) detections.set(d.id, clone(d));
    },
    async getDetection(id) {
      const d = detections.get(id);
      return d && clone(d);
    },
    async listDetections(q = {}) {
      return limitOf([...detections.values()].filter((d) => matchDetection(d, q)).sort(byDetectedDesc), q.limit).map(clone);
    },
    async updateUserDetectionStates(userId, from, patch) {
      return updateStates(detections.values(), (d) => d.userId === userId, from, patch);
    },
    async getRiskyUser(id) {
      const u = users.get(id);
      return u && clone(u);
    },
    async listRiskyUsers(q = {}) {
      const out = [...users.values()].filter((u) => (q.riskState === undefined || u.riskState === q.riskState) && (q.riskLevel === undefined || u.riskLevel === q.riskLevel));
      return limitOf(out.sort(byUpdatedDesc), q.limit).map(clone);
    },
    async putRiskyUser(user, history) {
      users.set(user.id, clone(user));
      const h = userHistory.get(user.id) ?? [];
      h.push(clone(history));
      userHistory.set(user.id, h);
    },
    async listRiskyUserHistory(userId) {
      return [...(userHistory.get(userId) ?? [])].reverse().sort(byUpdatedDesc).map(clone);
    },
    async addServicePrincipalDetections(items) {
      for (const d of items) if (!spDetections.has(d.id)) spDetections.set(d.id, clone(d));
    },
    async getServicePrincipalDetection(id) {
      const d = spDetections.get(id);
      return d && clone(d);
    },
    async listServicePrincipalDetections(q = {}) {
      return limitOf([...spDetections.values()].filter((d) => matchDetection(d, q)).sort(byDetectedDesc), q.limit).map(clone);
    },
    async updateServicePrincipalDetectionStates(spId, from, patch) {
      return updateStates(spDetections.values(), (d) => d.servicePrincipalId === spId, from, patch);
    },
    async getRiskyServicePrincipal(id) {
      const s = sps.get(id);
      return s && clone(s);
    },
    async listRiskyServicePrincipals(q = {}) {
      const out = [...sps.values()].filter((s) => (q.riskState === undefined || s.riskState === q.riskState) && (q.riskLevel === undefined || s.riskLevel === q.riskLevel));
      return limitOf(out.sort(byUpdatedDesc), q.limit).map(clone);
    },
    async putRiskyServicePrincipal(sp, history) {
      sps.set(sp.id, clone(sp));
      const h = spHistory.get(sp.id) ?? [];
      h.push(clone(history));
      spHistory.set(sp.id, h);
    },
    async listRiskyServicePrincipalHistory(spId) {
      return [...(spHistory.get(spId) ?? [])].reverse().sort(byUpdatedDesc).map(clone);
    },
  };
}
