/**
 * The sign-in record: built once per token request (and per interactive credential check), read by
 * risk detectors and conditional access, and written at the end in two shapes: Graph `signIn`
 * (graph-shape.ts) and the Log Analytics tables (table-row.ts). Field names follow Graph's.
 */

export type SignInEventType = 'interactiveUser' | 'nonInteractiveUser' | 'servicePrincipal';

export interface AppliedConditionalAccessPolicy {
  id: string;
  displayName: string;
  result: string;
  enforcedGrantControls: string[];
  enforcedSessionControls: string[];
  sessionControlsNotSatisfied?: string[];
  conditionsSatisfied?: string;
  conditionsNotSatisfied?: string;
  authenticationStrength?: unknown;
}

export interface TokenProtectionStatus {
  signInSessionStatus: 'none' | 'bound' | 'unbound';
  signInSessionStatusCode: number | null;
}

export interface AuthenticationDetail {
  authenticationMethod: string;
  authenticationMethodDetail?: string;
  authenticationStepDateTime: string;
  authenticationStepRequirement: string;
  authenticationStepResultDetail: string;
  succeeded: boolean;
}

export interface SignInEvent {
  id: string;
  correlationId: string;
  createdDateTime: Date;
  tenantId: string;
  eventType: SignInEventType;
  isInteractive: boolean;

  userId: string | null;
  userPrincipalName: string | null;
  userDisplayName: string | null;
  userType: 'member' | 'guest' | null;
  /** What the user typed, even when no such user exists (failed sign-ins). */
  signInIdentifier: string | null;

  appId: string;
  appDisplayName: string;
  servicePrincipalId: string | null;
  servicePrincipalName: string | null;
  resourceId: string | null;
  resourceDisplayName: string | null;
  resourceServicePrincipalId: string | null;

  clientAppUsed: string;
  authenticationProtocol: string;
  incomingTokenType: string;
  originalTransferMethod: string;
  clientCredentialType: string;
  servicePrincipalCredentialKeyId: string | null;
  servicePrincipalCredentialThumbprint: string | null;

  ipAddress: string;
  userAgent: string;
  autonomousSystemNumber: number | null;
  location: { city: string | null; state: string | null; countryOrRegion: string | null; geoCoordinates: { latitude: number | null; longitude: number | null } | null };
  deviceDetail: { deviceId: string; displayName: string; operatingSystem: string; browser: string; isCompliant: boolean | null; isManaged: boolean | null; trustType: string };

  status: { errorCode: number; failureReason: string; additionalDetails: string | null };
  conditionalAccessStatus: 'success' | 'failure' | 'notApplied';
  appliedConditionalAccessPolicies: AppliedConditionalAccessPolicy[];
  tokenProtectionStatusDetails: TokenProtectionStatus;

  authenticationRequirement: 'singleFactorAuthentication' | 'multiFactorAuthentication';
  authenticationDetails: AuthenticationDetail[];
  authenticationMethodsUsed: string[];
  authenticationContextClassReferences: { id: string; detail: string }[];

  riskLevelDuringSignIn: string;
  riskLevelAggregated: string;
  riskState: string;
  riskDetail: string;
  riskEventTypes_v2: string[];

  sessionId: string | null;
  uniqueTokenIdentifier: string | null;
  processingTimeInMilliseconds: number;
}

/** A fresh record with every field at its "nothing known yet" value. */
export function blankSignIn(init: Pick<SignInEvent, 'id' | 'correlationId' | 'tenantId' | 'eventType' | 'ipAddress' | 'userAgent'> & Partial<SignInEvent>): SignInEvent {
  return {
    createdDateTime: new Date(),
    isInteractive: init.eventType === 'interactiveUser',
    userId: null, userPrincipalName: null, userDisplayName: null, userType: null, signInIdentifier: null,
    appId: '', appDisplayName: '', servicePrincipalId: null, servicePrincipalName: null,
    resourceId: null, resourceDisplayName: null, resourceServicePrincipalId: null,
    clientAppUsed: 'Mobile Apps and Desktop clients', authenticationProtocol: 'none', incomingTokenType: 'none',
    originalTransferMethod: 'none', clientCredentialType: 'none', servicePrincipalCredentialKeyId: null, servicePrincipalCredentialThumbprint: null,
    autonomousSystemNumber: null,
    location: { city: null, state: null, countryOrRegion: null, geoCoordinates: null },
    deviceDetail: { deviceId: '', displayName: '', operatingSystem: '', browser: '', isCompliant: null, isManaged: null, trustType: '' },
    status: { errorCode: 0, failureReason: 'Other.', additionalDetails: null },
    conditionalAccessStatus: 'notApplied', appliedConditionalAccessPolicies: [],
    tokenProtectionStatusDetails: { signInSessionStatus: 'none', signInSessionStatusCode: null },
    authenticationRequirement: 'singleFactorAuthentication', authenticationDetails: [], authenticationMethodsUsed: [],
    authenticationContextClassReferences: [],
    riskLevelDuringSignIn: 'none', riskLevelAggregated: 'none', riskState: 'none', riskDetail: 'none', riskEventTypes_v2: [],
    sessionId: null, uniqueTokenIdentifier: null, processingTimeInMilliseconds: 0,
    ...init,
  };
}
