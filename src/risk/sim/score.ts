/**
 * Scoring the simulator run: precision per detection type, recall per attack kind (against the riskEventTypes each
 * attack should raise), and the false-positive rate on benign users per simulated week — at "medium or above"
 * (what risk-based conditional access acts on, seed 000) and at any level.
 */
import type { AttackKind, SimLabel } from './items.ts';
import { levelRank, type RiskLevel } from '../types.ts';

interface TypeCount { tp: number; fp: number }
interface WeekStats { active: Set<string>; flaggedAny: Set<string>; flaggedMedium: Set<string>; userRiskMedium: Set<string> }

export class Scoreboard {
  readonly #types = new Map<string, TypeCount>();
  /** Benign detections by "type:level" — where false positives come from. */
  readonly #fpByLevel = new Map<string, number>();
  readonly #hits = new Map<string, { types: Set<string>; actionable: boolean }>();
  readonly #weeks: WeekStats[] = [];
  readonly #spWeeks: Array<{ active: Set<string>; flagged: Set<string> }> = [];
  readonly #instances: SimLabel[];
  readonly #victims: Set<string>;
  readonly #compromisedSps: Set<string>;

  constructor(instances: SimLabel[], victims: Set<string>, compromisedSps: Set<string>) {
    this.#instances = instances;
    this.#victims = victims;
    this.#compromisedSps = compromisedSps;
  }

  #week(w: number): WeekStats {
    while (this.#weeks.length <= w) this.#weeks.push({ active: new Set(), flaggedAny: new Set(), flaggedMedium: new Set(), userRiskMedium: new Set() });
    return this.#weeks[w]!;
  }
  #spWeek(w: number) {
    while (this.#spWeeks.length <= w) this.#spWeeks.push({ active: new Set(), flagged: new Set() });
    return this.#spWeeks[w]!;
  }

  /** Detections raised on one event (user or service principal) with its ground truth. */
  record(args: { label: SimLabel | undefined; subject: string; week: number; detections: { riskEventType: string; level: RiskLevel }[];
    actionable?: boolean; userRisk?: RiskLevel; servicePrincipal?: boolean }): void {
    const { label, detections } = args;
    for (const d of detections) {
      const c = this.#types.get(d.riskEventType) ?? { tp: 0, fp: 0 };
      if (label) c.tp++; else {
        c.fp++;
        const k = `${d.riskEventType}:${d.level}`;
        this.#fpByLevel.set(k, (this.#fpByLevel.get(k) ?? 0) + 1);
      }
      this.#types.set(d.riskEventType, c);
    }
    if (label) {
      const h = this.#hits.get(label.attackId) ?? { types: new Set(), actionable: false };
      for (const d of detections) h.types.add(d.riskEventType);
      if (args.actionable || detections.some((d) => levelRank(d.level) >= 2)) h.actionable = true;
      this.#hits.set(label.attackId, h);
      return;
    }
    if (args.servicePrincipal) {
      if (this.#compromisedSps.has(args.subject)) return;
      const w = this.#spWeek(args.week);
      w.active.add(args.subject);
      if (detections.length) w.flagged.add(args.subject);
      return;
    }
    if (this.#victims.has(args.subject)) return;
    const w = this.#week(args.week);
    w.active.add(args.subject);
    if (detections.length) w.flaggedAny.add(args.subject);
    if (detections.some((d) => levelRank(d.level) >= 2)) w.flaggedMedium.add(args.subject);
    if (args.userRisk && levelRank(args.userRisk) >= 2) w.userRiskMedium.add(args.subject);
  }

  report(): Record<string, unknown> {
    const perDetection: Record<string, unknown> = {};
    for (const [t, c] of [...this.#types].sort()) {
      perDetection[t] = { truePositives: c.tp, falsePositives: c.fp, precision: round(c.tp / Math.max(1, c.tp + c.fp)) };
    }
    const perAttack: Record<string, { instances: number; detected: number; recall: number; actionable: number; actionableRate: number; expected: string[] }> = {};
    for (const l of this.#instances) {
      const a = perAttack[l.kind] ??= { instances: 0, detected: 0, recall: 0, actionable: 0, actionableRate: 0, expected: l.expected };
      const h = this.#hits.get(l.attackId);
      a.instances++;
      if (h && l.expected.some((t) => h.types.has(t))) a.detected++;
      if (h?.actionable) a.actionable++;
    }
    for (const a of Object.values(perAttack)) { a.recall = round(a.detected / a.instances); a.actionableRate = round(a.actionable / a.instances); }
    const benignWeeks = this.#weeks.map((w, i) => ({
      week: i + 1, activeBenignUsers: w.active.size,
      falsePositiveRateMediumPlus: round(w.flaggedMedium.size / Math.max(1, w.active.size)),
      falsePositiveRateAnyLevel: round(w.flaggedAny.size / Math.max(1, w.active.size)),
      benignUsersWithUserRiskMediumPlus: w.userRiskMedium.size,
    }));
    const spWeeks = this.#spWeeks.map((w, i) => ({ week: i + 1, benignServicePrincipals: w.active.size, flagged: w.flagged.size, falsePositiveRate: round(w.flagged.size / Math.max(1, w.active.size)) }));
    const falsePositivesByLevel = Object.fromEntries([...this.#fpByLevel].sort());
    /** Attacks no expected detection caught, with what (if anything) fired on them. */
    const missed = this.#instances.filter((l) => !l.expected.some((t) => this.#hits.get(l.attackId)?.types.has(t)))
      .map((l) => ({ kind: l.kind, attackId: l.attackId, raised: [...(this.#hits.get(l.attackId)?.types ?? [])] }));
    return { perDetection, falsePositivesByLevel, perAttack, missed, benignUsersPerWeek: benignWeeks, benignServicePrincipalsPerWeek: spWeeks };
  }

  recallOf(kind: AttackKind): number {
    const r = this.report()['perAttack'] as Record<string, { recall: number }>;
    return r[kind]?.recall ?? Number.NaN;
  }
}

export function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
