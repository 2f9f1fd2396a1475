/**
 * Table shapes shared by the SQLite and PostgreSQL implementations (Kysely types).
 * Conventions that keep one SQL text valid on both engines: booleans are INTEGER 0/1,
 * instants are epoch milliseconds (BIGINT), structured values are JSON text.
 */
import type { Generated } from 'kysely';

export interface TenantsTable { id: string; domain: string; display_name: string; created_at: number }

export interface UsersTable {
  id: string; tenant_id: string; upn: string; display_name: string; given_name: string | null; surname: string | null;
  mail: string | null; account_enabled: number; user_type: string; password_hash: string | null;
  totp_secret: string | null; sessions_valid_from: number; created_at: number; updated_at: number;
  /** Other Graph properties (jobTitle, department, …) as JSON. */
  extra: string;
}

export interface GroupsTable {
  id: string; tenant_id: string; display_name: string; description: string | null; mail_nickname: string | null;
  security_enabled: number; mail_enabled: number; created_at: number;
}

export interface GroupMembersTable { tenant_id: string; group_id: string; member_id: string; member_type: string }

export interface RoleAssignmentsTable { tenant_id: string; role_template_id: string; principal_id: string; principal_type: string; created_at: number }

export interface ApplicationsTable {
  id: string; tenant_id: string; app_id: string; display_name: string; is_public: number; sign_in_audience: string;
  redirect_uris: string; identifier_uris: string; app_roles: string; scopes: string; token_protection_required: number;
  created_at: number; updated_at: number; extra: string | null;
}

export interface CredentialsTable {
  key_id: string; tenant_id: string; app_id: string; kind: string; display_name: string | null; hint: string | null;
  secret_hash: string | null; public_jwk: string | null; thumbprint: string | null; start_at: number; end_at: number;
}

export interface ServicePrincipalsTable {
  id: string; tenant_id: string; app_id: string; display_name: string; account_enabled: number; created_at: number;
}

export interface AppRoleAssignmentsTable {
  id: string; tenant_id: string; principal_id: string; principal_type: string; resource_id: string; app_role_id: string; created_at: number;
}

export interface DevicesTable {
  id: string; tenant_id: string; device_id: string; display_name: string; account_enabled: number;
  operating_system: string | null; operating_system_version: string | null; trust_type: string | null;
  is_compliant: number | null; is_managed: number | null; profile_type: string | null; system_labels: string;
  enrollment_profile_name: string | null; registration_kind: string | null; device_key_jwk: string | null;
  transport_key_jwk: string | null; registered_at: number; last_sign_in_at: number | null; extra: string;
}

export interface DeviceOwnersTable { tenant_id: string; device_id: string; user_id: string }

export interface AuthCodesTable {
  code_hash: string; tenant_id: string; client_id: string; user_id: string; redirect_uri: string; scope: string;
  resource: string | null; code_challenge: string | null; nonce: string | null; sid: string; auth_time: number;
  amr: string; dpop_jkt: string | null; expires_at: number; consumed: number; extra: string;
}

export interface RefreshTokensTable {
  token_hash: string; family_id: string; tenant_id: string; client_id: string; user_id: string; scope: string;
  resource: string | null; sid: string; auth_time: number; amr: string; jkt: string | null; device_id: string | null;
  issued_at: number; expires_at: number; status: string; used_at: number | null;
  /** Properties the token was issued to (IP, user agent, original transfer method …) as JSON. */
  context: string;
}

export interface DeviceCodesTable {
  device_code_hash: string; user_code: string; tenant_id: string; client_id: string; scope: string; resource: string | null;
  status: string; user_id: string | null; sid: string | null; auth_time: number | null; amr: string | null;
  expires_at: number; interval_s: number; last_polled_at: number | null; created_at: number;
}

export interface SessionsTable {
  id: string; tenant_id: string; user_id: string; auth_time: number; amr: string; created_at: number;
  expires_at: number; revoked: number;
}

export interface SigningKeysTable {
  kid: string; alg: string; public_jwk: string; private_sealed: string; created_at: number;
  activated_at: number; retired_at: number | null;
}

export interface AuditEventsTable {
  id: string; tenant_id: string; activity_at: number; category: string; activity: string; result: string;
  initiated_by: string; target_resources: string; additional_details: string; correlation_id: string; seq: Generated<number>;
}

export interface EnrollmentTokensTable {
  id: string; tenant_id: string; issued_by: string; created_at: number; expires_at: number;
  /** JSON: trustType, profileType, systemLabels, enrollmentProfileName (what the sealed token grants). */
  grant_summary: string;
  max_uses: number | null; use_count: number; last_used_at: number | null; revoked_at: number | null; revoked_by: string | null;
}

export interface CaDocumentsTable { tenant_id: string; kind: string; id: string; body: string; created_at: number }
export interface RiskDocumentsTable { seq: Generated<number>; tenant_id: string; kind: string; id: string; subject_id: string; body: string }
export interface CaVersionsTable { tenant_id: string; version: number }

export interface Database {
  tenants: TenantsTable;
  users: UsersTable;
  groups: GroupsTable;
  group_members: GroupMembersTable;
  role_assignments: RoleAssignmentsTable;
  applications: ApplicationsTable;
  credentials: CredentialsTable;
  service_principals: ServicePrincipalsTable;
  app_role_assignments: AppRoleAssignmentsTable;
  devices: DevicesTable;
  device_owners: DeviceOwnersTable;
  auth_codes: AuthCodesTable;
  refresh_tokens: RefreshTokensTable;
  device_codes: DeviceCodesTable;
  sessions: SessionsTable;
  signing_keys: SigningKeysTable;
  audit_events: AuditEventsTable;
  ca_documents: CaDocumentsTable;
  ca_versions: CaVersionsTable;
  risk_documents: RiskDocumentsTable;
  enrollment_tokens: EnrollmentTokensTable;
}
