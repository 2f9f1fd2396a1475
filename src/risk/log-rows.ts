/**
 * Row mappers from Identity Protection records to the Log Analytics tables AADUserRiskEvents, AADRiskyUsers,
 * AADRiskyServicePrincipals and AADServicePrincipalRiskEvents (shared/reference/log-tables.md; column names from
 * src/logs/tables.generated.ts). Every row has exactly the table's columns (unknown → null), so the core can
 * append it as is; system columns (`_BilledSize`, `_IsBillable`) stay null. A new export is written each time a
 * record changes, as Entra's diagnostic settings do; TimeGenerated is the record's last update.
 */
import { logTables, type LogTableName } from '../logs/tables.generated.ts';
import type {
  RiskDetection, RiskyServicePrincipal, RiskyUser, ServicePrincipalRiskDetection,
} from './model/records.ts';

export type LogRow = Record<string, unknown>;

export interface RowContext {
  /** Log Analytics workspace id written to TenantId. */
  tenantId: string;
}

/** Build a row with every column of `table`; throws if a value names a column the table does not have. */
export function shapeRow(table: LogTableName, values: LogRow): LogRow {
  const cols = logTables[table];
  const names = new Set<string>(cols.map((c) => c.name));
  for (const k of Object.keys(values)) if (!names.has(k)) throw new Error(`${table} has no column ${k}`);
  const row: LogRow = {};
  for (const c of cols) row[c.name] = values[c.name] ?? null;
  return row;
}

function parseInfo(s: string | null): unknown {
  if (s === null) return null;
  try { return JSON.parse(s); } catch { return s; }
}

export function userRiskEventRow(d: RiskDetection, ctx: RowContext): LogRow {
  return shapeRow('AADUserRiskEvents', {
    Activity: d.activity, ActivityDateTime: d.activityDateTime, AdditionalInfo: parseInfo(d.additionalInfo),
    CorrelationId: d.correlationId, DetectedDateTime: d.detectedDateTime, DetectionTimingType: d.detectionTimingType,
    Id: d.id, IpAddress: d.ipAddress, LastUpdatedDateTime: d.lastUpdatedDateTime, Location: d.location,
    OperationName: 'User Risk Detection', RequestId: d.requestId, RiskDetail: d.riskDetail, RiskEventType: d.riskEventType,
    RiskLevel: d.riskLevel, RiskState: d.riskState, Source: d.source, SourceSystem: 'Azure AD', TenantId: ctx.tenantId,
    TimeGenerated: d.lastUpdatedDateTime, TokenIssuerType: d.tokenIssuerType, Type: 'AADUserRiskEvents',
    UserDisplayName: d.userDisplayName, UserId: d.userId, UserPrincipalName: d.userPrincipalName,
  });
}

export function riskyUserRow(u: RiskyUser, ctx: RowContext): LogRow {
  return shapeRow('AADRiskyUsers', {
    Id: u.id, IsDeleted: u.isDeleted, IsProcessing: u.isProcessing, OperationName: 'Risky user', RiskDetail: u.riskDetail,
    RiskLastUpdatedDateTime: u.riskLastUpdatedDateTime, RiskLevel: u.riskLevel, RiskState: u.riskState, SourceSystem: 'Azure AD',
    TenantId: ctx.tenantId, TimeGenerated: u.riskLastUpdatedDateTime, Type: 'AADRiskyUsers',
    UserDisplayName: u.userDisplayName, UserPrincipalName: u.userPrincipalName,
  });
}

export function riskyServicePrincipalRow(s: RiskyServicePrincipal, ctx: RowContext): LogRow {
  return shapeRow('AADRiskyServicePrincipals', {
    AccountEnabled: s.accountEnabled, AppId: s.appId, DisplayName: s.displayName, Id: s.id, IsProcessing: s.isProcessing,
    OperationName: 'Risky service principal', RiskDetail: s.riskDetail, RiskLastUpdatedDateTime: s.riskLastUpdatedDateTime,
    RiskLevel: s.riskLevel, RiskState: s.riskState, ServicePrincipalType: s.servicePrincipalType, SourceSystem: 'Azure AD',
    TenantId: ctx.tenantId, TimeGenerated: s.riskLastUpdatedDateTime, Type: 'AADRiskyServicePrincipals',
  });
}

export function servicePrincipalRiskEventRow(d: ServicePrincipalRiskDetection, ctx: RowContext): LogRow {
  return shapeRow('AADServicePrincipalRiskEvents', {
    Activity: d.activity, ActivityDateTime: d.activityDateTime, AdditionalInfo: parseInfo(d.additionalInfo), AppId: d.appId,
    CorrelationId: d.correlationId, DetectedDateTime: d.detectedDateTime, DetectionTimingType: d.detectionTimingType, Id: d.id,
    IpAddress: d.ipAddress, KeyIds: d.keyIds, LastUpdatedDateTime: d.lastUpdatedDateTime, Location: d.location,
    OperationName: 'Service principal risk detection', RequestId: d.requestId, RiskDetail: d.riskDetail,
    RiskEventType: d.riskEventType, RiskLevel: d.riskLevel, RiskState: d.riskState,
    ServicePrincipalDisplayName: d.servicePrincipalDisplayName, ServicePrincipalId: d.servicePrincipalId, Source: d.source,
    SourceSystem: 'Azure AD', TenantId: ctx.tenantId, TimeGenerated: d.lastUpdatedDateTime, TokenIssuerType: d.tokenIssuerType,
    Type: 'AADServicePrincipalRiskEvents',
  });
}
