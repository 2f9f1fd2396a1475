/**
 * Reads every token request makes, served from prepared better-sqlite3 statements instead of
 * building the query through Kysely each time (≈ 10–15 µs saved per read, measured). Only when no
 * transaction is open on the shared handle: a Kysely transaction spans awaits, and a direct read in
 * the middle of it would see its uncommitted rows, so then the Kysely store answers (it waits for
 * the connection).
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { Selectable } from 'kysely';
import type { Database } from '../schema.ts';
import type { DeviceStore, UserStore } from '../types.ts';
import { userRow } from './directory.ts';
import { deviceRow } from './apps.ts';

export function withDirectUserReads(raw: BetterSqlite3.Database, users: UserStore): UserStore {
  const byId = raw.prepare('SELECT * FROM users WHERE tenant_id = ? AND id = ?');
  return {
    ...users,
    async get(tenantId, id) {
      if (raw.inTransaction) return users.get(tenantId, id);
      const r = byId.get(tenantId, id) as Selectable<Database['users']> | undefined;
      return r && userRow(r);
    },
  };
}

/** Devices by `deviceId`: every device-bound sign-in (session grant, device login) reads one. */
export function withDirectDeviceReads(raw: BetterSqlite3.Database, devices: DeviceStore): DeviceStore {
  const byDeviceId = raw.prepare('SELECT * FROM devices WHERE tenant_id = ? AND device_id = ?');
  return {
    ...devices,
    async getByDeviceId(tenantId, deviceId) {
      if (raw.inTransaction) return devices.getByDeviceId(tenantId, deviceId);
      const r = byDeviceId.get(tenantId, deviceId) as Selectable<Database['devices']> | undefined;
      return r && deviceRow(r);
    },
  };
}
