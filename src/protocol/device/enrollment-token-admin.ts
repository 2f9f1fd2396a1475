/**
 * Listing and revoking enrollment tokens (docs/token-protection.md §11.1), beside the endpoint that
 * issues them and under the same authorization (an admin Graph token of the tenant with
 * `devices.write`). Graph-shaped: camelCase entities, `{ value, @odata.nextLink }` collections,
 * Graph error bodies.
 *
 *   GET  /{tenant}/devices/enrollment-tokens[?$top=N&$filter=status eq 'active']
 *   GET  /{tenant}/devices/enrollment-tokens/{id}
 *   POST /{tenant}/devices/enrollment-tokens/{id}/revoke   → 200 the token, now `revoked`
 *
 * A revocation takes effect for every registration that has not yet counted its use
 * (`EnrollmentTokenStore.use`); it is audited before the answer. Revoking a revoked token changes
 * nothing and writes nothing.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { App } from '../../app/app.ts';
import { modified } from '../../admin/validate.ts';
import { BadRequest, ResourceNotFound, UnsupportedQuery } from '../../errors/graph.ts';
import type { EnrollmentTokenRecord } from '../../store/types.ts';
import { isGuid } from '../../util/ids.ts';
import { enrollmentTokenAdmin } from './enrollment-token.ts';

export type EnrollmentTokenStatus = 'active' | 'revoked' | 'expired' | 'exhausted';
const STATUSES: readonly EnrollmentTokenStatus[] = ['active', 'revoked', 'expired', 'exhausted'];
const DEFAULT_TOP = 100;
const MAX_TOP = 999;

export function statusOf(r: EnrollmentTokenRecord, now: number): EnrollmentTokenStatus {
  if (r.revokedAt !== null) return 'revoked';
  if (r.expiresAt <= now) return 'expired';
  if (r.maxUses !== null && r.usageCount >= r.maxUses) return 'exhausted';
  return 'active';
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** The Graph-style entity: everything an admin needs to tell tokens apart, never the token. */
export function toEnrollmentTokenEntity(r: EnrollmentTokenRecord, now: number): Record<string, unknown> {
  return {
    id: r.id, status: statusOf(r, now), createdDateTime: iso(r.createdAt), expirationDateTime: iso(r.expiresAt),
    issuedBy: { id: r.issuedBy }, trustType: r.trustType, profileType: r.profileType, systemLabels: r.systemLabels,
    enrollmentProfileName: r.enrollmentProfileName, maxUses: r.maxUses, usageCount: r.usageCount, lastUsedDateTime: iso(r.lastUsedAt),
    revokedDateTime: iso(r.revokedAt), revokedBy: r.revokedBy === null ? null : { id: r.revokedBy },
  };
}

interface ListQuery { top: number; skip: number; status?: EnrollmentTokenStatus }

/** `$top`, `$filter=status eq '…'` and the `$skiptoken` of a nextLink; anything else is refused, not ignored. */
function parseListQuery(url: URL): ListQuery {
  const q: ListQuery = { top: DEFAULT_TOP, skip: 0 };
  const seen = new Set<string>();
  for (const [k, v] of url.searchParams) {
    if (seen.has(k)) throw new BadRequest(`The query option '${k.slice(0, 40)}' is given more than once.`);
    seen.add(k);
    if (k === '$top') {
      if (!/^\d{1,4}$/.test(v) || Number(v) < 1 || Number(v) > MAX_TOP) throw new BadRequest(`$top must be an integer from 1 to ${MAX_TOP}.`);
      q.top = Number(v);
    } else if (k === '$skiptoken') {
      if (!/^\d{1,9}$/.test(v)) throw new BadRequest('The $skiptoken is not valid; start from the first page.');
      q.skip = Number(v);
    } else if (k === '$filter') {
      const m = /^\s*status\s+eq\s+'([a-z]{1,20})'\s*$/.exec(v);
      if (!m || !STATUSES.includes(m[1] as EnrollmentTokenStatus)) {
        throw new UnsupportedQuery(`Only $filter=status eq '${STATUSES.join("' | '")}' is supported on enrollment tokens.`);
      }
      q.status = m[1] as EnrollmentTokenStatus;
    } else {
      throw new BadRequest(`The query option '${k.slice(0, 40)}' is not supported on enrollment tokens.`);
    }
  }
  return q;
}

function tokenId(req: FastifyRequest): string {
  const id = (req.params as { id: string }).id;
  if (!isGuid(id)) throw new BadRequest(`Invalid enrollment token id '${id.slice(0, 60)}': it must be a GUID.`);
  return id.toLowerCase();
}

async function findToken(app: App, tenantId: string, id: string): Promise<EnrollmentTokenRecord> {
  const r = await app.store.enrollmentTokens.get(tenantId, id);
  if (!r) throw new ResourceNotFound(`Enrollment token '${id}' does not exist in this tenant.`);
  return r;
}

export function registerEnrollmentTokenAdmin(f: FastifyInstance, app: App): void {
  const base = '/:tenant/devices/enrollment-tokens';

  f.get(base, async (req, reply) => {
    const caller = await enrollmentTokenAdmin(app, req);
    const url = new URL(req.url, app.baseUrl);
    const q = parseListQuery(url);
    const now = Date.now();
    // Tokens are issued by administrators, a handful per tenant: filter and page in memory.
    const rows = (await app.store.enrollmentTokens.list(caller.tenant.id)).filter((r) => q.status === undefined || statusOf(r, now) === q.status);
    const page = rows.slice(q.skip, q.skip + q.top);
    const body: Record<string, unknown> = { value: page.map((r) => toEnrollmentTokenEntity(r, now)) };
    if (q.skip + q.top < rows.length) {
      const next = new URL(url.pathname, app.baseUrl);
      for (const [k, v] of url.searchParams) if (k !== '$skiptoken') next.searchParams.set(k, v);
      next.searchParams.set('$skiptoken', String(q.skip + q.top));
      body['@odata.nextLink'] = next.href;
    }
    void reply.header('Cache-Control', 'no-store');
    return body;
  });

  f.get(`${base}/:id`, async (req, reply) => {
    const caller = await enrollmentTokenAdmin(app, req);
    const id = tokenId(req);
    if (new URL(req.url, app.baseUrl).search) throw new BadRequest('Query options are not supported on a single enrollment token.');
    void reply.header('Cache-Control', 'no-store');
    return toEnrollmentTokenEntity(await findToken(app, caller.tenant.id, id), Date.now());
  });

  f.post(`${base}/:id/revoke`, async (req, reply) => {
    const caller = await enrollmentTokenAdmin(app, req);
    const id = tokenId(req);
    const body = req.body;
    // Like Graph actions without parameters: no body, or an empty JSON object.
    if (body !== undefined && body !== null && !(typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0)) {
      throw new BadRequest('The revoke action takes no parameters; send no body or {}.');
    }
    const now = Date.now();
    const before = await findToken(app, caller.tenant.id, id);
    if (await app.store.enrollmentTokens.revoke(caller.tenant.id, id, caller.principalId, now)) {
      await app.audit.record({
        tenantId: caller.tenant.id, actor: caller.actor, category: 'Device', activity: 'Revoke device enrollment token', correlationId: caller.correlationId,
        targets: [{
          id, displayName: before.enrollmentProfileName ?? 'enrollment token', type: 'Other',
          modifiedProperties: [modified('RevokedDateTime', null, iso(now))],
        }],
        details: [{ key: 'UsageCount', value: String(before.usageCount) }, { key: 'StatusBefore', value: statusOf(before, now) }],
      });
    }
    void reply.header('Cache-Control', 'no-store');
    return toEnrollmentTokenEntity(await findToken(app, caller.tenant.id, id), now);
  });
}
