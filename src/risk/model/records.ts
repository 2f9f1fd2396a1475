/**
 * Identity Protection resources in Microsoft Graph shape (shared/reference/graph-shapes.md §6). Property names and
 * enum values are Graph's; dates are ISO 8601 strings as Graph returns them.
 */
import type { DetectionTimingType, RiskActivity, RiskDetail, RiskLevel, RiskState } from '../types.ts';

/** signInLocation as on signIn.location. */
export interface SignInLocation {
  city: string | null;
  state: string | null;
  countryOrRegion: string | null;
  geoCoordinates: { latitude: number | null; longitude: number | null; altitude: number | null } | null;
}

export interface RiskDetection {
  id: string;
  requestId: string | null;
  correlationId: string | null;
  riskEventType: string;
  /** Legacy enum; Tessera writes `unknownFutureValue`-free values by mapping new types to 'generic'. */
  riskType: string;
  riskLevel: RiskLevel;
  riskState: RiskState;
  riskDetail: RiskDetail;
  source: string;
  detectionTimingType: DetectionTimingType;
  activity: RiskActivity;
  tokenIssuerType: 'AzureAD';
  ipAddress: string | null;
  location: SignInLocation | null;
  activityDateTime: string;
  detectedDateTime: string;
  lastUpdatedDateTime: string;
  userId: string;
  userDisplayName: string | null;
  userPrincipalName: string;
  additionalInfo: string | null;
}

export interface RiskyUser {
  id: string;
  isDeleted: boolean;
  isProcessing: boolean;
  riskLevel: RiskLevel;
  riskState: RiskState;
  riskDetail: RiskDetail;
  riskLastUpdatedDateTime: string;
  userDisplayName: string | null;
  userPrincipalName: string;
}

export interface RiskyUserHistoryItem extends RiskyUser {
  userId: string;
  /** Who caused the change: an admin's object id, the user's own id (self-remediation) or null for the system. */
  initiatedBy: string | null;
  activity: { detail: RiskDetail; riskEventTypes: string[]; eventTypes: string[] };
}

export interface RiskyServicePrincipal {
  id: string;
  appId: string;
  displayName: string | null;
  servicePrincipalType: string | null;
  accountEnabled: boolean;
  isEnabled: boolean;
  isProcessing: boolean;
  riskLevel: RiskLevel;
  riskState: RiskState;
  riskDetail: RiskDetail;
  riskLastUpdatedDateTime: string;
}

export interface RiskyServicePrincipalHistoryItem extends RiskyServicePrincipal {
  servicePrincipalId: string;
  initiatedBy: string | null;
  activity: { detail: RiskDetail; riskEventTypes: string[] };
}

export interface ServicePrincipalRiskDetection {
  id: string;
  requestId: string | null;
  correlationId: string | null;
  riskEventType: string;
  riskLevel: RiskLevel;
  riskState: RiskState;
  riskDetail: RiskDetail;
  source: string;
  detectionTimingType: DetectionTimingType;
  activity: RiskActivity;
  tokenIssuerType: 'AzureAD';
  ipAddress: string | null;
  location: SignInLocation | null;
  activityDateTime: string;
  detectedDateTime: string;
  lastUpdatedDateTime: string;
  servicePrincipalId: string;
  servicePrincipalDisplayName: string | null;
  appId: string | null;
  keyIds: string[];
  additionalInfo: string | null;
}

/** The legacy `riskType` enum (graph-shapes.md §6) knows only the older names; newer types map to `generic`. */
const legacyRiskTypes = new Set([
  'unlikelyTravel', 'anonymizedIPAddress', 'maliciousIPAddress', 'unfamiliarFeatures', 'malwareInfectedIPAddress',
  'suspiciousIPAddress', 'leakedCredentials', 'investigationsThreatIntelligence', 'generic', 'adminConfirmedUserCompromised',
  'mcasImpossibleTravel', 'mcasSuspiciousInboxManipulationRules', 'investigationsThreatIntelligenceSigninLinked',
  'maliciousIPAddressValidCredentialsBlockedIP',
]);

export function legacyRiskType(riskEventType: string): string {
  return legacyRiskTypes.has(riskEventType) ? riskEventType : 'generic';
}

export function toSignInLocation(net: { city?: string; state?: string; countryOrRegion?: string; latitude?: number; longitude?: number } | undefined): SignInLocation | null {
  if (!net || (!net.countryOrRegion && !net.city)) return null;
  return {
    city: net.city ?? null,
    state: net.state ?? null,
    countryOrRegion: net.countryOrRegion ?? null,
    geoCoordinates: net.latitude !== undefined && net.longitude !== undefined ? { latitude: net.latitude, longitude: net.longitude, altitude: null } : null,
  };
}
