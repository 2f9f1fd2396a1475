/**
 * The tenant authority a device-protocol proof must be addressed to (`aud`,
 * docs/token-protection.md §3): the external base URL and the tenant segment exactly as the client
 * used it (`/{tenantId}` or `/{domain}`), the same string the agent was configured with.
 */
import type { App } from '../../app/app.ts';

export function authorityFor(app: App, tenantSegment: string): string {
  return `${app.baseUrl}/${tenantSegment}`;
}

/** The authority of a token endpoint URL (`{authority}/oauth2/v2.0/token`). */
export function authorityOfTokenUrl(tokenUrl: string): string {
  return tokenUrl.replace(/\/oauth2\/v2\.0\/token$/, '');
}
