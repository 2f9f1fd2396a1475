/**
 * Enrollment tokens: how an admin registers devices without a user's credentials (Entra's bulk
 * enrollment token / provisioning package). `POST /{tenant}/devices/enrollment-tokens` with an
 * admin's Graph access token (a role with `devices.write`: Global, Security or Cloud Device
 * Administrator) returns a token the agent passes to `devices/register`.
 *
 * The token carries its grant (tenant, expiry, trust type and the admin-set `profileType`,
 * `systemLabels`, `enrollmentProfileName` the device will get, and its id `jti`) sealed with
 * AES-256-GCM under the master key, the tenant in the AAD, so it cannot be read, altered, or used in
 * another tenant. Its state lives on the server, keyed by `jti` (`EnrollmentTokenStore`): a use
 * count against an optional `max_uses`, and revocation (enrollment-token-admin.ts). The token itself
 * is never stored. Issuing, revoking and every refused use of a genuine token are audited.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App } from '../../app/app.ts';
import { authenticate } from '../../admin/auth.ts';
import type { GraphCaller } from '../../admin/auth.ts';
import type { Actor } from '../../app/audit.ts';
import { InvalidGrant, InvalidRequest } from '../../errors/oauth.ts';
import { AuthorizationDenied } from '../../errors/graph.ts';
import type { EnrollmentTokenRecord, Tenant } from '../../store/types.ts';
import { newId } from '../../util/ids.ts';
import { resolveTenant } from '../../server/request.ts';

const PREFIX = 'tet1.';

export interface EnrollmentGrant {
  tid: string;
  /** Epoch seconds. */
  exp: number;
  trustType: 'AzureAd' | 'Workplace';
  profileType?: 'RegisteredDevice' | 'SecureVM' | 'Shared' | 'IoT';
  systemLabels?: string[];
  enrollmentProfileName?: string;
  /** Who issued it (object id of the admin or service principal). */
  issuedBy: string;
  jti: string;
}

const aad = (tenantId: string) => `tessera-enrollment-token:${tenantId}`;

const requestSchema = z.object({
  expires_in: z.number().int().min(60).optional(),
  trust_type: z.enum(['AzureAd', 'AzureAD', 'Workplace']).optional(),
  profile_type: z.enum(['RegisteredDevice', 'SecureVM', 'Shared', 'IoT']).optional(),
  system_labels: z.array(z.string().min(1).max(64).regex(/^[\x21-\x7e]+$/)).max(20).optional(),
  enrollment_profile_name: z.string().min(1).max(256).optional(),
  max_uses: z.number().int().min(1).max(100_000).optional(),
}).strict();

/** Longest accepted token: far above a real one (≈ 400 characters), far below the body limit. */
const MAX_TOKEN = 4096;

/** Opens an enrollment token for `tenantId`, or throws `invalid_grant`. */
export function openEnrollmentToken(app: App, tenantId: string, token: unknown, nowSec: number): EnrollmentGrant {
  const bad = (why: string) => new InvalidGrant('The enrollment token is not valid.', { aadsts: 50155, detail: why, extra: { suberror: 'enrollment_token_invalid' } });
  if (typeof token !== 'string' || !token.startsWith(PREFIX) || token.length > MAX_TOKEN) throw bad('malformed');
  let g: EnrollmentGrant;
  try {
    g = JSON.parse(app.sealer.unseal(token.slice(PREFIX.length), aad(tenantId)).toString('utf8')) as EnrollmentGrant;
  } catch {
    throw bad('does not open for this tenant');
  }
  if (g.tid !== tenantId) throw bad('another tenant');
  if (!(g.exp > nowSec)) throw new InvalidGrant('The enrollment token has expired; ask your administrator for a new one.', { aadsts: 50155, extra: { suberror: 'enrollment_token_expired' } });
  return g;
}

/**
 * Counts one registration with an opened token against its server record: refuses a revoked, used-up
 * or unrecorded token (`invalid_grant` 50155, suberror `enrollment_token_revoked` /
 * `enrollment_token_exhausted` / `enrollment_token_invalid`). A refusal is audited ("Register device",
 * result failure): only a genuine sealed token gets this far, so a revoked one turning up is news for
 * the administrator.
 */
export async function useEnrollmentToken(app: App, tenant: Tenant, g: EnrollmentGrant, audit: { actor: Actor; correlationId: string }): Promise<void> {
  const outcome = await app.store.enrollmentTokens.use(tenant.id, g.jti, Date.now());
  if (outcome === 'used') return;
  const refusals = {
    revoked: ['enrollment_token_revoked', 'The enrollment token has been revoked; ask your administrator for a new one.'],
    exhausted: ['enrollment_token_exhausted', 'The enrollment token has been used as many times as it allows; ask your administrator for a new one.'],
    expired: ['enrollment_token_expired', 'The enrollment token has expired; ask your administrator for a new one.'],
    // Issued before tokens had records (or its record was removed): it can no longer be revoked, so it is refused.
    unknown: ['enrollment_token_invalid', 'The enrollment token is not valid.'],
  } as const;
  const [suberror, description] = refusals[outcome];
  await app.audit.record({
    tenantId: tenant.id, actor: audit.actor, category: 'Device', activity: 'Register device', result: 'failure', correlationId: audit.correlationId,
    targets: [{ id: g.jti, displayName: g.enrollmentProfileName ?? 'enrollment token', type: 'Other' }],
    details: [{ key: 'EnrollmentTokenId', value: g.jti }, { key: 'FailureReason', value: suberror }],
  });
  throw new InvalidGrant(description, { aadsts: 50155, detail: `enrollment token ${g.jti}: ${outcome}`, extra: { suberror } });
}

/**
 * The caller of an enrollment-token admin endpoint: an admin Graph access token (Bearer, or DPoP for
 * bound tokens) of this tenant whose roles grant `devices.write`.
 */
export async function enrollmentTokenAdmin(app: App, req: FastifyRequest): Promise<GraphCaller> {
  const tenant = await resolveTenant(app, (req.params as { tenant: string }).tenant);
  const caller = await authenticate(app, req);
  if (caller.tenant.id !== tenant.id) throw new AuthorizationDenied('The token was issued for another tenant.');
  caller.require('devices.write');
  return caller;
}

export function registerEnrollmentTokens(f: FastifyInstance, app: App): void {
  f.post('/:tenant/devices/enrollment-tokens', async (req: FastifyRequest, reply) => {
    const caller = await enrollmentTokenAdmin(app, req);
    const tenant = caller.tenant;
    const parsed = requestSchema.safeParse(req.body ?? {});
    if (!parsed.success) {
      const i = parsed.error.issues[0]!;
      throw new InvalidRequest(`Invalid enrollment token request: ${i.path.join('.') || 'body'}: ${i.message}.`);
    }
    const b = parsed.data;
    const ttl = b.expires_in ?? Math.min(7 * 86400, app.config.enrollmentTokenMaxTtl);
    if (ttl > app.config.enrollmentTokenMaxTtl) throw new InvalidRequest(`expires_in must be at most ${app.config.enrollmentTokenMaxTtl} seconds.`);
    const nowMs = Date.now();
    const now = Math.floor(nowMs / 1000);
    const grant: EnrollmentGrant = {
      tid: tenant.id, exp: now + ttl, trustType: b.trust_type === 'Workplace' ? 'Workplace' : 'AzureAd', issuedBy: caller.principalId, jti: newId(),
      ...(b.profile_type ? { profileType: b.profile_type } : {}),
      ...(b.system_labels ? { systemLabels: b.system_labels } : {}),
      ...(b.enrollment_profile_name ? { enrollmentProfileName: b.enrollment_profile_name } : {}),
    };
    const record: EnrollmentTokenRecord = {
      id: grant.jti, tenantId: tenant.id, issuedBy: grant.issuedBy, createdAt: nowMs, expiresAt: grant.exp * 1000,
      trustType: grant.trustType, profileType: grant.profileType ?? null, systemLabels: grant.systemLabels ?? [], enrollmentProfileName: grant.enrollmentProfileName ?? null,
      maxUses: b.max_uses ?? null, usageCount: 0, lastUsedAt: null, revokedAt: null, revokedBy: null,
    };
    await app.store.enrollmentTokens.create(record);
    const token = PREFIX + app.sealer.seal(JSON.stringify(grant), aad(tenant.id));
    await app.audit.record({
      tenantId: tenant.id, actor: caller.actor, category: 'Device', activity: 'Create device enrollment token', correlationId: caller.correlationId,
      targets: [{ id: grant.jti, displayName: grant.enrollmentProfileName ?? 'enrollment token', type: 'Other' }],
      details: [
        { key: 'ExpiresAt', value: new Date(grant.exp * 1000).toISOString() }, { key: 'TrustType', value: grant.trustType },
        { key: 'MaxUses', value: record.maxUses === null ? 'unlimited' : String(record.maxUses) },
      ],
    });
    void reply.header('Cache-Control', 'no-store').status(201);
    return { id: grant.jti, enrollment_token: token, expires_in: ttl, trust_type: grant.trustType, max_uses: record.maxUses };
  });
}
