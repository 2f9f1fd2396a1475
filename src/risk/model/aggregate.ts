/**
 * How levels combine.
 * - Sign-in risk (riskLevelDuringSignIn): the highest level among the sign-in's real-time detections.
 *   riskLevelAggregated adds detections linked to the same request later (offline); at assessment time they agree.
 * - User risk: the highest level among the user's detections still `atRisk`; low detections older than 180 days
 *   no longer count ("low items age out after 6 months", graph-shapes.md §6). Two or more distinct medium risk
 *   event types together make the user high: independent signals agreeing are stronger than either.
 */
import { maxLevel, type RiskLevel } from '../types.ts';

const SIX_MONTHS_MS = 180 * 86_400_000;

export function signInRiskLevel(levels: Iterable<RiskLevel>): RiskLevel {
  let l: RiskLevel = 'none';
  for (const x of levels) l = maxLevel(l, x);
  return l;
}

export function userRiskLevel(atRisk: Iterable<{ riskLevel: RiskLevel; riskEventType: string; detectedDateTime: string }>, nowMs: number): RiskLevel {
  let l: RiskLevel = 'none';
  const mediumTypes = new Set<string>();
  for (const d of atRisk) {
    if (d.riskLevel === 'low' && nowMs - Date.parse(d.detectedDateTime) > SIX_MONTHS_MS) continue;
    if (d.riskLevel === 'medium') mediumTypes.add(d.riskEventType);
    l = maxLevel(l, d.riskLevel);
  }
  return mediumTypes.size >= 2 ? 'high' : l;
}
