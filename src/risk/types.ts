/**
 * Shared Identity Protection enums (shared/reference/graph-shapes.md §6, Graph v1.0 CSDL).
 * Graph enums are evolvable; Tessera only ever emits the values listed here.
 */

export const riskLevels = ['none', 'low', 'medium', 'high', 'hidden'] as const;
export type RiskLevel = (typeof riskLevels)[number];
/** Levels a detection can carry (`none`/`hidden` are reserved for aggregates and unlicensed views). */
export type DetectionLevel = 'low' | 'medium' | 'high';

export const riskStates = ['none', 'confirmedSafe', 'remediated', 'dismissed', 'atRisk', 'confirmedCompromised'] as const;
export type RiskState = (typeof riskStates)[number];

export const riskDetails = [
  'none', 'adminGeneratedTemporaryPassword', 'userPerformedSecuredPasswordChange', 'userPerformedSecuredPasswordReset',
  'adminConfirmedSigninSafe', 'aiConfirmedSigninSafe', 'userPassedMFADrivenByRiskBasedPolicy', 'adminDismissedAllRiskForUser',
  'adminConfirmedSigninCompromised', 'hidden', 'adminConfirmedUserCompromised', 'm365DAdminDismissedDetection',
  'adminConfirmedServicePrincipalCompromised', 'adminDismissedAllRiskForServicePrincipal', 'userChangedPasswordOnPremises',
  'adminDismissedRiskForSignIn', 'adminConfirmedAccountSafe', 'microsoftRevokedSessions',
] as const;
export type RiskDetail = (typeof riskDetails)[number];

export type DetectionTimingType = 'notDefined' | 'realtime' | 'nearRealtime' | 'offline';
export type RiskActivity = 'signin' | 'user' | 'servicePrincipal';

/** riskEventType strings Tessera raises (graph-shapes.md §6 table). */
export type UserRiskEventType =
  | 'unfamiliarFeatures' | 'anonymizedIPAddress' | 'maliciousIPAddress' | 'nationStateIP' | 'unlikelyTravel'
  | 'newCountry' | 'passwordSpray' | 'anomalousToken' | 'attackerinTheMiddle' | 'leakedCredentials'
  | 'attemptedPrtAccess' | 'adminConfirmedUserCompromised';
export type ServicePrincipalRiskEventType =
  | 'suspiciousSignins' | 'leakedCredentials' | 'anomalousServicePrincipalActivity'
  | 'adminConfirmedServicePrincipalCompromised' | 'maliciousApplication' | 'suspiciousApplication'
  | 'investigationsThreatIntelligence';

const rank: Record<RiskLevel, number> = { none: 0, hidden: 0, low: 1, medium: 2, high: 3 };

export function levelRank(l: RiskLevel): number {
  return rank[l];
}

export function maxLevel(a: RiskLevel, b: RiskLevel): RiskLevel {
  return rank[b] > rank[a] ? b : a;
}

export function atLeast(l: RiskLevel, floor: RiskLevel): boolean {
  return rank[l] >= rank[floor];
}
