/** Helpers every endpoint uses to read a request: tenant, client address, external URL, body type. */
import type { FastifyRequest } from 'fastify';
import type { App } from '../app/app.ts';
import { InvalidRequest, TenantNotFound } from '../errors/oauth.ts';
import type { Tenant } from '../store/types.ts';
import type { HttpInfo } from '../protocol/token/context.ts';

export async function resolveTenant(app: App, segment: string): Promise<Tenant> {
  const t = segment.length <= 253 ? await app.directory.tenant(segment) : undefined;
  if (!t) {
    throw new TenantNotFound(`Tenant '${segment.slice(0, 80)}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`, { aadsts: 90002, status: 400 });
  }
  return t;
}

/** OAuth endpoints take application/x-www-form-urlencoded only (RFC 6749 §4.1.3, §3.2). */
export function requireForm(req: FastifyRequest): void {
  requireFormContentType(req.headers['content-type']);
}

export function requireFormContentType(contentType: string | undefined): void {
  const ct = String(contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (ct !== 'application/x-www-form-urlencoded') {
    throw new InvalidRequest(`The request body must be application/x-www-form-urlencoded (got '${ct.slice(0, 60) || 'nothing'}').`, { aadsts: 900144, status: ct ? 415 : 400 });
  }
}

export function requestInfo(app: App, req: FastifyRequest, path: string): HttpInfo {
  return {
    method: req.method,
    // The issuer's base URL is the external origin; RFC 9449 §4.3 compares htu against it.
    url: `${app.baseUrl}${path}`,
    ip: (req as FastifyRequest & { clientIp?: string }).clientIp ?? req.ip,
    userAgent: String(req.headers['user-agent'] ?? '').slice(0, 512),
    headers: req.headers,
  };
}
