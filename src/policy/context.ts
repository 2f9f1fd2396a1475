/**
 * `PolicySignInContext`: everything the conditional access engine reads about one sign-in.
 *
 * The core builds it ONCE per token request (DESIGN.md "One path for every sign-in") from what
 * it already knows — directory lookups, device authentication, proof of possession, IP
 * geolocation, identity protection — and passes it to `evaluatePolicies`. The engine never
 * queries anything itself, so every fact a policy can depend on is a field here. Fields are
 * plain data so the same object can be logged, replayed in tests and fed to What-If.
 */
import type {
  AuthenticationMethodMode, ClientAppType, DevicePlatform, GuestOrExternalUserType, InsiderRiskLevel, RiskLevel, TransferMethod, UserAction,
} from './schema/enums.ts';

/** A user signing in (graph-shapes §1.1 conditionalAccessUsers is matched against this). */
export interface PolicyUser {
  kind: 'user';
  /** Directory object id. */
  id: string;
  /** Every group the user is in, transitively (nested groups count, [E6]). */
  groupIds: readonly string[];
  /** Directory role *template* ids of the user's active built-in role assignments ([E6]: AU-scoped and custom roles do not count). */
  roleTemplateIds: readonly string[];
  userType: 'member' | 'guest';
  /**
   * Which external-user kind this is, when it is one (graph-shapes §1.1 guestOrExternalUserTypes);
   * `internalGuest` = a local account with userType guest. Omit for internal members.
   */
  externalUserType?: GuestOrExternalUserType;
  /** Home tenant id of an external user (matched against `externalTenants.members`). */
  externalTenantId?: string;
}

/** A workload identity signing in with client credentials (graph-shapes §1.1 clientApplications). */
export interface PolicyServicePrincipal {
  kind: 'servicePrincipal';
  /** Service principal object id. */
  id: string;
  appId: string;
  /**
   * True when the application is registered in this tenant and single-tenant. [E6][E14]: only
   * such service principals are in scope of workload-identity policies; managed identities and
   * multi-tenant / third-party apps never are.
   */
  isSingleTenantInMyTenant: boolean;
  isManagedIdentity?: boolean;
}

/**
 * The registered device found by device authentication, in Graph `device` shape (graph-shapes §7).
 * Pass `null` when the device is not registered or did not authenticate: device filters then see
 * all-null attributes ([E5]) and device grant controls are unmet.
 */
export interface PolicyDevice {
  deviceId?: string | null;
  displayName?: string | null;
  operatingSystem?: string | null;
  operatingSystemVersion?: string | null;
  /** Graph spells `AzureAd`/`ServerAd`/`Workplace`; compared case-insensitively. */
  trustType?: string | null;
  isCompliant?: boolean | null;
  isManaged?: boolean | null;
  deviceOwnership?: string | null;
  mdmAppId?: string | null;
  manufacturer?: string | null;
  model?: string | null;
  enrollmentProfileName?: string | null;
  profileType?: string | null;
  systemLabels?: readonly string[] | null;
  physicalIds?: readonly string[] | null;
  extensionAttributes?: Partial<Record<`extensionAttribute${1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12 | 13 | 14 | 15}`, string | null>> | null;
}

/** Token protection state of this request (graph-shapes §4, signIn.tokenProtectionStatusDetails). */
export interface TokenProtectionState {
  signInSessionStatus: 'bound' | 'unbound' | 'none';
  /** For unbound: 1002 no device state, 1003 unsupported registration, 1005 other, 1006 OS, 1008 no broker. */
  signInSessionStatusCode?: number;
}

/** What the sign-in has already proven, so controls can be judged satisfied without a prompt. */
export interface SatisfiedState {
  /**
   * Authentication methods completed in this session (authenticationMethodModes, graph-shapes §8),
   * e.g. `['password', 'softwareOath']`. Authentication strengths and `mfa` are judged from these.
   */
  methods: readonly AuthenticationMethodMode[];
  /** Epoch ms of the last full (primary) authentication; sign-in frequency measures from here. */
  lastAuthenticatedAt: number;
  /** Epoch ms of the last second-factor completion, if any (sign-in frequency `secondaryAuthentication`). */
  lastMfaAt?: number;
  /** True when the user changed the password in this sign-in (grant control `passwordChange`). */
  passwordChanged?: boolean;
  /** Terms-of-use agreement ids the user has accepted. */
  acceptedTermsOfUse?: readonly string[];
  /** Token protection of this request. */
  tokenProtection: TokenProtectionState;
}

export interface PolicySignInContext {
  /** Who signs in. */
  subject: PolicyUser | PolicyServicePrincipal;
  /** appId of the client application that asks for the token. */
  clientAppId: string;
  /** appId of the resource (cloud app) the token is for — what `includeApplications` targets ([E1][G2]). */
  resourceAppId: string | null;
  /** A user action being performed instead of accessing a resource. */
  userAction?: UserAction;
  /** Authentication context class references the resource demands (e.g. `['c1']`). */
  authenticationContextClassReferences?: readonly string[];
  clientAppType: Exclude<ClientAppType, 'all' | 'easSupported'>;
  /**
   * Device platform. When omitted the engine derives it from `device.operatingSystem`, then from
   * `userAgent` ([E7]: the platform condition trusts the user agent). Null = unknown platform.
   */
  devicePlatform?: DevicePlatform | null;
  userAgent?: string;
  /** Client IP address as seen by Tessera (never X-Forwarded-For from the client, [E8]). */
  ipAddress: string | null;
  /** ISO 3166 alpha-2 country of `ipAddress` from IP geolocation; null = unknown. */
  country: string | null;
  /** Country from Authenticator GPS, for `countryLookupMethod: authenticatorAppGps`; null/absent = unknown. */
  gpsCountry?: string | null;
  /** Risk levels from identity protection; absent = `none`. */
  signInRiskLevel?: RiskLevel;
  userRiskLevel?: RiskLevel;
  servicePrincipalRiskLevel?: RiskLevel;
  insiderRiskLevel?: InsiderRiskLevel | null;
  /** The registered device, or null (see PolicyDevice). */
  device: PolicyDevice | null;
  /**
   * Authentication flow of this request and the flow the session ORIGINALLY came from.
   * [E10]: a session started by device code or authentication transfer stays protocol-tracked
   * through refreshes, so the core must carry `originalTransferMethod` in the refresh token.
   */
  authenticationFlow: { transferMethod: TransferMethod; originalTransferMethod: TransferMethod };
  satisfied: SatisfiedState;
  /** True when the user is present and can be prompted (interactive sign-in). */
  isInteractive: boolean;
  /** Evaluation time, epoch ms (injected so evaluation is pure and testable). */
  now: number;
}
