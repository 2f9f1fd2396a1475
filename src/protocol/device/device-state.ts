/**
 * The device behind a device-protocol request: found by its registration id, refused when deleted
 * or disabled, and written to the sign-in record — also when the request fails, so a failed theft
 * attempt leaves the device and a token protection status behind (docs/token-protection.md,
 * "Server implementation"):
 *
 * | failure | signInSessionStatus | code |
 * |---|---|---|
 * | device or session proof presented but not valid (signature, replay, nonce, rolled key) | unbound | 1005 |
 * | device no longer registered (deleted) | unbound | 1002 |
 * | device disabled | unbound | 1003 |
 */
import type { App } from '../../app/app.ts';
import { AADSTS_DEVICE_AUTH_FAILED, proofError } from '../../binding/proof-claims.ts';
import { InvalidGrant, OAuthError } from '../../errors/oauth.ts';
import type { Device, Tenant } from '../../store/types.ts';
import type { TokenContext } from '../token/context.ts';

/** Entra's AADSTS135011: "Device used during the authentication is disabled." */
export const AADSTS_DEVICE_DISABLED = 135011;

export async function findDevice(app: App, tenant: Tenant, deviceId: string): Promise<Device | undefined> {
  if (deviceId.length > 128) return undefined;
  return app.store.devices.getByDeviceId(tenant.id, deviceId.toLowerCase());
}

/** Puts the device on the sign-in record (before the grant's outcome is known). */
export function recordDevice(ctx: TokenContext, d: Device): void {
  ctx.event.deviceDetail = {
    ...ctx.event.deviceDetail, deviceId: d.deviceId, displayName: d.displayName, operatingSystem: d.operatingSystem ?? ctx.event.deviceDetail.operatingSystem,
    isCompliant: d.isCompliant, isManaged: d.isManaged, trustType: d.trustType ?? '',
  };
}

export function markUnbound(ctx: TokenContext, code: 1002 | 1003 | 1005): void {
  ctx.event.tokenProtectionStatusDetails = { signInSessionStatus: 'unbound', signInSessionStatusCode: code };
}

/** A deleted device (`device_unknown`) or a disabled one (`device_disabled`, AADSTS135011). */
export function requireUsableDevice(ctx: TokenContext, d: Device | undefined, deviceId: string): Device {
  if (!d) {
    markUnbound(ctx, 1002);
    // The device object is gone, but the session still names it: keep that on the record for investigations.
    ctx.event.deviceDetail = { ...ctx.event.deviceDetail, deviceId };
    throw proofError('token', 'device_unknown', 'The device is not registered in this tenant; register it again.', deviceId);
  }
  recordDevice(ctx, d);
  if (!d.accountEnabled) {
    markUnbound(ctx, 1003);
    throw new InvalidGrant('Device used during the authentication is disabled.', { aadsts: AADSTS_DEVICE_DISABLED, extra: { suberror: 'device_disabled' } });
  }
  return d;
}

/** Runs a proof check; a failure marks the record unbound 1005 (a device proof was attempted and failed). */
export async function proofStep<T>(ctx: TokenContext, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    // A nonce challenge is the protocol's normal first round trip, not a failed proof.
    if (e instanceof OAuthError && e.extra.suberror === 'device_nonce_required') markUnbound(ctx, 1002);
    else if (e instanceof OAuthError && e.aadsts === AADSTS_DEVICE_AUTH_FAILED && e.extra.suberror === 'device_unknown') markUnbound(ctx, 1002);
    else if (e instanceof OAuthError) markUnbound(ctx, 1005);
    throw e;
  }
}
