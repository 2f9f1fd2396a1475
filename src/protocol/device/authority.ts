/**
 * The tenant authority a device-protocol proof must be addressed to (`aud`,
 * docs/token-protection.md §3): the external base URL and the tenant, named by id or by domain —
 * `http://host/{tenantId}` and `http://host/{domain}` are the same authority, and an agent
 * configured with one may send its token requests to the other (discovery names the id).
 */
import type { App } from '../../app/app.ts';
import type { Tenant } from '../../store/types.ts';

/**
 * The audience to check a proof against: the proof's own `aud` when it names this tenant's
 * authority in any accepted form, else the canonical one (so the check fails with "audience mismatch").
 * Reading `aud` before the signature check is safe: it only picks among values that are all correct.
 */
export function proofAudience(app: App, tenant: Tenant, proof: unknown): string {
  const canonical = `${app.baseUrl}/${tenant.id}`;
  if (typeof proof !== 'string' || proof.length > 16 * 1024) return canonical;
  let aud: unknown;
  try {
    aud = (JSON.parse(Buffer.from(proof.split('.')[1] ?? '', 'base64url').toString('utf8')) as { aud?: unknown }).aud;
  } catch {
    return canonical;
  }
  return aud === `${app.baseUrl}/${tenant.domain}` ? aud : canonical;
}
