/**
 * Entra's error for each unmet control (reference-error-codes of the Microsoft identity platform):
 * the OAuth `error`, the AADSTS number and its public description. Non-interactive requests get
 * these; interactive ones are prompted where a prompt can satisfy the control.
 */
export interface ControlError { error: 'interaction_required' | 'unauthorized_client'; aadsts: number; description: string }

export const controlErrors = {
  /** AADSTS50076: MFA required (also used for an unmet authentication strength). */
  mfa: { error: 'interaction_required', aadsts: 50076, description: 'Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access this resource.' },
  /** AADSTS53003 BlockedByConditionalAccess. */
  block: { error: 'interaction_required', aadsts: 53003, description: 'Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.' },
  /** AADSTS53000 DeviceNotCompliant. */
  compliantDevice: { error: 'interaction_required', aadsts: 53000, description: 'Conditional Access policy requires a compliant device, and the device is not compliant.' },
  /** AADSTS53001 DeviceNotDomainJoined. */
  domainJoinedDevice: { error: 'interaction_required', aadsts: 53001, description: 'Conditional Access policy requires a domain joined device, and the device is not domain joined.' },
  /** AADSTS53002 ApplicationUsedIsNotAnApprovedApp. */
  approvedApplication: { error: 'interaction_required', aadsts: 53002, description: 'The app used is not an approved app for Conditional Access.' },
  /** AADSTS53005: app protection (Intune MAM) required — Entra answers unauthorized_client. */
  compliantApplication: { error: 'unauthorized_client', aadsts: 53005, description: 'Application needs to enforce Intune protection policies.' },
  /** AADSTS50142: password change required by Conditional Access. */
  passwordChange: { error: 'interaction_required', aadsts: 50142, description: 'Password change is required due to a Conditional Access policy.' },
  /** AADSTS50158 ExternalSecurityChallenge: a custom control could not be satisfied. */
  customControl: { error: 'interaction_required', aadsts: 50158, description: 'External security challenge was not satisfied.' },
  /** AADSTS530084: blocked by the token protection session control. */
  tokenProtection: { error: 'interaction_required', aadsts: 530084, description: 'Access has been blocked by conditional access token protection policy configured by this organization.' },
  /** AADSTS70044: the session expired under a sign-in frequency check. */
  signInFrequency: { error: 'interaction_required', aadsts: 70044, description: 'The session has expired or is invalid due to sign-in frequency checks by conditional access.' },
} as const satisfies Record<string, ControlError>;
