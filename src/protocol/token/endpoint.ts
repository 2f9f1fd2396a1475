/**
 * POST /{tenant}/oauth2/v2.0/token. Runs `tokenSteps`, and whatever the outcome writes exactly one
 * sign-in record (polls that only say "pending" are not sign-ins and are not recorded).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { App } from '../../app/app.ts';
import { OAuthError, ServerError, toOAuthResponse, type OAuthResponse } from '../../errors/oauth.ts';
import { blankSignIn } from '../../signin/event.ts';
import { newId } from '../../util/ids.ts';
import { FormParams } from '../../server/form.ts';
import { requireFormContentType, resolveTenant } from '../../server/request.ts';
import type { HttpInfo, TokenContext } from './context.ts';
import { tokenSteps } from './steps.ts';
import { recordRisk } from './risk.ts';
import { tokenProtectionStatus } from './sign-in-context.ts';

const NOT_SIGN_INS = new Set(['authorization_pending', 'slow_down']);
const DEVICE_SIGN_IN_GRANULARITY_MS = 600_000;

/**
 * RFC 9449 §8: a nonce challenge to a proof that carried no nonce is the protocol's first round trip,
 * not a failed sign-in; a stale or forged nonce is recorded like any other failure.
 */
function isFirstNonceRoundTrip(e: OAuthError, dpop: unknown): boolean {
  if (e.code !== 'use_dpop_nonce' || typeof dpop !== 'string') return false;
  try {
    return !('nonce' in (JSON.parse(Buffer.from(dpop.split('.')[1] ?? '', 'base64url').toString('utf8')) as object));
  } catch {
    return false;
  }
}

/** A token request as any transport hands it over (Fastify route or the node:http fast path). */
export interface TokenRequest {
  /** The `{tenant}` path segment as sent (GUID or domain). */
  tenantSegment: string;
  method: string;
  headers: IncomingHttpHeaders;
  /** Client address after trusted-proxy resolution. */
  ip: string;
  /** Form body, parsed to name → values. */
  body: Record<string, string[]>;
}

/**
 * Runs one token request to its HTTP answer. Never rejects: protocol errors become their RFC 6749
 * §5.2 answers, anything else a logged `server_error`.
 */
export async function answerTokenRequest(app: App, req: TokenRequest): Promise<OAuthResponse> {
  const started = performance.now();
  let ctx: TokenContext | undefined;
  try {
    requireFormContentType(req.headers['content-type']);
    const tenant = await resolveTenant(app, req.tenantSegment);
    const http: HttpInfo = {
      method: req.method,
      // The issuer's base URL is the external origin; RFC 9449 §4.3 compares htu against it.
      url: `${app.baseUrl}/${req.tenantSegment}/oauth2/v2.0/token`,
      ip: req.ip,
      userAgent: String(req.headers['user-agent'] ?? '').slice(0, 512),
      headers: req.headers,
    };
    ctx = {
      app, tenant, http, started, grantType: '', responseHeaders: {},
      params: new FormParams(req.body),
      event: blankSignIn({ id: newId(), correlationId: String(req.headers['client-request-id'] ?? newId()).slice(0, 64), tenantId: tenant.id, eventType: 'nonInteractiveUser', ipAddress: http.ip, userAgent: http.userAgent }),
    };
    for (const step of tokenSteps) await step(ctx);
    finish(app, ctx);
    // RFC 6749 §5.1: token responses must not be cached.
    return { status: 200, headers: { 'Cache-Control': 'no-store', Pragma: 'no-cache', ...ctx.responseHeaders }, body: ctx.response! };
  } catch (err) {
    const e = err instanceof OAuthError ? err : new ServerError('The server could not complete the request.', { cause: err });
    if (!(err instanceof OAuthError)) app.log.error({ err }, 'token endpoint failure');
    // Requests that never reached the pipeline (wrong content type, unknown tenant) are not sign-ins of a tenant.
    if (ctx && !NOT_SIGN_INS.has(e.code) && !isFirstNonceRoundTrip(e, req.headers.dpop)) {
      try {
        ctx.event.status = { errorCode: e.aadsts ?? 90000, failureReason: e.description, additionalDetails: e.detail ?? null };
        // Every user sign-in record carries a token protection status, also when the grant failed before it was worked out.
        if (ctx.event.eventType !== 'servicePrincipal' && ctx.event.tokenProtectionStatusDetails.signInSessionStatus === 'none') ctx.event.tokenProtectionStatusDetails = tokenProtectionStatus(ctx);
        if (ctx.event.conditionalAccessStatus === 'notApplied' && ctx.event.appliedConditionalAccessPolicies.length) ctx.event.conditionalAccessStatus = 'failure';
        finish(app, ctx);
      } catch (recordErr) {
        app.log.error({ err: recordErr }, 'sign-in record of a failed token request not written');
      }
    }
    const answer = toOAuthResponse(e, typeof req.headers.authorization === 'string' ? req.headers.authorization : undefined);
    if (ctx) Object.assign(answer.headers, ctx.responseHeaders);
    return answer;
  }
}

/** The Fastify route (used by `inject` and whenever the fast path in src/server/http.ts is bypassed). */
export function registerTokenEndpoint(f: FastifyInstance, app: App): void {
  f.post('/:tenant/oauth2/v2.0/token', async (req, reply) => {
    const answer = await answerTokenRequest(app, {
      tenantSegment: (req.params as { tenant: string }).tenant,
      method: req.method,
      headers: req.headers,
      ip: (req as typeof req & { clientIp?: string }).clientIp ?? req.ip,
      body: (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, string[]>,
    });
    for (const [k, v] of Object.entries(answer.headers)) void reply.header(k, v);
    return reply.status(answer.status).send(answer.body);
  });
}

function finish(app: App, ctx: TokenContext): void {
  if (!ctx.event.appId) {
    // The client never authenticated: record what it claimed to be.
    ctx.event.appId = ctx.params.names().includes('client_id') ? safe(() => ctx.params.get('client_id')) ?? '' : '';
  }
  ctx.event.processingTimeInMilliseconds = Math.round(performance.now() - ctx.started);
  app.signIns.record(ctx.event);
  recordRisk(ctx);
  if (ctx.event.status.errorCode === 0 && ctx.possession?.kind === 'device') {
    // Graph's approximateLastSignInDateTime, like Entra's, is approximate: updated at most every 10
    // minutes. The device row was just read, so most sign-ins need no write at all; the store's
    // conditional update still decides between concurrent ones.
    const { device } = ctx.possession;
    const now = Date.now();
    if (device.lastSignInAt === null || now - device.lastSignInAt >= DEVICE_SIGN_IN_GRANULARITY_MS) {
      void app.store.devices.touchSignIn(ctx.tenant.id, device.id, now, DEVICE_SIGN_IN_GRANULARITY_MS).catch((err) => app.log.error({ err }, 'device sign-in time not recorded'));
    }
  }
}

function safe<T>(fn: () => T): T | undefined {
  try { return fn(); } catch { return undefined; }
}
