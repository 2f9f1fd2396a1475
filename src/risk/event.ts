/**
 * The typed input of identity protection: one sign-in attempt as the core's sign-in pipeline sees it
 * (docs/DESIGN.md "One path for every sign-in": built once, read by detectors, never re-queried).
 * All times are epoch milliseconds.
 */
import type { GeoInfo } from './geo/lookup.ts';

export interface RiskDevice {
  deviceId?: string;
  /** Operating system as parsed from the user agent or device record, e.g. "Windows 11", "iOS 17.4". */
  operatingSystem?: string;
  /** Browser or client, e.g. "Edge 124.0", "MSAL.NET". */
  browser?: string;
  isManaged?: boolean;
  isCompliant?: boolean;
}

/** Where and to what a session / refresh token was issued — recorded by the core at issuance, echoed back here. */
export interface TokenIssuance {
  issuedAt: number;
  ip: string;
  /** Resolved network at issuance; the engine resolves `ip` when absent. */
  network?: GeoInfo;
  userAgent?: string;
  device?: RiskDevice;
}

export interface PresentedToken {
  kind: 'refreshToken' | 'sessionCookie' | 'primaryRefreshToken';
  /** A stable id of the token family / session (never the token value). */
  tokenId: string;
  issuedTo: TokenIssuance;
  /** True when the presenter proved possession of the device key the token is bound to (DPoP / device-bound session). */
  devicePossessionProven?: boolean;
}

export type FailureKind = 'invalidPassword' | 'unknownUser' | 'mfaFailed' | 'blocked' | 'other';

export interface RiskSignInEvent {
  requestId: string;
  correlationId?: string;
  time: number;
  userId: string;
  userPrincipalName: string;
  userDisplayName?: string;
  appId?: string;
  resourceId?: string;
  ip: string;
  /** Resolved location/ASN of `ip`; the engine resolves it with its GeoLookup when absent. */
  network?: GeoInfo;
  userAgent?: string;
  device?: RiskDevice;
  isInteractive: boolean;
  status: 'success' | 'failure';
  failureKind?: FailureKind;
  /**
   * Fingerprint of the password tried (see password-fingerprint.ts): a keyed HMAC, never the password. Present on
   * password sign-ins, successful or not; password spray detection counts distinct fingerprints per source.
   */
  passwordFingerprint?: string;
  /** The user satisfied MFA in this sign-in (used for learning and self-remediation). */
  mfaSatisfied?: boolean;
  /** Set when the sign-in redeems an existing session or refresh token instead of primary credentials. */
  presentedToken?: PresentedToken;
}

/** A service principal's client-credentials sign-in (seed 004 workload identities). */
export interface ServicePrincipalSignInEvent {
  requestId: string;
  correlationId?: string;
  time: number;
  servicePrincipalId: string;
  appId: string;
  servicePrincipalDisplayName?: string;
  ip: string;
  network?: GeoInfo;
  resourceId: string;
  userAgent?: string;
  credentialType: 'clientSecret' | 'clientAssertion' | 'certificate' | 'federatedIdentityCredential' | 'managedIdentity' | 'none';
  /** Key id of the credential used (keyIds on servicePrincipalRiskDetection). */
  keyId?: string;
  status: 'success' | 'failure';
}

/** A directory change from the audit log, the input of anomalous service principal activity. */
export interface DirectoryAuditEvent {
  id: string;
  time: number;
  /** The service principal that made the change (initiatedBy.app). */
  initiatedByServicePrincipalId?: string;
  activity:
    | 'addCredentialToApplication' | 'addCredentialToServicePrincipal' | 'addAppRoleAssignment'
    | 'addDirectoryRoleMember' | 'addOwnerToApplication' | 'updateApplication' | 'consentToApplication' | 'other';
  /** Target object id (application/servicePrincipal/user) and, for role assignments, the role. */
  targetId: string;
  targetIsSelf?: boolean;
  roleName?: string;
}
