/**
 * `/devices` (graph-shapes §7): list, get, create, PATCH of admin-settable properties, and delete by
 * object id or `devices(deviceId='…')` (§9). Graph properties without a column live in `device.extra`
 * under their Graph names (manufacturer, model, extensionAttributes, …). Disabling or deleting a
 * device revokes the refresh tokens bound to it.
 */
import { z } from 'zod';
import type { App } from '../app/app.ts';
import { Conflict } from '../errors/graph.ts';
import { removeDevice, revokeDeviceTokens } from '../protocol/device/device-removal.ts';
import { StoreConflict, type Device } from '../store/types.ts';
import { newId } from '../util/ids.ts';
import { catalogues } from './odata/index.ts';
import { refId } from './directory-objects.ts';
import { alternateKey, entityContext, jsonBody, listResponse, notFound, selectOne, type GraphContext, type GraphRouter } from './route.ts';
import { changes, guid, modified, nonEmpty, parseBody, stringList, text } from './validate.ts';

const EXTRA = ['manufacturer', 'model', 'deviceOwnership', 'mdmAppId', 'physicalIds', 'enrollmentType', 'managementType', 'deviceCategory', 'extensionAttributes', 'isRooted', 'complianceExpirationDateTime'] as const;
const extAttrs = z.object(Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`extensionAttribute${i + 1}`, text(1024).nullable().optional()]))).strict();

const editable = {
  accountEnabled: z.boolean(), displayName: nonEmpty(256), operatingSystem: text(64).nullable(), operatingSystemVersion: text(64).nullable(),
  trustType: z.enum(['Workplace', 'AzureAd', 'ServerAd']).nullable(), isCompliant: z.boolean().nullable(), isManaged: z.boolean().nullable(),
  profileType: z.enum(['RegisteredDevice', 'SecureVM', 'Printer', 'Shared', 'IoT']).nullable(), systemLabels: stringList(64, 50),
  enrollmentProfileName: text(256).nullable(), manufacturer: text(256).nullable(), model: text(256).nullable(),
  deviceOwnership: z.enum(['Company', 'Personal', 'Unknown']).nullable(), mdmAppId: guid.nullable(), physicalIds: stringList(256, 50),
  enrollmentType: text(64).nullable(), managementType: text(64).nullable(), deviceCategory: text(256).nullable(), isRooted: z.boolean().nullable(),
  extensionAttributes: extAttrs, complianceExpirationDateTime: z.string().max(40).refine((s) => Number.isFinite(Date.parse(s)), 'must be an ISO 8601 date-time').nullable(),
};
const createSchema = z.object({
  ...editable, deviceId: guid, alternativeSecurityIds: z.array(z.object({ type: z.number().int(), identityProvider: text(256).nullable().optional(), key: z.string().max(4096) }).strict()).max(10),
  'registeredOwners@odata.bind': z.array(z.string().max(2048)).max(10),
}).partial().required({ deviceId: true, displayName: true });
const patchSchema = z.object(editable).partial();
const READ_ONLY = ['id', 'deviceId', 'registrationDateTime', 'approximateLastSignInDateTime', 'onPremisesSyncEnabled', 'onPremisesLastSyncDateTime', 'onPremisesSecurityIdentifier', 'deletedDateTime', 'isManagementRestricted'];

export function toGraphDevice(d: Device): Record<string, unknown> {
  const x = d.extra;
  const ext = Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`extensionAttribute${i + 1}`, (x.extensionAttributes as Record<string, unknown> | undefined)?.[`extensionAttribute${i + 1}`] ?? null]));
  return {
    id: d.id, deviceId: d.deviceId, displayName: d.displayName, accountEnabled: d.accountEnabled, operatingSystem: d.operatingSystem,
    operatingSystemVersion: d.operatingSystemVersion, trustType: d.trustType, isCompliant: d.isCompliant, isManaged: d.isManaged,
    profileType: d.profileType ?? 'RegisteredDevice', systemLabels: d.systemLabels, enrollmentProfileName: d.enrollmentProfileName,
    physicalIds: x.physicalIds ?? [], mdmAppId: x.mdmAppId ?? null, manufacturer: x.manufacturer ?? null, model: x.model ?? null,
    deviceOwnership: x.deviceOwnership ?? null, enrollmentType: x.enrollmentType ?? null, managementType: x.managementType ?? null,
    deviceCategory: x.deviceCategory ?? null, isRooted: x.isRooted ?? null, complianceExpirationDateTime: x.complianceExpirationDateTime ?? null,
    registrationDateTime: new Date(d.registeredAt).toISOString(),
    approximateLastSignInDateTime: d.lastSignInAt === null ? null : new Date(d.lastSignInAt).toISOString(),
    onPremisesSyncEnabled: null, onPremisesLastSyncDateTime: null, onPremisesSecurityIdentifier: null, isManagementRestricted: false,
    alternativeSecurityIds: x.alternativeSecurityIds ?? [], deletedDateTime: null, extensionAttributes: ext,
  };
}

/** `devices/{id}` or `devices(deviceId='{deviceId}')`. */
async function findDevice(app: App, c: GraphContext): Promise<Device> {
  const tenantId = c.caller.tenant.id;
  const deviceId = alternateKey(c, 'devices', 'deviceId');
  if (deviceId === undefined) return (await app.store.devices.get(tenantId, c.params.id!.toLowerCase())) ?? notFound(c.params.id!);
  return (await app.store.devices.getByDeviceId(tenantId, deviceId.toLowerCase())) ?? notFound(deviceId);
}

export function registerDevices(r: GraphRouter): void {
  const { app } = r;
  const target = (d: Device, mods: ReturnType<typeof changes> = []) => ({ id: d.id, displayName: d.displayName, type: 'Device', modifiedProperties: mods });

  r.route('GET', '/devices', 'directory.read', async (c) => listResponse(c, catalogues.device, (await app.store.devices.list(c.caller.tenant.id)).map(toGraphDevice)));

  r.route('POST', '/devices', 'devices.write', async (c) => {
    const b = parseBody(createSchema, jsonBody(c), 'device', READ_ONLY.filter((k) => k !== 'deviceId'));
    const owners: string[] = [];
    for (const ref of b['registeredOwners@odata.bind'] ?? []) {
      const id = refId({ '@odata.id': ref });
      if (!(await app.store.users.get(c.caller.tenant.id, id))) notFound(id);
      owners.push(id);
    }
    const extra: Record<string, unknown> = {};
    for (const k of EXTRA) if (b[k] !== undefined) extra[k] = b[k];
    if (b.alternativeSecurityIds) extra.alternativeSecurityIds = b.alternativeSecurityIds;
    const d: Device = {
      id: newId(), tenantId: c.caller.tenant.id, deviceId: b.deviceId, displayName: b.displayName, accountEnabled: b.accountEnabled ?? true,
      operatingSystem: b.operatingSystem ?? null, operatingSystemVersion: b.operatingSystemVersion ?? null, trustType: b.trustType ?? null,
      isCompliant: b.isCompliant ?? null, isManaged: b.isManaged ?? null, profileType: b.profileType ?? 'RegisteredDevice', systemLabels: b.systemLabels ?? [],
      enrollmentProfileName: b.enrollmentProfileName ?? null, registrationKind: null, deviceKeyJwk: null, transportKeyJwk: null,
      registeredAt: Date.now(), lastSignInAt: null, extra,
    };
    try {
      await app.store.devices.create(d, owners);
    } catch (e) {
      if (e instanceof StoreConflict) throw new Conflict('Another object with the same value for property deviceId already exists.');
      throw e;
    }
    await c.audit({ category: 'Device', activity: 'Add device', targets: [target(d, [modified('DeviceId', null, d.deviceId), modified('DisplayName', null, d.displayName), modified('AccountEnabled', null, d.accountEnabled)])] });
    if (owners.length) await c.audit({ category: 'Device', activity: 'Add registered owner to device', targets: [target(d, [modified('RegisteredOwners', null, owners)])] });
    return { status: 201, body: { '@odata.context': entityContext(c, 'devices'), ...toGraphDevice(d) } };
  });

  for (const key of ['/devices/:id', "/devices(deviceId=':deviceId')"]) {
    r.route('GET', key, 'directory.read', async (c) => selectOne(c, catalogues.device, toGraphDevice(await findDevice(app, c))));

    r.route('PATCH', key, 'devices.write', async (c) => {
      const d = await findDevice(app, c);
      const b = parseBody(patchSchema, jsonBody(c), 'device', READ_ONLY);
      const next: Device = { ...d, extra: { ...d.extra } };
      if (b.accountEnabled !== undefined) next.accountEnabled = b.accountEnabled;
      if (b.displayName !== undefined) next.displayName = b.displayName;
      if (b.operatingSystem !== undefined) next.operatingSystem = b.operatingSystem;
      if (b.operatingSystemVersion !== undefined) next.operatingSystemVersion = b.operatingSystemVersion;
      if (b.trustType !== undefined) next.trustType = b.trustType;
      if (b.isCompliant !== undefined) next.isCompliant = b.isCompliant;
      if (b.isManaged !== undefined) next.isManaged = b.isManaged;
      if (b.profileType !== undefined) next.profileType = b.profileType;
      if (b.systemLabels !== undefined) next.systemLabels = b.systemLabels;
      if (b.enrollmentProfileName !== undefined) next.enrollmentProfileName = b.enrollmentProfileName;
      for (const k of EXTRA) if (b[k] !== undefined) next.extra[k] = k === 'extensionAttributes' ? { ...(d.extra.extensionAttributes as object | undefined), ...b.extensionAttributes } : b[k];
      await app.store.devices.update(next);
      if (d.accountEnabled && !next.accountEnabled) await revokeDeviceTokens(app, d);
      await c.audit({ category: 'Device', activity: 'Update device', targets: [target(next, changes(toGraphDevice(d), b))] });
      app.directory.invalidate();
      return undefined;
    });

    r.route('DELETE', key, 'devices.write', async (c) => {
      const d = await findDevice(app, c);
      await removeDevice(app, d);
      await c.audit({ category: 'Device', activity: 'Delete device', targets: [target(d, [modified('DeviceId', d.deviceId, null)])] });
      return undefined;
    });

    r.route('GET', `${key}/registeredOwners`, 'directory.read', async (c) => {
      const d = await findDevice(app, c);
      const rows: Record<string, unknown>[] = [];
      for (const id of await app.store.devices.owners(d.tenantId, d.id)) {
        const u = await app.store.users.get(d.tenantId, id);
        if (u) rows.push({ '@odata.type': '#microsoft.graph.user', id: u.id, displayName: u.displayName, userPrincipalName: u.userPrincipalName, accountEnabled: u.accountEnabled });
      }
      return listResponse(c, catalogues.user, rows, { entitySet: 'directoryObjects' });
    });
  }
}
