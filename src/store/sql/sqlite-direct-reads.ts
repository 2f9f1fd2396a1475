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

/** A two-key lookup on `sql`, mapped by `toRow`, falling back to `viaKysely` while a transaction is open. */
function directRead<R, T>(raw: BetterSqlite3.Database, sql: string, toRow: (r: R) => T, viaKysely: (a: string, b: string) => Promise<T | undefined>) {
  const st = raw.prepare(sql);
  return async (a: string, b: string): Promise<T | undefined> => {
    if (raw.inTransaction) return viaKysely(a, b);
    const r = st.get(a, b) as R | undefined;
    return r && toRow(r);
  };
}

export function withDirectUserReads(raw: BetterSqlite3.Database, users: UserStore): UserStore {
  return { ...users, get: directRead(raw, 'SELECT * FROM users WHERE tenant_id = ? AND id = ?', (r: Selectable<Database['users']>) => userRow(r), users.get) };
}

/** Devices by `deviceId`: every device-bound sign-in (session grant, device login) reads one. */
export function withDirectDeviceReads(raw: BetterSqlite3.Database, devices: DeviceStore): DeviceStore {
  return { ...devices, getByDeviceId: directRead(raw, 'SELECT * FROM devices WHERE tenant_id = ? AND device_id = ?', (r: Selectable<Database['devices']>) => deviceRow(r), devices.getByDeviceId) };
}
