/**
 * Enumerations of the conditional access Graph shapes (graph-shapes.md §1, §2, §8), in
 * declaration order. Flags enums (⚑ in the reference) serialise as ONE comma-separated string.
 */

export const policyStates = ['enabled', 'disabled', 'enabledForReportingButNotEnforced'] as const;
export type PolicyState = (typeof policyStates)[number];

/** `easUnsupported` is retired in favour of `exchangeActiveSync` (graph-shapes §1.1); import maps it. */
export const clientAppTypes = ['all', 'browser', 'mobileAppsAndDesktopClients', 'exchangeActiveSync', 'easSupported', 'other'] as const;
export type ClientAppType = (typeof clientAppTypes)[number];

export const devicePlatforms = ['android', 'iOS', 'windows', 'windowsPhone', 'macOS', 'all', 'linux'] as const;
export type DevicePlatform = Exclude<(typeof devicePlatforms)[number], 'all'>;

export const riskLevels = ['low', 'medium', 'high', 'hidden', 'none'] as const;
export type RiskLevel = (typeof riskLevels)[number];

export const insiderRiskLevels = ['minor', 'moderate', 'elevated'] as const;
export type InsiderRiskLevel = (typeof insiderRiskLevels)[number];

export const transferMethods = ['none', 'deviceCodeFlow', 'authenticationTransfer'] as const;
export type TransferMethod = (typeof transferMethods)[number];

export const guestOrExternalUserTypes = [
  'none', 'internalGuest', 'b2bCollaborationGuest', 'b2bCollaborationMember', 'b2bDirectConnectUser', 'otherExternalUser', 'serviceProvider',
] as const;
export type GuestOrExternalUserType = Exclude<(typeof guestOrExternalUserTypes)[number], 'none'>;

export const builtInControls = [
  'block', 'mfa', 'compliantDevice', 'domainJoinedDevice', 'approvedApplication', 'compliantApplication', 'passwordChange', 'riskRemediation',
] as const;
export type BuiltInControl = (typeof builtInControls)[number];

export const authenticationMethodModes = [
  'password', 'voice', 'hardwareOath', 'softwareOath', 'sms', 'fido2', 'windowsHelloForBusiness', 'microsoftAuthenticatorPush',
  'deviceBasedPush', 'temporaryAccessPassOneTime', 'temporaryAccessPassMultiUse', 'email', 'x509CertificateSingleFactor',
  'x509CertificateMultiFactor', 'federatedSingleFactor', 'federatedMultiFactor', 'qrCodePin',
] as const;
export type AuthenticationMethodMode = (typeof authenticationMethodModes)[number];

export const userActions = ['urn:user:registersecurityinfo', 'urn:user:registerdevice'] as const;
export type UserAction = (typeof userActions)[number];

/** Special values of users.includeUsers / excludeUsers (graph-shapes §1.1). */
export const ALL = 'All';
export const NONE = 'None';
export const GUESTS_OR_EXTERNAL = 'GuestsOrExternalUsers';
