/**
 * Issuing the device-bound sign-in session (Tessera's primary refresh token; docs/token-protection.md
 * §3.3, §4): a random session token, stored only hashed as a row of `refresh_tokens` with its
 * `device_id` set, and a fresh session key delivered as a JWE to the device's transport key and kept
 * sealed under the master key in the row's `context`. Renewal rotates the row (one winner among
 * concurrent renewals, reuse revokes the family) and rolls the key; `revokeForUser` and
 * `revokeForDevice` cover these rows like any refresh token.
 */
import { Buffer } from 'node:buffer';
import { issueSessionKey } from '../../binding/session-key.ts';
import type { TransportAlgorithm } from '../../binding/device-proof.ts';
import { InvalidGrant, ServerError } from '../../errors/oauth.ts';
import type { Device, RefreshToken } from '../../store/types.ts';
import { newId, newSecret, sha256 } from '../../util/ids.ts';
import type { TokenContext } from '../token/context.ts';

/** What a session row keeps in `context` besides the usual issuance details. */
export interface SessionContext {
  sessionKeyId: string;
  /** The session key sealed under the master key (AAD `tessera-session-key:{sessionKeyId}`). */
  sealedKey: string;
  /** Epoch ms after which the agent should renew. */
  refreshAt: number;
}

/** The session fields of a session row, or undefined when the row is not a device session. */
export function sessionContext(row: RefreshToken): SessionContext | undefined {
  const c = row.context;
  if (!row.deviceId || typeof c.sessionKeyId !== 'string' || typeof c.sealedKey !== 'string') return undefined;
  return { sessionKeyId: c.sessionKeyId, sealedKey: c.sealedKey, refreshAt: typeof c.refreshAt === 'number' ? c.refreshAt : 0 };
}

/** The transport key registered for the device: public JWK with its declared `alg`. */
export function transportKeyOf(d: Device): { jwk: Record<string, string>; alg: TransportAlgorithm } {
  const { alg, ...jwk } = (d.transportKeyJwk ?? {}) as Record<string, string>;
  if (alg !== 'ECDH-ES+A256KW' && alg !== 'RSA-OAEP-256') throw new ServerError('The device has no usable transport key.', { detail: `device ${d.deviceId}` });
  return { jwk, alg };
}

/** `GrantOutcome.issueSession` for the device-request grant. */
export async function issueSession(ctx: TokenContext, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const { app, tenant } = ctx;
  const g = ctx.grant!;
  const p = ctx.possession;
  if (p?.kind !== 'device' || g.subject.kind !== 'user') throw new ServerError('A device session needs a user signed in on a device.');
  const device = p.device;
  const user = g.subject.user;
  const transport = transportKeyOf(device);
  const key = await issueSessionKey({ transportJwk: transport.jwk, transportAlg: transport.alg, seal: (raw, aad) => app.sealer.seal(Buffer.from(raw), aad) });
  const now = Date.now();
  const raw = newSecret(32);
  const sid = g.sid ?? newId();
  const session: SessionContext = { sessionKeyId: key.sessionKeyId, sealedKey: key.sealedKey, refreshAt: now + app.config.deviceSessionRenewAfter * 1000 };
  const row: RefreshToken = {
    tokenHash: sha256(raw), familyId: g.familyId ?? newId(), tenantId: tenant.id, clientId: ctx.client!.client.app.appId, userId: user.id,
    scope: 'openid profile offline_access', resource: null, sid, authTime: g.authTime ?? now, amr: g.amr, jkt: null, deviceId: device.deviceId,
    // Entra's PRT: valid 14 days from each renewal.
    issuedAt: now, expiresAt: now + app.config.deviceSessionTtl * 1000, status: 'active', usedAt: null,
    context: { ...session, ipAddress: ctx.http.ip, userAgent: ctx.http.userAgent, originalTransferMethod: g.originalTransferMethod, issuedAt: now },
  };
  if (g.rotate) {
    const r = await app.store.refreshTokens.rotate(g.rotate.oldHash, row, now);
    if (r === 'reused') throw new InvalidGrant('The token was already used. Its whole session has been revoked; sign in again.', { aadsts: 70008 });
    if (r === 'invalid') throw new InvalidGrant('The provided grant has been revoked; a fresh sign-in is needed.', { aadsts: 50173 });
  } else {
    await app.store.refreshTokens.save(row);
  }
  ctx.event.sessionId = sid;
  return {
    token_type: 'session',
    ...body,
    session_token: raw,
    session_key_id: key.sessionKeyId,
    session_key_jwe: key.encryptedForDevice,
    session_token_expires_in: app.config.deviceSessionTtl,
    refresh_in: app.config.deviceSessionRenewAfter,
  };
}
