/**
 * The risky-user state machine (graph-shapes.md §6, seed 000 "detect and remediate risky users").
 *
 *   none ──detection──▶ atRisk ──admin confirmCompromised──▶ confirmedCompromised (high)
 *     ▲                  │  │                                   │
 *     │                  │  └──user: MFA + secure password change──▶ remediated (none)
 *     └──────────────────┴──admin dismiss / confirmSafe──────────▶ dismissed / confirmedSafe (none)
 *
 * A new detection after dismiss/remediate/confirmSafe makes the user atRisk again. Every change writes the
 * riskyUser record and its history item together (RiskRepository.putRiskyUser).
 */
import type { RiskRepository } from '../repository.ts';
import type { RiskDetail, RiskLevel, RiskState } from '../types.ts';
import type { RiskDetection, RiskyUser } from './records.ts';
import { buildRiskDetection, type UserRef } from './build.ts';
import { userRiskLevel } from './aggregate.ts';

export interface RiskDeps {
  repo: RiskRepository;
  now: () => number;
  /** Called after a riskyUser changes (the engine's user-risk cache, CAE, log rows). */
  onRiskyUserChanged?: (u: RiskyUser) => void;
}

const iso = (ms: number) => new Date(ms).toISOString();

async function write(deps: RiskDeps, user: UserRef, level: RiskLevel, state: RiskState, detail: RiskDetail,
  initiatedBy: string | null, eventTypes: string[]): Promise<RiskyUser> {
  const prev = await deps.repo.getRiskyUser(user.id);
  const u: RiskyUser = {
    id: user.id,
    isDeleted: prev?.isDeleted ?? false,
    isProcessing: false,
    riskLevel: level,
    riskState: state,
    riskDetail: detail,
    riskLastUpdatedDateTime: iso(deps.now()),
    userDisplayName: user.displayName ?? prev?.userDisplayName ?? null,
    userPrincipalName: user.userPrincipalName,
  };
  await deps.repo.putRiskyUser(u, { ...u, userId: user.id, initiatedBy, activity: { detail, riskEventTypes: eventTypes, eventTypes: [] } });
  deps.onRiskyUserChanged?.(u);
  return u;
}

/** Store new detections for a user and recompute the user's risk. */
export async function recordUserDetections(deps: RiskDeps, user: UserRef, detections: readonly RiskDetection[]): Promise<RiskyUser | undefined> {
  if (!detections.length) return deps.repo.getRiskyUser(user.id);
  await deps.repo.addDetections(detections);
  const prev = await deps.repo.getRiskyUser(user.id);
  const types = [...new Set(detections.map((d) => d.riskEventType))];
  if (prev?.riskState === 'confirmedCompromised') return write(deps, user, 'high', 'confirmedCompromised', prev.riskDetail, null, types);
  const atRisk = await deps.repo.listDetections({ userId: user.id, riskState: 'atRisk' });
  const level = userRiskLevel(atRisk, deps.now());
  if (level === 'none') return prev; // only aged-out lows: nothing to report
  return write(deps, user, level, 'atRisk', 'none', null, types);
}

export async function confirmUserCompromised(deps: RiskDeps, user: UserRef, initiatedBy: string): Promise<RiskyUser> {
  const now = deps.now();
  const patch = { riskState: 'confirmedCompromised' as const, riskDetail: 'adminConfirmedUserCompromised' as const, lastUpdatedDateTime: iso(now) };
  await deps.repo.updateUserDetectionStates(user.id, ['atRisk'], patch);
  await deps.repo.addDetections([buildRiskDetection(user, {
    riskEventType: 'adminConfirmedUserCompromised', level: 'high', timing: 'offline', activity: 'user', activityTime: now,
    detectedTime: now, riskState: 'confirmedCompromised', riskDetail: 'adminConfirmedUserCompromised', source: 'Admin',
    additionalInfo: { initiatedBy },
  })]);
  return write(deps, user, 'high', 'confirmedCompromised', 'adminConfirmedUserCompromised', initiatedBy, ['adminConfirmedUserCompromised']);
}

async function clear(deps: RiskDeps, user: UserRef, state: RiskState, detail: RiskDetail, initiatedBy: string): Promise<RiskyUser> {
  await deps.repo.updateUserDetectionStates(user.id, ['atRisk', 'confirmedCompromised'], { riskState: state, riskDetail: detail, lastUpdatedDateTime: iso(deps.now()) });
  return write(deps, user, 'none', state, detail, initiatedBy, []);
}

export function dismissUserRisk(deps: RiskDeps, user: UserRef, initiatedBy: string): Promise<RiskyUser> {
  return clear(deps, user, 'dismissed', 'adminDismissedAllRiskForUser', initiatedBy);
}

export function confirmUserSafe(deps: RiskDeps, user: UserRef, initiatedBy: string): Promise<RiskyUser> {
  return clear(deps, user, 'confirmedSafe', 'adminConfirmedAccountSafe', initiatedBy);
}

/**
 * Self-remediation: a secure password change (the user passed MFA in the same session) clears the user's risk
 * (seed 000: "block or secure password change"). Without MFA the change proves nothing — it may be the attacker.
 */
export async function remediateBySecurePasswordChange(deps: RiskDeps, user: UserRef, opts: { mfaSatisfied: boolean }): Promise<RiskyUser | 'mfaRequired' | 'notRisky'> {
  if (!opts.mfaSatisfied) return 'mfaRequired';
  const prev = await deps.repo.getRiskyUser(user.id);
  if (!prev || (prev.riskState !== 'atRisk' && prev.riskState !== 'confirmedCompromised')) return 'notRisky';
  return clear(deps, user, 'remediated', 'userPerformedSecuredPasswordChange', user.id);
}
