/**
 * suspiciousSignins for workload identities (seed 004): learn each service principal's sign-in baseline for
 * 2–60 days — IP address/ASN, target resource, user agent, hosting vs non-hosting IP, IP country, credential type —
 * and flag later sign-ins with unfamiliar properties. "Because of the programmatic nature of workload sign-ins" the
 * detection gives a time range, not one sign-in: suspicious sign-ins of one principal within `windowGapMs` (6 h —
 * longer than the hourly or two-hourly schedules jobs run on) of each other form one window, reported when it
 * closes (`flush`).
 *
 * Decision: after learning (≥ 2 days since first sign-in and ≥ 5 sign-ins), a sign-in is suspicious when its ASN
 * is unfamiliar and at least one more property is (country, hosting change, user agent, credential type,
 * resource), or when three or more properties are unfamiliar. Level: high when the ASN is unfamiliar *and* the
 * hosting class changed or the country is new, else medium. Values unseen for 60 days are forgotten; a new value
 * seen on 3 distinct days is adopted (an authorised migration stops alerting after its first days).
 * Limits: an authorised configuration change (new region, new SDK) also trips it (seed 004 says so too).
 */
import { Lru } from '../lru.ts';
import type { GeoInfo } from '../geo/lookup.ts';
import type { ServicePrincipalSignInEvent } from '../event.ts';
import { userAgentFamily } from '../ua.ts';
import type { DetectionLevel } from '../types.ts';

const DAY = 86_400_000;
const props = ['asn', 'country', 'hosting', 'userAgent', 'credentialType', 'resource'] as const;
type Prop = (typeof props)[number];

interface SpBaseline {
  firstSeen: number;
  count: number;
  seen: Record<Prop, Map<string, number>>;
  /** Unfamiliar values and the days they were seen on; a value seen on `adoptAfterDays` days joins the baseline. */
  pending: Map<string, Set<number>>;
}

export interface SuspiciousWindow {
  servicePrincipalId: string;
  appId: string;
  displayName: string | undefined;
  start: number;
  end: number;
  signIns: number;
  level: DetectionLevel;
  unfamiliar: Prop[];
  ips: string[];
  keyIds: string[];
  firstRequestId: string;
}

export interface WorkloadBaselineOptions {
  minLearningDays?: number;
  maxBaselineDays?: number;
  minSignIns?: number;
  windowGapMs?: number;
  maxPrincipals?: number;
  /**
   * An authorised change (new region, new cloud) keeps looking suspicious until learned: a new value seen on this
   * many distinct days becomes part of the baseline. Stolen-secret use is usually a burst, reported before that.
   */
  adoptAfterDays?: number;
}

function values(e: ServicePrincipalSignInEvent, net: GeoInfo): Partial<Record<Prop, string>> {
  // Only the properties that are known (built up rather than deleted afterwards: `delete` is slow in V8).
  const out: Partial<Record<Prop, string>> = {};
  if (net.known) out.hosting = String(net.isHosting);
  if (e.credentialType !== undefined) out.credentialType = e.credentialType;
  if (e.resourceId !== undefined) out.resource = e.resourceId;
  if (net.asn !== undefined) out.asn = String(net.asn);
  if (net.countryOrRegion) out.country = net.countryOrRegion;
  const ua = userAgentFamily(e.userAgent);
  if (ua) out.userAgent = ua;
  return out;
}

export class WorkloadSignInBaseline {
  readonly #o: Required<WorkloadBaselineOptions>;
  readonly #baselines: Lru<string, SpBaseline>;
  readonly #open = new Map<string, SuspiciousWindow>();
  /** Windows that ended because a later suspicious sign-in started a new one; reported at the next flush. */
  readonly #closed: SuspiciousWindow[] = [];

  constructor(opts: WorkloadBaselineOptions = {}) {
    this.#o = { minLearningDays: 2, maxBaselineDays: 60, minSignIns: 5, windowGapMs: 6 * 60 * 60_000, maxPrincipals: 100_000, adoptAfterDays: 3, ...opts };
    this.#baselines = new Lru(this.#o.maxPrincipals);
  }

  /** Assess and learn one sign-in; returns the unfamiliar properties when it is suspicious. */
  observe(e: ServicePrincipalSignInEvent, net: GeoInfo): { suspicious: boolean; unfamiliar: Prop[]; level?: DetectionLevel } {
    if (e.status !== 'success') return { suspicious: false, unfamiliar: [] };
    const b = this.#baselines.upsert(e.servicePrincipalId, () => ({ firstSeen: e.time, count: 0, seen: Object.fromEntries(props.map((p) => [p, new Map()])) as SpBaseline['seen'], pending: new Map() }));
    const v = values(e, net);
    const learning = e.time - b.firstSeen < this.#o.minLearningDays * DAY || b.count < this.#o.minSignIns;
    const horizon = e.time - this.#o.maxBaselineDays * DAY;
    const unfamiliar = learning ? [] : props.filter((p) => {
      const val = v[p];
      if (val === undefined) return false;
      const last = b.seen[p].get(val);
      return last === undefined || last < horizon;
    });
    const asnNew = unfamiliar.includes('asn');
    const suspicious = (asnNew && unfamiliar.length >= 2) || unfamiliar.length >= 3;
    let level: DetectionLevel | undefined;
    if (suspicious) {
      level = asnNew && (unfamiliar.includes('hosting') || unfamiliar.includes('country')) ? 'high' : 'medium';
      this.#extend(e, level, unfamiliar);
      const day = Math.floor(e.time / DAY);
      for (const p of unfamiliar) {
        const key = `${p}|${v[p]}`;
        const days = b.pending.get(key) ?? new Set<number>();
        days.add(day);
        if (days.size >= this.#o.adoptAfterDays) { b.seen[p].set(v[p]!, e.time); b.pending.delete(key); }
        else if (b.pending.size < 256) b.pending.set(key, days);
      }
    } else {
      // Suspicious sign-ins are not learned: an attacker's network must not become the baseline.
      b.count++;
      for (const p of props) {
        const val = v[p];
        if (val === undefined) continue;
        const m = b.seen[p];
        if (!m.has(val) && m.size >= 64) {
          // Forget the stalest value first.
          let oldK: string | undefined; let oldT = Infinity;
          for (const [k, t] of m) if (t < oldT) { oldT = t; oldK = k; }
          if (oldK !== undefined) m.delete(oldK);
        }
        m.set(val, e.time);
      }
    }
    return level ? { suspicious, unfamiliar, level } : { suspicious, unfamiliar };
  }

  #extend(e: ServicePrincipalSignInEvent, level: DetectionLevel, unfamiliar: Prop[]): void {
    const w = this.#open.get(e.servicePrincipalId);
    if (w && e.time - w.end <= this.#o.windowGapMs) {
      w.end = e.time;
      w.signIns++;
      if (level === 'high') w.level = 'high';
      for (const u of unfamiliar) if (!w.unfamiliar.includes(u)) w.unfamiliar.push(u);
      if (w.ips.length < 20 && !w.ips.includes(e.ip)) w.ips.push(e.ip);
      if (e.keyId && !w.keyIds.includes(e.keyId)) w.keyIds.push(e.keyId);
      return;
    }
    if (w) this.#closed.push(w);
    this.#open.set(e.servicePrincipalId, {
      servicePrincipalId: e.servicePrincipalId, appId: e.appId, displayName: e.servicePrincipalDisplayName,
      start: e.time, end: e.time, signIns: 1, level, unfamiliar: [...unfamiliar], ips: [e.ip],
      keyIds: e.keyId ? [e.keyId] : [], firstRequestId: e.requestId,
    });
  }

  /** Close and return windows with no suspicious sign-in for `windowGapMs` before `now` (all with `force`). */
  flush(now: number, force = false): SuspiciousWindow[] {
    const out: SuspiciousWindow[] = this.#closed.splice(0);
    for (const [id, w] of this.#open) {
      if (force || now - w.end > this.#o.windowGapMs) { out.push(w); this.#open.delete(id); }
    }
    return out;
  }
}
