/**
 * Built-in directory roles (template ids are Entra's, so exported policies that target roles by
 * template id work unchanged) and what each may do in Tessera's admin API.
 */
export type Permission =
  | 'directory.read' | 'users.write' | 'groups.write' | 'apps.write' | 'devices.write' | 'roles.write'
  | 'sessions.revoke' | 'policies.read' | 'policies.write' | 'logs.read' | 'risk.read' | 'risk.write' | 'tenants.write';

export interface RoleDefinition { templateId: string; displayName: string; description: string; permissions: readonly Permission[] }

const all: readonly Permission[] = ['directory.read', 'users.write', 'groups.write', 'apps.write', 'devices.write', 'roles.write', 'sessions.revoke', 'policies.read', 'policies.write', 'logs.read', 'risk.read', 'risk.write', 'tenants.write'];
const securityRead: readonly Permission[] = ['directory.read', 'policies.read', 'logs.read', 'risk.read'];

export const builtInRoles: readonly RoleDefinition[] = [
  { templateId: '62e90394-69f5-4237-9190-012177145e10', displayName: 'Global Administrator', description: 'Can manage all aspects of the directory.', permissions: all },
  { templateId: '194ae4cb-b126-40b2-bd5b-6091b380977d', displayName: 'Security Administrator', description: 'Can read security information and reports, and manage conditional access and identity protection.', permissions: [...securityRead, 'policies.write', 'risk.write', 'sessions.revoke', 'devices.write'] },
  { templateId: '5d6b6bb7-de71-4623-b4af-96380a352509', displayName: 'Security Reader', description: 'Can read security information and reports.', permissions: securityRead },
  { templateId: '5f2222b1-57c3-48ba-8ad5-d4759f1fde6f', displayName: 'Security Operator', description: 'Creates and manages security events: confirms or dismisses risk, revokes sessions.', permissions: [...securityRead, 'risk.write', 'sessions.revoke'] },
  { templateId: 'b1be1c3e-b65d-4f19-8427-f6fa0d97feb9', displayName: 'Conditional Access Administrator', description: 'Can manage conditional access capabilities.', permissions: ['directory.read', 'policies.read', 'policies.write'] },
  { templateId: 'f2ef992c-3afb-46b9-b7cf-a126ee74c451', displayName: 'Global Reader', description: 'Can read everything that a Global Administrator can, but not update anything.', permissions: securityRead },
  { templateId: 'fe930be7-5e62-47db-91af-98c3a49a38b1', displayName: 'User Administrator', description: 'Can manage all aspects of users and groups.', permissions: ['directory.read', 'users.write', 'groups.write', 'sessions.revoke'] },
  { templateId: '9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3', displayName: 'Application Administrator', description: 'Can create and manage all aspects of app registrations and enterprise apps.', permissions: ['directory.read', 'apps.write'] },
  { templateId: '7698a772-787b-4ac8-901f-60d6b08affd2', displayName: 'Cloud Device Administrator', description: 'Can enable, disable and delete devices.', permissions: ['directory.read', 'devices.write'] },
];

export const GLOBAL_ADMIN = '62e90394-69f5-4237-9190-012177145e10';

const byTemplate = new Map(builtInRoles.map((r) => [r.templateId, r]));
export const roleByTemplateId = (id: string): RoleDefinition | undefined => byTemplate.get(id);

/** Whether any of the role template ids grants `p`. */
export function rolesAllow(templateIds: readonly string[], p: Permission): boolean {
  return templateIds.some((id) => byTemplate.get(id)?.permissions.includes(p) ?? false);
}
