/**
 * A sign-in record as a Log Analytics row. Interactive sign-ins go to SigninLogs, token refreshes
 * and other non-interactive ones to AADNonInteractiveUserSignInLogs, client credentials to
 * AADServicePrincipalSignInLogs. JSON columns keep the documented quirk: `dynamic` in SigninLogs,
 * JSON text in the other two (hence `todynamic()` in the seeds' queries).
 */
import type { LogTableName } from '../logs/tables.generated.ts';
import type { SignInEvent } from './event.ts';

const tableOf = { interactiveUser: 'SigninLogs', nonInteractiveUser: 'AADNonInteractiveUserSignInLogs', servicePrincipal: 'AADServicePrincipalSignInLogs' } as const;
const categoryOf = { interactiveUser: 'SignInLogs', nonInteractiveUser: 'NonInteractiveUserSignInLogs', servicePrincipal: 'ServicePrincipalSignInLogs' } as const;

/** JSON columns: objects in SigninLogs (`dynamic`), JSON text in the other two tables. */
function jsonColumn(dyn: boolean, v: unknown): unknown {
  return dyn ? v : JSON.stringify(v);
}

export function toTableRow(e: SignInEvent): { table: LogTableName; row: Record<string, unknown> } {
  const table = tableOf[e.eventType];
  const dyn = table === 'SigninLogs';
  const common: Record<string, unknown> = {
    TimeGenerated: e.createdDateTime,
    Id: e.id,
    CorrelationId: e.correlationId,
    OperationName: 'Sign-in activity',
    OperationVersion: '1.0',
    Category: categoryOf[e.eventType],
    Type: table,
    Level: e.status.errorCode === 0 ? '4' : '3',
    ResultType: String(e.status.errorCode),
    ResultSignature: e.status.errorCode === 0 ? 'SUCCESS' : 'FAILURE',
    ResultDescription: e.status.errorCode === 0 ? '' : e.status.failureReason,
    DurationMs: 0,
    AppId: e.appId,
    IPAddress: e.ipAddress,
    Location: e.location.countryOrRegion ?? '',
    LocationDetails: dyn ? e.location : JSON.stringify(e.location),
    ResourceDisplayName: e.resourceDisplayName ?? '',
    ResourceIdentity: e.resourceId ?? '',
    ResourceServicePrincipalId: e.resourceServicePrincipalId ?? '',
    ServicePrincipalId: e.servicePrincipalId ?? '',
    ServicePrincipalName: e.servicePrincipalName ?? '',
    UniqueTokenIdentifier: e.uniqueTokenIdentifier ?? '',
    ConditionalAccessPolicies: table === 'AADServicePrincipalSignInLogs' ? JSON.stringify(e.appliedConditionalAccessPolicies) : jsonColumn(dyn, e.appliedConditionalAccessPolicies),
    ConditionalAccessStatus: e.conditionalAccessStatus,
    AuthenticationContextClassReferences: JSON.stringify(e.authenticationContextClassReferences),
    AuthenticationProcessingDetails: '[]',
    SourceSystem: 'Azure AD',
    TenantId: e.tenantId,
    AADTenantId: e.tenantId,
    Resource: 'Microsoft.aadiam',
    ResourceProvider: 'Microsoft.aadiam',
    ResourceId: `/tenants/${e.tenantId}/providers/Microsoft.aadiam`,
  };
  // Properties are added to `common` rather than spread into a new literal: V8 builds a spread
  // literal of this size with a duplicate key (ResourceId) on a slow path, ~50x slower (measured).
  if (e.eventType === 'servicePrincipal') {
    return {
      table,
      row: Object.assign(common, {
        Identity: e.servicePrincipalName ?? '',
        ServicePrincipalCredentialKeyId: e.servicePrincipalCredentialKeyId ?? '',
        ServicePrincipalCredentialThumbprint: e.servicePrincipalCredentialThumbprint ?? '',
        FederatedCredentialId: '',
      }),
    };
  }
  return {
    table,
    row: Object.assign(common, {
      CreatedDateTime: e.createdDateTime,
      Identity: e.userDisplayName ?? '',
      UserPrincipalName: e.userPrincipalName ?? e.signInIdentifier ?? '',
      UserId: e.userId ?? '',
      UserDisplayName: e.userDisplayName ?? '',
      UserType: e.userType === 'guest' ? 'Guest' : 'Member',
      AlternateSignInName: e.signInIdentifier ?? '',
      SignInIdentifier: e.signInIdentifier ?? '',
      SignInIdentifierType: e.signInIdentifier ? 'userPrincipalName' : '',
      AppDisplayName: e.appDisplayName,
      UserAgent: e.userAgent,
      ClientAppUsed: e.clientAppUsed,
      IsInteractive: e.isInteractive,
      IsRisky: e.riskLevelDuringSignIn !== 'none' && e.riskLevelDuringSignIn !== 'hidden',
      AuthenticationProtocol: e.authenticationProtocol,
      AuthenticationRequirement: e.authenticationRequirement,
      AuthenticationDetails: JSON.stringify(e.authenticationDetails),
      AuthenticationMethodsUsed: JSON.stringify(e.authenticationMethodsUsed),
      AuthenticationRequirementPolicies: '[]',
      AutonomousSystemNumber: e.autonomousSystemNumber === null ? '' : String(e.autonomousSystemNumber),
      DeviceDetail: jsonColumn(dyn, e.deviceDetail),
      Status: jsonColumn(dyn, e.status),
      TokenProtectionStatusDetails: jsonColumn(dyn, e.tokenProtectionStatusDetails),
      HomeTenantId: e.tenantId,
      ResourceTenantId: e.tenantId,
      ResourceId: e.resourceId ?? '',
      CrossTenantAccessType: 'none',
      IncomingTokenType: e.incomingTokenType,
      OriginalRequestId: e.id,
      SessionId: e.sessionId ?? '',
      TokenIssuerType: 'AzureAD',
      TokenIssuerName: '',
      RiskLevelDuringSignIn: e.riskLevelDuringSignIn,
      RiskLevelAggregated: e.riskLevelAggregated,
      RiskState: e.riskState,
      RiskDetail: e.riskDetail,
      RiskEventTypes: JSON.stringify([]),
      RiskEventTypes_V2: JSON.stringify(e.riskEventTypes_v2),
      RiskLevel: e.riskLevelDuringSignIn,
      NetworkLocationDetails: '[]',
      MfaDetail: dyn ? {} : '{}',
      ProcessingTimeInMilliseconds: String(e.processingTimeInMilliseconds),
      ProcessingTimeInMs: String(e.processingTimeInMilliseconds),
      SignInEventTypes: JSON.stringify([e.eventType]),
      SessionLifetimePolicies: '[]',
      FlaggedForReview: false,
      AppliedConditionalAccessPolicies: JSON.stringify(e.appliedConditionalAccessPolicies),
      AppliedEventListeners: dyn ? [] : '[]',
    }),
  };
}
