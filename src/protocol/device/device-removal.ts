/**
 * Removing a device from the directory, the one way both paths do it: an administrator's
 * `DELETE /devices/{id}` and the device's own unregistration (unregister.ts).
 */
import type { App } from '../../app/app.ts';
import type { Device } from '../../store/types.ts';

/**
 * Deletes the device, then revokes every refresh and session token bound to it. In that order: a
 * session a concurrent login or renewal saves after the revocation belongs to a device that no longer
 * exists, and the session grant refuses it (`device_unknown`). Returns how many tokens were revoked.
 */
export async function removeDevice(app: App, d: Device): Promise<{ deleted: boolean; revokedTokens: number }> {
  const deleted = await app.store.devices.delete(d.tenantId, d.id);
  const revokedTokens = await revokeDeviceTokens(app, d);
  app.directory.invalidate();
  return { deleted, revokedTokens };
}

/** Revokes the refresh and session tokens bound to the device; returns how many. */
export async function revokeDeviceTokens(app: App, d: Device): Promise<number> {
  // Sessions record the device by its registration id; match the object id as well.
  return (await app.store.refreshTokens.revokeForDevice(d.tenantId, d.deviceId)) + (await app.store.refreshTokens.revokeForDevice(d.tenantId, d.id));
}
