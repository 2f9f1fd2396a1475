import type { PolicyRepository } from '../policy/repository.ts';
import type { RiskRepository } from '../risk/repository.ts';

/**
 * Narrow store contracts, one per artifact. Every implementation (SQLite, PostgreSQL) must pass
 * the contract suite in `contract.ts`. Concurrency guarantees are part of each contract and are
 * written on the method that gives them.
 */

export interface Tenant { id: string; domain: string; displayName: string; createdAt: number }

export interface User {
  id: string; tenantId: string; userPrincipalName: string; displayName: string; givenName: string | null;
  surname: string | null; mail: string | null; accountEnabled: boolean; userType: 'Member' | 'Guest';
  passwordHash: string | null; totpSecret: string | null; signInSessionsValidFrom: number;
  createdAt: number; updatedAt: number; extra: Record<string, unknown>;
}

export interface Group {
  id: string; tenantId: string; displayName: string; description: string | null; mailNickname: string | null;
  securityEnabled: boolean; mailEnabled: boolean; createdAt: number;
}

export type MemberType = 'user' | 'group' | 'servicePrincipal' | 'device';
export interface Member { id: string; type: MemberType }

export interface AppRole { id: string; value: string; displayName: string; description: string; allowedMemberTypes: string[]; isEnabled: boolean }
export interface PermissionScope { id: string; value: string; adminConsentDisplayName: string; adminConsentDescription: string; type: 'User' | 'Admin'; isEnabled: boolean }

export interface Application {
  id: string; tenantId: string; appId: string; displayName: string; isPublic: boolean; signInAudience: string;
  redirectUris: string[]; identifierUris: string[]; appRoles: AppRole[]; scopes: PermissionScope[];
  /** Until conditional access drives it: require device-bound (token-protected) sign-ins for this resource. */
  tokenProtectionRequired: boolean; createdAt: number; updatedAt: number;
  /** Graph properties Tessera keeps but does not act on (platform split of redirect URIs, notes, …); absent means `{}`. */
  extra?: Record<string, unknown>;
}

export interface Credential {
  keyId: string; tenantId: string; appId: string; kind: 'secret' | 'certificate'; displayName: string | null;
  hint: string | null; secretHash: string | null; publicJwk: Record<string, unknown> | null; thumbprint: string | null;
  startAt: number; endAt: number;
}

export interface ServicePrincipal { id: string; tenantId: string; appId: string; displayName: string; accountEnabled: boolean; createdAt: number }

export interface AppRoleAssignment { id: string; tenantId: string; principalId: string; principalType: string; resourceId: string; appRoleId: string; createdAt: number }

export interface Device {
  id: string; tenantId: string; deviceId: string; displayName: string; accountEnabled: boolean;
  operatingSystem: string | null; operatingSystemVersion: string | null; trustType: string | null;
  isCompliant: boolean | null; isManaged: boolean | null; profileType: string | null; systemLabels: string[];
  enrollmentProfileName: string | null; registrationKind: string | null;
  deviceKeyJwk: Record<string, unknown> | null; transportKeyJwk: Record<string, unknown> | null;
  registeredAt: number; lastSignInAt: number | null; extra: Record<string, unknown>;
}

export interface AuthCode {
  codeHash: string; tenantId: string; clientId: string; userId: string; redirectUri: string; scope: string;
  resource: string | null; codeChallenge: string | null; nonce: string | null; sid: string; authTime: number;
  amr: string[]; dpopJkt: string | null; expiresAt: number; extra: Record<string, unknown>;
}

export interface RefreshToken {
  tokenHash: string; familyId: string; tenantId: string; clientId: string; userId: string; scope: string;
  resource: string | null; sid: string; authTime: number; amr: string[]; jkt: string | null; deviceId: string | null;
  issuedAt: number; expiresAt: number; status: 'active' | 'rotated' | 'revoked'; usedAt: number | null;
  /** What the token was issued to: ipAddress, userAgent, originalTransferMethod, … */
  context: Record<string, unknown>;
}

export interface DeviceCode {
  deviceCodeHash: string; userCode: string; tenantId: string; clientId: string; scope: string; resource: string | null;
  status: 'pending' | 'approved' | 'denied' | 'consumed'; userId: string | null; sid: string | null;
  authTime: number | null; amr: string[] | null; expiresAt: number; intervalS: number; lastPolledAt: number | null; createdAt: number;
}

export interface Session { id: string; tenantId: string; userId: string; authTime: number; amr: string[]; createdAt: number; expiresAt: number; revoked: boolean }

export interface SigningKey { kid: string; alg: string; publicJwk: Record<string, unknown>; privateSealed: string; createdAt: number; activatedAt: number; retiredAt: number | null }

export interface AuditEvent {
  id: string; tenantId: string; activityAt: number; category: string; activity: string; result: 'success' | 'failure';
  initiatedBy: Record<string, unknown>; targetResources: Record<string, unknown>[]; additionalDetails: { key: string; value: string }[];
  correlationId: string;
}

/**
 * The server-side record of an admin-issued device enrollment token (docs/token-protection.md §11.1):
 * what an administrator needs to list and revoke it, and its use count. Never the token itself
 * (that is sealed and handed out once); `id` is the `jti` sealed inside it.
 */
export interface EnrollmentTokenRecord {
  id: string; tenantId: string;
  /** Object id of the admin or service principal that issued it. */
  issuedBy: string;
  /** Epoch milliseconds. */
  createdAt: number; expiresAt: number;
  /** What the token grants the devices it registers (also sealed in the token). */
  trustType: string; profileType: string | null; systemLabels: string[]; enrollmentProfileName: string | null;
  /** Registrations allowed; null: unlimited until expiry. */
  maxUses: number | null; usageCount: number; lastUsedAt: number | null;
  revokedAt: number | null; revokedBy: string | null;
}

/** Why a use was refused, or `'used'`. */
export type EnrollmentTokenUse = 'used' | 'unknown' | 'revoked' | 'expired' | 'exhausted';

export interface ListOptions { limit?: number; offset?: number }

/**
 * How `deleteExpired` bounds its work: at most `batchSize` rows per statement (default 5,000), with
 * a turn of the event loop between statements, until a statement deletes fewer. SQLite runs on the
 * main thread, so one DELETE of a large backlog stalls every request: measured on refresh_tokens
 * (300,000 rows, 200,000 expired), one statement held the event loop 1.6 s; batches of 10,000 held
 * it at most 0.2 s each, of 5,000 at most 0.11 s, of 2,000 at most 0.07 s but 1.5× as long in all.
 */
export interface PurgeOptions { batchSize?: number }

export interface TenantStore {
  create(t: Tenant): Promise<void>;
  get(idOrDomain: string): Promise<Tenant | undefined>;
  list(): Promise<Tenant[]>;
}

export interface UserStore {
  /** Fails with a `StoreConflict` when the UPN is taken in the tenant. */
  create(u: User): Promise<void>;
  get(tenantId: string, id: string): Promise<User | undefined>;
  getByUpn(tenantId: string, upn: string): Promise<User | undefined>;
  list(tenantId: string, opts?: ListOptions): Promise<User[]>;
  update(u: User): Promise<void>;
  delete(tenantId: string, id: string): Promise<boolean>;
}

export interface GroupStore {
  create(g: Group): Promise<void>;
  get(tenantId: string, id: string): Promise<Group | undefined>;
  list(tenantId: string, opts?: ListOptions): Promise<Group[]>;
  update(g: Group): Promise<void>;
  delete(tenantId: string, id: string): Promise<boolean>;
  addMember(tenantId: string, groupId: string, member: Member): Promise<boolean>;
  removeMember(tenantId: string, groupId: string, memberId: string): Promise<boolean>;
  members(tenantId: string, groupId: string): Promise<Member[]>;
  /** Ids of every group the member belongs to, directly or through nested groups (cycles tolerated). */
  transitiveGroupIds(tenantId: string, memberId: string): Promise<string[]>;
}

export interface RoleStore {
  assign(tenantId: string, roleTemplateId: string, principalId: string, principalType: string): Promise<boolean>;
  unassign(tenantId: string, roleTemplateId: string, principalId: string): Promise<boolean>;
  members(tenantId: string, roleTemplateId: string): Promise<{ principalId: string; principalType: string }[]>;
  rolesOf(tenantId: string, principalId: string): Promise<string[]>;
}

export interface ApplicationStore {
  create(a: Application): Promise<void>;
  get(tenantId: string, id: string): Promise<Application | undefined>;
  getByAppId(appId: string): Promise<Application | undefined>;
  /** The application whose identifierUris contain `uri` in the tenant. */
  getByIdentifierUri(tenantId: string, uri: string): Promise<Application | undefined>;
  list(tenantId: string, opts?: ListOptions): Promise<Application[]>;
  update(a: Application): Promise<void>;
  delete(tenantId: string, id: string): Promise<boolean>;
  addCredential(c: Credential): Promise<void>;
  credentials(appId: string): Promise<Credential[]>;
  removeCredential(appId: string, keyId: string): Promise<boolean>;
}

export interface ServicePrincipalStore {
  create(sp: ServicePrincipal): Promise<void>;
  get(tenantId: string, id: string): Promise<ServicePrincipal | undefined>;
  getByAppId(tenantId: string, appId: string): Promise<ServicePrincipal | undefined>;
  list(tenantId: string, opts?: ListOptions): Promise<ServicePrincipal[]>;
  update(sp: ServicePrincipal): Promise<void>;
  delete(tenantId: string, id: string): Promise<boolean>;
  assignAppRole(a: AppRoleAssignment): Promise<void>;
  appRoleAssignmentsOf(tenantId: string, principalId: string): Promise<AppRoleAssignment[]>;
  /** Assignments of the resource service principal's app roles (Graph `appRoleAssignedTo`), oldest first. */
  appRoleAssignmentsTo(tenantId: string, resourceId: string): Promise<AppRoleAssignment[]>;
  removeAppRoleAssignment(tenantId: string, id: string): Promise<boolean>;
}

export interface DeviceStore {
  create(d: Device, ownerIds: string[]): Promise<void>;
  get(tenantId: string, id: string): Promise<Device | undefined>;
  getByDeviceId(tenantId: string, deviceId: string): Promise<Device | undefined>;
  list(tenantId: string, opts?: ListOptions): Promise<Device[]>;
  update(d: Device): Promise<void>;
  delete(tenantId: string, id: string): Promise<boolean>;
  owners(tenantId: string, id: string): Promise<string[]>;
  /**
   * Records a sign-in from the device (Graph approximateLastSignInDateTime). Writes only that column,
   * so it never undoes a concurrent admin change; skipped when the stored value is within `granularityMs`.
   */
  touchSignIn(tenantId: string, id: string, at: number, granularityMs: number): Promise<void>;
  ofOwner(tenantId: string, userId: string): Promise<Device[]>;
}

export interface AuthCodeStore {
  save(c: AuthCode): Promise<void>;
  /** Marks the code used and returns it. Exactly one of any number of concurrent callers receives the row; the others get `'used'`. */
  consume(codeHash: string, now: number): Promise<AuthCode | 'used' | undefined>;
  /**
   * Deletes codes that expired before `before`, consumed or not, in batches (see `PurgeOptions`);
   * returns how many. The caller chooses `before` (expiry plus a grace period, src/server/housekeeping.ts).
   */
  deleteExpired(before: number, opts?: PurgeOptions): Promise<number>;
}

export type RotateResult = 'rotated' | 'reused' | 'invalid';

export interface RefreshTokenStore {
  save(t: RefreshToken): Promise<void>;
  find(tokenHash: string): Promise<RefreshToken | undefined>;
  /**
   * Retires `oldHash` and stores `next` in one step. Exactly one of concurrent callers presenting the
   * same active token gets `'rotated'`; a token that was already rotated gets `'reused'` and its whole
   * family is revoked (RFC 9700 §4.14.2); a revoked or unknown token gets `'invalid'`.
   */
  rotate(oldHash: string, next: RefreshToken, now: number): Promise<RotateResult>;
  revokeFamily(familyId: string): Promise<number>;
  /** Revokes every active token of the user (revokeSignInSessions); returns how many. */
  revokeForUser(tenantId: string, userId: string): Promise<number>;
  revokeForDevice(tenantId: string, deviceId: string): Promise<number>;
  countActive(): Promise<number>;
  /**
   * Deletes tokens (of any status, device-bound session tokens included) that expired before
   * `before`, in batches (see `PurgeOptions`): rotation keeps a row per retired token for reuse
   * detection, and a token long expired needs none. Returns how many were deleted. The caller
   * chooses `before` (expiry plus a grace period, src/server/housekeeping.ts).
   */
  deleteExpired(before: number, opts?: PurgeOptions): Promise<number>;
}

export interface EnrollmentTokenStore {
  /** Fails with a `StoreConflict` when the id exists. */
  create(r: EnrollmentTokenRecord): Promise<void>;
  get(tenantId: string, id: string): Promise<EnrollmentTokenRecord | undefined>;
  /** Newest first. */
  list(tenantId: string, opts?: ListOptions): Promise<EnrollmentTokenRecord[]>;
  /**
   * Counts one registration with the token if it is not revoked, not expired at `now` and below
   * `maxUses`. Of any number of concurrent callers, exactly `maxUses - usageCount` get `'used'`;
   * the others learn why not. A revocation that has returned is seen by every later call.
   */
  use(tenantId: string, id: string, now: number): Promise<EnrollmentTokenUse>;
  /** Revokes the token; true when this call revoked it, false when it was unknown or already revoked. */
  revoke(tenantId: string, id: string, by: string, now: number): Promise<boolean>;
  /**
   * Deletes records (revoked, used up or not) that expired before `before`, in batches (see
   * `PurgeOptions`); returns how many. The caller chooses `before` (src/server/housekeeping.ts).
   */
  deleteExpired(before: number, opts?: PurgeOptions): Promise<number>;
}

export interface DeviceCodeStore {
  create(c: DeviceCode): Promise<void>;
  getByUserCode(userCode: string): Promise<DeviceCode | undefined>;
  get(deviceCodeHash: string): Promise<DeviceCode | undefined>;
  /** Pending → approved/denied; false when the code is no longer pending. */
  decide(userCode: string, decision: { status: 'approved' | 'denied'; userId: string; sid: string; authTime: number; amr: string[] }): Promise<boolean>;
  /** Records a poll; returns the previous poll time (for slow_down, RFC 8628 §3.5). */
  touch(deviceCodeHash: string, now: number): Promise<number | null>;
  /** approved → consumed; exactly one concurrent caller gets true. */
  consume(deviceCodeHash: string): Promise<boolean>;
  /**
   * Deletes device codes of any status that expired before `before`, in batches (see
   * `PurgeOptions`); returns how many. The caller chooses `before` (src/server/housekeeping.ts).
   */
  deleteExpired(before: number, opts?: PurgeOptions): Promise<number>;
}

export interface SessionStore {
  create(s: Session): Promise<void>;
  get(id: string): Promise<Session | undefined>;
  revoke(id: string): Promise<void>;
  revokeForUser(tenantId: string, userId: string): Promise<number>;
  /**
   * Deletes sessions (revoked or not) that expired before `before`, in batches (see
   * `PurgeOptions`); returns how many. The caller chooses `before` (src/server/housekeeping.ts).
   */
  deleteExpired(before: number, opts?: PurgeOptions): Promise<number>;
}

export interface SigningKeyStore {
  add(k: SigningKey): Promise<void>;
  list(): Promise<SigningKey[]>;
  retire(kid: string, at: number): Promise<void>;
  delete(kid: string): Promise<void>;
}

export interface AuditStore {
  /** Durable before it returns: the admin API answers only after this resolves. */
  append(e: AuditEvent): Promise<void>;
  list(tenantId: string, opts?: ListOptions & { since?: number }): Promise<AuditEvent[]>;
  get(tenantId: string, id: string): Promise<AuditEvent | undefined>;
}

export interface Store {
  /** Conditional access policies and named locations of one tenant (contract: src/policy/repository-contract.ts). */
  policies(tenantId: string): PolicyRepository;
  /** Identity protection records of one tenant (contract: src/risk/repository.contract.ts). */
  risk(tenantId: string): RiskRepository;
  readonly dialect: 'sqlite' | 'postgres';
  tenants: TenantStore;
  users: UserStore;
  groups: GroupStore;
  roles: RoleStore;
  applications: ApplicationStore;
  servicePrincipals: ServicePrincipalStore;
  devices: DeviceStore;
  authCodes: AuthCodeStore;
  refreshTokens: RefreshTokenStore;
  deviceCodes: DeviceCodeStore;
  enrollmentTokens: EnrollmentTokenStore;
  sessions: SessionStore;
  signingKeys: SigningKeyStore;
  audit: AuditStore;
  close(): Promise<void>;
}

/** A uniqueness conflict (duplicate UPN, appId, deviceId …). */
export class StoreConflict extends Error {
  override readonly name = 'StoreConflict';
}
