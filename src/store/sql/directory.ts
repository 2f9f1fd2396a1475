import type { Selectable } from 'kysely';
import type { Database } from '../schema.ts';
import type { Group, GroupStore, Member, MemberType, RoleStore, Tenant, TenantStore, User, UserStore } from '../types.ts';
import { b, bool, insertIfAbsent, insertOrConflict, json, num, page, type Db } from './common.ts';

const tenantRow = (r: Selectable<Database['tenants']>): Tenant => ({ id: r.id, domain: r.domain, displayName: r.display_name, createdAt: num(r.created_at) });

export function tenantStore(db: Db): TenantStore {
  return {
    async create(t) {
      await insertOrConflict(`tenant ${t.domain}`, () => db.insertInto('tenants').values({ id: t.id, domain: t.domain.toLowerCase(), display_name: t.displayName, created_at: t.createdAt }).execute());
    },
    async get(idOrDomain) {
      const r = await db.selectFrom('tenants').selectAll().where((eb) => eb.or([eb('id', '=', idOrDomain.toLowerCase()), eb('domain', '=', idOrDomain.toLowerCase())])).executeTakeFirst();
      return r && tenantRow(r);
    },
    async list() {
      return (await db.selectFrom('tenants').selectAll().orderBy('created_at').execute()).map(tenantRow);
    },
  };
}

export const userRow = (r: Selectable<Database['users']>): User => ({
  id: r.id, tenantId: r.tenant_id, userPrincipalName: r.upn, displayName: r.display_name, givenName: r.given_name,
  surname: r.surname, mail: r.mail, accountEnabled: bool(r.account_enabled), userType: r.user_type === 'Guest' ? 'Guest' : 'Member',
  passwordHash: r.password_hash, totpSecret: r.totp_secret, signInSessionsValidFrom: num(r.sessions_valid_from),
  createdAt: num(r.created_at), updatedAt: num(r.updated_at), extra: json(r.extra, {}),
});

const userValues = (u: User) => ({
  id: u.id, tenant_id: u.tenantId, upn: u.userPrincipalName.toLowerCase(), display_name: u.displayName, given_name: u.givenName,
  surname: u.surname, mail: u.mail, account_enabled: b(u.accountEnabled), user_type: u.userType, password_hash: u.passwordHash,
  totp_secret: u.totpSecret, sessions_valid_from: u.signInSessionsValidFrom, created_at: u.createdAt, updated_at: u.updatedAt,
  extra: JSON.stringify(u.extra),
});

export function userStore(db: Db): UserStore {
  return {
    async create(u) {
      await insertOrConflict(`user ${u.userPrincipalName}`, () => db.insertInto('users').values(userValues(u)).execute());
    },
    async get(tenantId, id) {
      const r = await db.selectFrom('users').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return r && userRow(r);
    },
    async getByUpn(tenantId, upn) {
      const r = await db.selectFrom('users').selectAll().where('tenant_id', '=', tenantId).where('upn', '=', upn.toLowerCase()).executeTakeFirst();
      return r && userRow(r);
    },
    async list(tenantId, opts) {
      return (await page(db.selectFrom('users').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at').orderBy('id'), opts).execute()).map(userRow);
    },
    async update(u) {
      const { id, tenant_id, ...rest } = userValues(u);
      await insertOrConflict(`user ${u.userPrincipalName}`, () => db.updateTable('users').set(rest).where('tenant_id', '=', tenant_id).where('id', '=', id).execute());
    },
    async delete(tenantId, id) {
      const r = await db.deleteFrom('users').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      if (r.numDeletedRows > 0n) {
        await db.deleteFrom('group_members').where('member_id', '=', id).execute();
        await db.deleteFrom('role_assignments').where('principal_id', '=', id).execute();
        await db.deleteFrom('device_owners').where('user_id', '=', id).execute();
        return true;
      }
      return false;
    },
  };
}

const groupRow = (r: Selectable<Database['groups']>): Group => ({
  id: r.id, tenantId: r.tenant_id, displayName: r.display_name, description: r.description, mailNickname: r.mail_nickname,
  securityEnabled: bool(r.security_enabled), mailEnabled: bool(r.mail_enabled), createdAt: num(r.created_at),
});

export function groupStore(db: Db): GroupStore {
  return {
    async create(g) {
      await insertOrConflict(`group ${g.id}`, () => db.insertInto('groups').values({
        id: g.id, tenant_id: g.tenantId, display_name: g.displayName, description: g.description, mail_nickname: g.mailNickname,
        security_enabled: b(g.securityEnabled), mail_enabled: b(g.mailEnabled), created_at: g.createdAt,
      }).execute());
    },
    async get(tenantId, id) {
      const r = await db.selectFrom('groups').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return r && groupRow(r);
    },
    async list(tenantId, opts) {
      return (await page(db.selectFrom('groups').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at').orderBy('id'), opts).execute()).map(groupRow);
    },
    async update(g) {
      await db.updateTable('groups').set({
        display_name: g.displayName, description: g.description, mail_nickname: g.mailNickname,
        security_enabled: b(g.securityEnabled), mail_enabled: b(g.mailEnabled),
      }).where('tenant_id', '=', g.tenantId).where('id', '=', g.id).execute();
    },
    async delete(tenantId, id) {
      const r = await db.deleteFrom('groups').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      await db.deleteFrom('group_members').where((eb) => eb.or([eb('group_id', '=', id), eb('member_id', '=', id)])).execute();
      return r.numDeletedRows > 0n;
    },
    addMember: (tenantId, groupId, m) =>
      insertIfAbsent(() => db.insertInto('group_members').values({ tenant_id: tenantId, group_id: groupId, member_id: m.id, member_type: m.type }).execute()),
    async removeMember(tenantId, groupId, memberId) {
      const r = await db.deleteFrom('group_members').where('tenant_id', '=', tenantId).where('group_id', '=', groupId).where('member_id', '=', memberId).executeTakeFirst();
      return r.numDeletedRows > 0n;
    },
    async members(tenantId, groupId) {
      const rows = await db.selectFrom('group_members').select(['member_id', 'member_type']).where('tenant_id', '=', tenantId).where('group_id', '=', groupId).execute();
      return rows.map((r): Member => ({ id: r.member_id, type: r.member_type as MemberType }));
    },
    async transitiveGroupIds(tenantId, memberId) {
      // Breadth-first over membership edges; the visited set makes cycles harmless.
      const seen = new Set<string>();
      let frontier = [memberId];
      while (frontier.length) {
        const rows = await db.selectFrom('group_members').select('group_id').where('tenant_id', '=', tenantId).where('member_id', 'in', frontier).execute();
        frontier = [];
        for (const r of rows) if (!seen.has(r.group_id)) { seen.add(r.group_id); frontier.push(r.group_id); }
      }
      return [...seen];
    },
  };
}

export function roleStore(db: Db): RoleStore {
  return {
    assign: (tenantId, roleTemplateId, principalId, principalType) =>
      insertIfAbsent(() => db.insertInto('role_assignments').values({ tenant_id: tenantId, role_template_id: roleTemplateId, principal_id: principalId, principal_type: principalType, created_at: Date.now() }).execute()),
    async unassign(tenantId, roleTemplateId, principalId) {
      const r = await db.deleteFrom('role_assignments').where('tenant_id', '=', tenantId).where('role_template_id', '=', roleTemplateId).where('principal_id', '=', principalId).executeTakeFirst();
      return r.numDeletedRows > 0n;
    },
    async members(tenantId, roleTemplateId) {
      const rows = await db.selectFrom('role_assignments').select(['principal_id', 'principal_type']).where('tenant_id', '=', tenantId).where('role_template_id', '=', roleTemplateId).orderBy('created_at').execute();
      return rows.map((r) => ({ principalId: r.principal_id, principalType: r.principal_type }));
    },
    async rolesOf(tenantId, principalId) {
      const rows = await db.selectFrom('role_assignments').select('role_template_id').where('tenant_id', '=', tenantId).where('principal_id', '=', principalId).execute();
      return rows.map((r) => r.role_template_id);
    },
  };
}
