/**
 * Audit records for admin changes: written durably to the directory store before the API answers,
 * then mirrored to the AuditLogs table for hunting.
 */
import type { AnalyticsStore } from '../logs/analytics-store.ts';
import type { AuditEvent, Store } from '../store/types.ts';
import { newId } from '../util/ids.ts';

export interface Actor { kind: 'user' | 'app'; id: string; displayName: string; userPrincipalName?: string; appId?: string; ipAddress?: string }

export interface AuditInput {
  tenantId: string;
  actor: Actor;
  category: string;
  activity: string;
  targets: { id: string; displayName?: string | null; type: string; userPrincipalName?: string | null; modifiedProperties?: { displayName: string; oldValue: string | null; newValue: string | null }[] }[];
  result?: 'success' | 'failure';
  details?: { key: string; value: string }[];
  correlationId: string;
}

function initiatedBy(a: Actor): Record<string, unknown> {
  return a.kind === 'user'
    ? { user: { id: a.id, displayName: a.displayName, userPrincipalName: a.userPrincipalName ?? null, ipAddress: a.ipAddress ?? null } }
    : { app: { appId: a.appId ?? null, displayName: a.displayName, servicePrincipalId: a.id, servicePrincipalName: a.displayName } };
}

export class AuditWriter {
  constructor(private readonly store: Store, private readonly logs: AnalyticsStore | undefined) {}

  async record(input: AuditInput): Promise<AuditEvent> {
    const e: AuditEvent = {
      id: `Directory_${newId()}`, tenantId: input.tenantId, activityAt: Date.now(), category: input.category, activity: input.activity,
      result: input.result ?? 'success', initiatedBy: initiatedBy(input.actor),
      targetResources: input.targets.map((t) => ({ id: t.id, displayName: t.displayName ?? null, type: t.type, userPrincipalName: t.userPrincipalName ?? null, modifiedProperties: t.modifiedProperties ?? [] })),
      additionalDetails: input.details ?? [], correlationId: input.correlationId,
    };
    await this.store.audit.append(e);
    this.logs?.append('AuditLogs', [toAuditRow(e)]);
    return e;
  }
}

export function toAuditRow(e: AuditEvent): Record<string, unknown> {
  const at = new Date(e.activityAt);
  return {
    TimeGenerated: at, ActivityDateTime: at, Id: e.id, AADTenantId: e.tenantId, TenantId: e.tenantId, Category: e.category,
    OperationName: e.activity, ActivityDisplayName: e.activity, AADOperationType: e.activity.split(' ')[0] ?? '',
    Result: e.result, ResultType: '', ResultReason: '', ResultDescription: '', ResultSignature: 'None', CorrelationId: e.correlationId,
    InitiatedBy: e.initiatedBy, TargetResources: e.targetResources, AdditionalDetails: e.additionalDetails,
    LoggedByService: 'Core Directory', OperationVersion: '1.0', Identity: '', Level: '4', Location: '', DurationMs: 0,
    SourceSystem: 'Azure AD', Resource: 'Microsoft.aadiam', ResourceProvider: 'Microsoft.aadiam', ResourceGroup: 'Microsoft.aadiam',
    ResourceId: `/tenants/${e.tenantId}/providers/Microsoft.aadiam`, Type: 'AuditLogs',
  };
}

export function toGraphDirectoryAudit(e: AuditEvent): Record<string, unknown> {
  return {
    id: e.id, category: e.category, correlationId: e.correlationId, result: e.result, resultReason: '',
    activityDisplayName: e.activity, activityDateTime: new Date(e.activityAt).toISOString(), loggedByService: 'Core Directory',
    operationType: e.activity.split(' ')[0] ?? '', initiatedBy: { user: null, app: null, ...e.initiatedBy }, targetResources: e.targetResources,
    additionalDetails: e.additionalDetails,
  };
}
