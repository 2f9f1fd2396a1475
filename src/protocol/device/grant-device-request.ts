/**
 * `grant_type=urn:tessera:params:oauth:grant-type:device-request` (docs/token-protection.md §3.2, §4):
 * a request signed by the registered device key over a server nonce that signs a user in on this
 * device (`password`), upgrades an existing refresh token (`refresh_token`), or renews the session
 * (`session_renewal`). The answer is a session token with a session key only this device can open;
 * the session itself is issued after the access decision (`issueSession`).
 */
import { verifyDeviceRequest, type DeviceRequestResult } from '../../binding/device-proof.ts';
import { proofError } from '../../binding/proof-claims.ts';
import { InvalidGrant, InvalidRequest } from '../../errors/oauth.ts';
import type { Device, RefreshToken } from '../../store/types.ts';
import { sha256 } from '../../util/ids.ts';
import { resolveScopes } from '../resources.ts';
import type { GrantOutcome, TokenContext } from '../token/context.ts';
import { loadActiveUser } from '../token/grants/load-user.ts';
import { userPermissions } from '../token/grants/scopes-for-user.ts';
import { tokenProtectionStatus } from '../token/sign-in-context.ts';
import { proofAudience } from './authority.ts';
import { verifyUserCredentials } from './credentials.ts';
import { findDevice, markUnbound, proofStep, recordDevice, requireUsableDevice } from './device-state.ts';
import { issueSession, sessionContext } from './issue-session.ts';

export const GRANT_DEVICE_REQUEST = 'urn:tessera:params:oauth:grant-type:device-request';

const MAX_TOKEN = 512;

/** A stored token named by a device request: active, this tenant's, unexpired. */
async function activeToken(ctx: TokenContext, raw: unknown, what: string): Promise<{ row: RefreshToken; hash: string }> {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_TOKEN) throw new InvalidGrant(`The ${what} is malformed.`, { aadsts: 9002313 });
  const hash = sha256(raw);
  const row = await ctx.app.store.refreshTokens.find(hash);
  if (!row || row.tenantId !== ctx.tenant.id) throw new InvalidGrant(`The ${what} is malformed or not valid.`, { aadsts: 9002313 });
  ctx.event.sessionId = row.sid;
  if (row.status === 'revoked') throw new InvalidGrant('The provided grant has been revoked; a fresh sign-in is needed.', { aadsts: 50173 });
  if (row.expiresAt <= Date.now()) throw new InvalidGrant(`The ${what} has expired; sign in again.`, { aadsts: 700082 });
  return { row, hash };
}

interface Continued { userId: string; issuedAt: number; sid: string; authTime: number; amr: string[]; familyId: string; oldHash: string }

/** `refresh_token`: an existing unbound refresh token becomes a device-bound session (same family). */
async function upgrade(ctx: TokenContext, r: DeviceRequestResult): Promise<Continued> {
  ctx.event.incomingTokenType = 'refreshToken';
  const { row, hash } = await activeToken(ctx, r.claims.refresh_token, 'refresh token');
  if (row.deviceId) throw new InvalidGrant('This token is already a device session; renew it with session_renewal.', { aadsts: 9002313 });
  return { userId: row.userId, issuedAt: row.issuedAt, sid: row.sid, authTime: row.authTime, amr: row.amr, familyId: row.familyId, oldHash: hash };
}

/** RFC 9449 §5: a DPoP-bound refresh token moves into a session only with a proof by its key. */
async function checkUpgradeBinding(ctx: TokenContext, r: DeviceRequestResult): Promise<void> {
  const raw = r.claims.refresh_token;
  if (typeof raw !== 'string' || raw.length > MAX_TOKEN) return;
  const row = await ctx.app.store.refreshTokens.find(sha256(raw));
  if (row?.jkt && (ctx.possession?.kind !== 'dpop' || ctx.possession.jkt !== row.jkt)) {
    throw new InvalidGrant('The refresh token is bound to a DPoP key; the request must carry a proof signed with that key.', { aadsts: 5000000 });
  }
}

/** `session_renewal`: the device's own session, rotated; the key is rolled by `issueSession`. */
async function renew(ctx: TokenContext, r: DeviceRequestResult, device: Device): Promise<Continued> {
  ctx.event.incomingTokenType = 'primaryRefreshToken';
  const { row, hash } = await activeToken(ctx, r.claims.session_token, 'session token');
  if (!sessionContext(row)) throw new InvalidGrant('The token is not a device session token.', { aadsts: 9002313 });
  if (row.deviceId !== device.deviceId) throw proofError('token', 'device_proof_invalid', 'The session token belongs to another device.', `session of ${row.deviceId}`);
  return { userId: row.userId, issuedAt: row.issuedAt, sid: row.sid, authTime: row.authTime, amr: row.amr, familyId: row.familyId, oldHash: hash };
}

export async function deviceRequestGrant(ctx: TokenContext): Promise<GrantOutcome> {
  const { app, tenant } = ctx;
  ctx.event.eventType = 'nonInteractiveUser';
  ctx.event.isInteractive = false;
  ctx.event.clientAppUsed = 'Mobile Apps and Desktop clients';
  markUnbound(ctx, 1002);
  const request = ctx.params.require('request');
  if (request.length > 16 * 1024) throw new InvalidRequest('The request parameter is too large.', { aadsts: 900144 });
  const nowSec = Math.floor(Date.now() / 1000);
  let device: Device | undefined;
  const r = await proofStep(ctx, () => verifyDeviceRequest(request, {
    audience: proofAudience(app, tenant, request), nonce: app.deviceNonces, replay: app.dpopReplay, now: nowSec,
    getDeviceKey: async (id) => {
      device = await findDevice(app, tenant, id);
      if (device) recordDevice(ctx, device);
      return device?.deviceKeyJwk ?? undefined;
    },
  }));
  const d = requireUsableDevice(ctx, device, r.deviceId);
  if (r.claims.client_id !== ctx.client!.client.app.appId) {
    markUnbound(ctx, 1005);
    throw proofError('token', 'device_proof_invalid', 'The device request was made for another client_id.');
  }
  const dpopJkt = ctx.possession?.kind === 'dpop' ? ctx.possession.jkt : undefined;
  if (r.grant === 'refresh_token') await checkUpgradeBinding(ctx, r);
  // Device possession is proven from here on: a failure below (wrong password, disabled user) is a bound sign-in that failed.
  ctx.possession = { kind: 'device', deviceId: d.deviceId, device: d, jkt: dpopJkt };
  ctx.event.tokenProtectionStatusDetails = tokenProtectionStatus(ctx);

  let outcome: Continued | undefined;
  let userId: string;
  let amr: string[];
  let passwordFingerprint: string | undefined;
  if (r.grant === 'password') {
    ctx.event.eventType = 'interactiveUser';
    ctx.event.isInteractive = true;
    ctx.event.authenticationProtocol = 'ropc';
    const signedIn = await verifyUserCredentials(app, tenant, ctx.http.ip, { username: r.claims.username, password: r.claims.password, otp: r.claims.otp }, ctx.event);
    userId = signedIn.user.id;
    amr = signedIn.amr;
    passwordFingerprint = signedIn.passwordFingerprint;
  } else {
    outcome = r.grant === 'refresh_token' ? await upgrade(ctx, r) : await renew(ctx, r, d);
    userId = outcome.userId;
    amr = outcome.amr;
  }
  const now = Date.now();
  const user = await loadActiveUser(ctx, userId, outcome?.issuedAt ?? now);
  const scope = typeof r.claims.scope === 'string' ? r.claims.scope : undefined;
  const scopes = await resolveScopes(app.directory, tenant.id, scope);
  // The session token is the refresh credential: no separate refresh token.
  scopes.oidc.delete('offline_access');
  const perms = await userPermissions(app, tenant.id, user.id, scopes);
  return {
    subject: { kind: 'user', user }, scopes, ...perms, amr,
    sid: outcome?.sid, authTime: outcome?.authTime ?? now,
    familyId: outcome?.familyId, rotate: outcome ? { oldHash: outcome.oldHash } : undefined,
    originalTransferMethod: 'none', issueSession, passwordFingerprint,
  };
}
