/** Turning detector output into Graph riskDetection / servicePrincipalRiskDetection records. */
import { randomUUID } from 'node:crypto';
import type { GeoInfo } from '../geo/lookup.ts';
import type { DetectionLevel, DetectionTimingType, RiskActivity, RiskDetail, RiskState } from '../types.ts';
import { legacyRiskType, toSignInLocation, type RiskDetection, type ServicePrincipalRiskDetection } from './records.ts';

export interface UserRef { id: string; userPrincipalName: string; displayName?: string | null }
export interface ServicePrincipalRef {
  id: string;
  appId: string;
  displayName?: string | null;
  servicePrincipalType?: string | null;
  accountEnabled?: boolean;
}

export interface NewDetection {
  riskEventType: string;
  level: DetectionLevel;
  timing: DetectionTimingType;
  activity: RiskActivity;
  activityTime: number;
  detectedTime: number;
  requestId?: string;
  correlationId?: string;
  ip?: string;
  net?: GeoInfo;
  additionalInfo?: Record<string, unknown>;
  riskState?: RiskState;
  riskDetail?: RiskDetail;
  source?: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

export function buildRiskDetection(user: UserRef, d: NewDetection, id: string = randomUUID()): RiskDetection {
  return {
    id,
    requestId: d.requestId ?? null,
    correlationId: d.correlationId ?? null,
    riskEventType: d.riskEventType,
    riskType: legacyRiskType(d.riskEventType),
    riskLevel: d.level,
    riskState: d.riskState ?? 'atRisk',
    riskDetail: d.riskDetail ?? 'none',
    source: d.source ?? 'IdentityProtection',
    detectionTimingType: d.timing,
    activity: d.activity,
    tokenIssuerType: 'AzureAD',
    ipAddress: d.ip ?? null,
    location: toSignInLocation(d.net),
    activityDateTime: iso(d.activityTime),
    detectedDateTime: iso(d.detectedTime),
    lastUpdatedDateTime: iso(d.detectedTime),
    userId: user.id,
    userDisplayName: user.displayName ?? null,
    userPrincipalName: user.userPrincipalName,
    additionalInfo: d.additionalInfo ? JSON.stringify(Object.entries(d.additionalInfo).map(([Key, Value]) => ({ Key, Value }))) : null,
  };
}

export function buildServicePrincipalRiskDetection(sp: ServicePrincipalRef, d: NewDetection & { keyIds?: string[] }, id: string = randomUUID()): ServicePrincipalRiskDetection {
  const base = buildRiskDetection({ id: sp.id, userPrincipalName: '' }, d, id);
  return {
    id: base.id, requestId: base.requestId, correlationId: base.correlationId, riskEventType: base.riskEventType,
    riskLevel: base.riskLevel, riskState: base.riskState, riskDetail: base.riskDetail, source: base.source,
    detectionTimingType: base.detectionTimingType, activity: 'servicePrincipal', tokenIssuerType: 'AzureAD',
    ipAddress: base.ipAddress, location: base.location, activityDateTime: base.activityDateTime,
    detectedDateTime: base.detectedDateTime, lastUpdatedDateTime: base.lastUpdatedDateTime,
    servicePrincipalId: sp.id, servicePrincipalDisplayName: sp.displayName ?? null, appId: sp.appId || null,
    keyIds: d.keyIds ?? [], additionalInfo: base.additionalInfo,
  };
}
