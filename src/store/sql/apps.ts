import type { Selectable } from 'kysely';
import type { Database } from '../schema.ts';
import type { Application, ApplicationStore, AppRoleAssignment, Credential, Device, DeviceStore, ServicePrincipal, ServicePrincipalStore } from '../types.ts';
import { b, bool, insertOrConflict, json, nb, nbool, nnum, num, page, type Db } from './common.ts';

const appRow = (r: Selectable<Database['applications']>): Application => ({
  id: r.id, tenantId: r.tenant_id, appId: r.app_id, displayName: r.display_name, isPublic: bool(r.is_public),
  signInAudience: r.sign_in_audience, redirectUris: json(r.redirect_uris, []), identifierUris: json(r.identifier_uris, []),
  appRoles: json(r.app_roles, []), scopes: json(r.scopes, []), tokenProtectionRequired: bool(r.token_protection_required),
  createdAt: num(r.created_at), updatedAt: num(r.updated_at), extra: json(r.extra, {}),
});

const appValues = (a: Application) => ({
  id: a.id, tenant_id: a.tenantId, app_id: a.appId, display_name: a.displayName, is_public: b(a.isPublic),
  sign_in_audience: a.signInAudience, redirect_uris: JSON.stringify(a.redirectUris), identifier_uris: JSON.stringify(a.identifierUris),
  app_roles: JSON.stringify(a.appRoles), scopes: JSON.stringify(a.scopes), token_protection_required: b(a.tokenProtectionRequired),
  created_at: a.createdAt, updated_at: a.updatedAt, extra: JSON.stringify(a.extra ?? {}),
});

const credRow = (r: Selectable<Database['credentials']>): Credential => ({
  keyId: r.key_id, tenantId: r.tenant_id, appId: r.app_id, kind: r.kind === 'certificate' ? 'certificate' : 'secret',
  displayName: r.display_name, hint: r.hint, secretHash: r.secret_hash, publicJwk: json(r.public_jwk, null),
  thumbprint: r.thumbprint, startAt: num(r.start_at), endAt: num(r.end_at),
});

export function applicationStore(db: Db): ApplicationStore {
  return {
    async create(a) {
      await insertOrConflict(`application ${a.appId}`, () => db.insertInto('applications').values(appValues(a)).execute());
    },
    async get(tenantId, id) {
      const r = await db.selectFrom('applications').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return r && appRow(r);
    },
    async getByAppId(appId) {
      const r = await db.selectFrom('applications').selectAll().where('app_id', '=', appId).executeTakeFirst();
      return r && appRow(r);
    },
    async getByIdentifierUri(tenantId, uri) {
      // identifierUris are few per tenant; JSON text is scanned here and the caller caches the answer.
      const rows = await db.selectFrom('applications').selectAll().where('tenant_id', '=', tenantId).where('identifier_uris', 'like', `%${JSON.stringify(uri).slice(1, -1).replace(/[%_]/g, '')}%`).execute();
      const r = rows.map(appRow).find((a) => a.identifierUris.includes(uri));
      return r;
    },
    async list(tenantId, opts) {
      return (await page(db.selectFrom('applications').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at').orderBy('id'), opts).execute()).map(appRow);
    },
    async update(a) {
      const { id, tenant_id, ...rest } = appValues(a);
      await db.updateTable('applications').set(rest).where('tenant_id', '=', tenant_id).where('id', '=', id).execute();
    },
    async delete(tenantId, id) {
      const app = await this.get(tenantId, id);
      if (!app) return false;
      await db.deleteFrom('applications').where('id', '=', id).execute();
      await db.deleteFrom('credentials').where('app_id', '=', app.appId).execute();
      return true;
    },
    async addCredential(c) {
      await insertOrConflict(`credential ${c.keyId}`, () => db.insertInto('credentials').values({
        key_id: c.keyId, tenant_id: c.tenantId, app_id: c.appId, kind: c.kind, display_name: c.displayName, hint: c.hint,
        secret_hash: c.secretHash, public_jwk: c.publicJwk ? JSON.stringify(c.publicJwk) : null, thumbprint: c.thumbprint,
        start_at: c.startAt, end_at: c.endAt,
      }).execute());
    },
    async credentials(appId) {
      return (await db.selectFrom('credentials').selectAll().where('app_id', '=', appId).orderBy('start_at').execute()).map(credRow);
    },
    async removeCredential(appId, keyId) {
      const r = await db.deleteFrom('credentials').where('app_id', '=', appId).where('key_id', '=', keyId).executeTakeFirst();
      return r.numDeletedRows > 0n;
    },
  };
}

const spRow = (r: Selectable<Database['service_principals']>): ServicePrincipal => ({
  id: r.id, tenantId: r.tenant_id, appId: r.app_id, displayName: r.display_name, accountEnabled: bool(r.account_enabled), createdAt: num(r.created_at),
});
const araRow = (r: Selectable<Database['app_role_assignments']>): AppRoleAssignment => ({
  id: r.id, tenantId: r.tenant_id, principalId: r.principal_id, principalType: r.principal_type, resourceId: r.resource_id, appRoleId: r.app_role_id, createdAt: num(r.created_at),
});

export function servicePrincipalStore(db: Db): ServicePrincipalStore {
  return {
    async create(sp) {
      await insertOrConflict(`service principal for ${sp.appId}`, () => db.insertInto('service_principals').values({
        id: sp.id, tenant_id: sp.tenantId, app_id: sp.appId, display_name: sp.displayName, account_enabled: b(sp.accountEnabled), created_at: sp.createdAt,
      }).execute());
    },
    async get(tenantId, id) {
      const r = await db.selectFrom('service_principals').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return r && spRow(r);
    },
    async getByAppId(tenantId, appId) {
      const r = await db.selectFrom('service_principals').selectAll().where('tenant_id', '=', tenantId).where('app_id', '=', appId).executeTakeFirst();
      return r && spRow(r);
    },
    async list(tenantId, opts) {
      return (await page(db.selectFrom('service_principals').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at').orderBy('id'), opts).execute()).map(spRow);
    },
    async update(sp) {
      await db.updateTable('service_principals').set({ display_name: sp.displayName, account_enabled: b(sp.accountEnabled) }).where('tenant_id', '=', sp.tenantId).where('id', '=', sp.id).execute();
    },
    async delete(tenantId, id) {
      const r = await db.deleteFrom('service_principals').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      await db.deleteFrom('app_role_assignments').where((eb) => eb.or([eb('principal_id', '=', id), eb('resource_id', '=', id)])).execute();
      await db.deleteFrom('role_assignments').where('principal_id', '=', id).execute();
      return r.numDeletedRows > 0n;
    },
    async assignAppRole(a) {
      await insertOrConflict(`app role assignment ${a.id}`, () => db.insertInto('app_role_assignments').values({
        id: a.id, tenant_id: a.tenantId, principal_id: a.principalId, principal_type: a.principalType, resource_id: a.resourceId, app_role_id: a.appRoleId, created_at: a.createdAt,
      }).execute());
    },
    async appRoleAssignmentsOf(tenantId, principalId) {
      return (await db.selectFrom('app_role_assignments').selectAll().where('tenant_id', '=', tenantId).where('principal_id', '=', principalId).execute()).map(araRow);
    },
    async appRoleAssignmentsTo(tenantId, resourceId) {
      return (await db.selectFrom('app_role_assignments').selectAll().where('tenant_id', '=', tenantId).where('resource_id', '=', resourceId).orderBy('created_at').orderBy('id').execute()).map(araRow);
    },
    async removeAppRoleAssignment(tenantId, id) {
      const r = await db.deleteFrom('app_role_assignments').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return r.numDeletedRows > 0n;
    },
  };
}

export const deviceRow = (r: Selectable<Database['devices']>): Device => ({
  id: r.id, tenantId: r.tenant_id, deviceId: r.device_id, displayName: r.display_name, accountEnabled: bool(r.account_enabled),
  operatingSystem: r.operating_system, operatingSystemVersion: r.operating_system_version, trustType: r.trust_type,
  isCompliant: nbool(r.is_compliant), isManaged: nbool(r.is_managed), profileType: r.profile_type, systemLabels: json(r.system_labels, []),
  enrollmentProfileName: r.enrollment_profile_name, registrationKind: r.registration_kind,
  deviceKeyJwk: json(r.device_key_jwk, null), transportKeyJwk: json(r.transport_key_jwk, null),
  registeredAt: num(r.registered_at), lastSignInAt: nnum(r.last_sign_in_at), extra: json(r.extra, {}),
});
const deviceValues = (d: Device) => ({
  id: d.id, tenant_id: d.tenantId, device_id: d.deviceId, display_name: d.displayName, account_enabled: b(d.accountEnabled),
  operating_system: d.operatingSystem, operating_system_version: d.operatingSystemVersion, trust_type: d.trustType,
  is_compliant: nb(d.isCompliant), is_managed: nb(d.isManaged), profile_type: d.profileType, system_labels: JSON.stringify(d.systemLabels),
  enrollment_profile_name: d.enrollmentProfileName, registration_kind: d.registrationKind,
  device_key_jwk: d.deviceKeyJwk ? JSON.stringify(d.deviceKeyJwk) : null, transport_key_jwk: d.transportKeyJwk ? JSON.stringify(d.transportKeyJwk) : null,
  registered_at: d.registeredAt, last_sign_in_at: d.lastSignInAt, extra: JSON.stringify(d.extra),
});

export function deviceStore(db: Db): DeviceStore {
  return {
    async create(d, ownerIds) {
      await db.transaction().execute(async (tx) => {
        await insertOrConflict(`device ${d.deviceId}`, () => tx.insertInto('devices').values(deviceValues(d)).execute());
        for (const u of ownerIds) await tx.insertInto('device_owners').values({ tenant_id: d.tenantId, device_id: d.id, user_id: u }).execute();
      });
    },
    async get(tenantId, id) {
      const r = await db.selectFrom('devices').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return r && deviceRow(r);
    },
    async getByDeviceId(tenantId, deviceId) {
      const r = await db.selectFrom('devices').selectAll().where('tenant_id', '=', tenantId).where('device_id', '=', deviceId).executeTakeFirst();
      return r && deviceRow(r);
    },
    async list(tenantId, opts) {
      return (await page(db.selectFrom('devices').selectAll().where('tenant_id', '=', tenantId).orderBy('registered_at').orderBy('id'), opts).execute()).map(deviceRow);
    },
    async update(d) {
      const { id, tenant_id, ...rest } = deviceValues(d);
      await db.updateTable('devices').set(rest).where('tenant_id', '=', tenant_id).where('id', '=', id).execute();
    },
    async delete(tenantId, id) {
      const r = await db.deleteFrom('devices').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      await db.deleteFrom('device_owners').where('device_id', '=', id).execute();
      return r.numDeletedRows > 0n;
    },
    async touchSignIn(tenantId, id, at, granularityMs) {
      await db.updateTable('devices').set({ last_sign_in_at: at }).where('tenant_id', '=', tenantId).where('id', '=', id)
        .where((eb) => eb.or([eb('last_sign_in_at', 'is', null), eb('last_sign_in_at', '<', at - granularityMs)])).execute();
    },
    async owners(tenantId, id) {
      return (await db.selectFrom('device_owners').select('user_id').where('tenant_id', '=', tenantId).where('device_id', '=', id).execute()).map((r) => r.user_id);
    },
    async ofOwner(tenantId, userId) {
      const rows = await db.selectFrom('devices').innerJoin('device_owners', 'device_owners.device_id', 'devices.id')
        .selectAll('devices').where('devices.tenant_id', '=', tenantId).where('device_owners.user_id', '=', userId).execute();
      return rows.map(deviceRow);
    },
  };
}
