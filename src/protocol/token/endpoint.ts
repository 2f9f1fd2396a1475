/**
 * POST /{tenant}/oauth2/v2.0/token. Runs `tokenSteps`, and whatever the outcome writes exactly one
 * sign-in record (polls that only say "pending" are not sign-ins and are not recorded).
 */
import type { FastifyInstance } from 'fastify';
import type { App } from '../../app/app.ts';
import { OAuthError, ServerError } from '../../errors/oauth.ts';
import { blankSignIn } from '../../signin/event.ts';
import { newId } from '../../util/ids.ts';
import { FormParams } from '../../server/form.ts';
import { requestInfo, requireForm, resolveTenant } from '../../server/request.ts';
import type { TokenContext } from './context.ts';
import { tokenSteps } from './steps.ts';
import { recordRisk } from './risk.ts';
import { tokenProtectionStatus } from './sign-in-context.ts';

const NOT_SIGN_INS = new Set(['authorization_pending', 'slow_down']);

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

export function registerTokenEndpoint(f: FastifyInstance, app: App): void {
  f.post('/:tenant/oauth2/v2.0/token', async (req, reply) => {
    const started = performance.now();
    requireForm(req);
    const tenant = await resolveTenant(app, (req.params as { tenant: string }).tenant);
    const http = requestInfo(app, req, `/${(req.params as { tenant: string }).tenant}/oauth2/v2.0/token`);
    const ctx: TokenContext = {
      app, tenant, http, started, grantType: '', responseHeaders: {},
      params: new FormParams(req.body as Record<string, unknown>),
      event: blankSignIn({ id: newId(), correlationId: String(req.headers['client-request-id'] ?? newId()).slice(0, 64), tenantId: tenant.id, eventType: 'nonInteractiveUser', ipAddress: http.ip, userAgent: http.userAgent }),
    };
    try {
      for (const step of tokenSteps) await step(ctx);
    } catch (err) {
      const e = err instanceof OAuthError ? err : new ServerError('The server could not complete the request.', { cause: err });
      if (!(err instanceof OAuthError)) app.log.error({ err }, 'token endpoint failure');
      if (!NOT_SIGN_INS.has(e.code) && !isFirstNonceRoundTrip(e, req.headers.dpop)) {
        ctx.event.status = { errorCode: e.aadsts ?? 90000, failureReason: e.description, additionalDetails: e.detail ?? null };
        // Every user sign-in record carries a token protection status, also when the grant failed before it was worked out.
        if (ctx.event.eventType !== 'servicePrincipal' && ctx.event.tokenProtectionStatusDetails.signInSessionStatus === 'none') ctx.event.tokenProtectionStatusDetails = tokenProtectionStatus(ctx);
        if (ctx.event.conditionalAccessStatus === 'notApplied' && ctx.event.appliedConditionalAccessPolicies.length) ctx.event.conditionalAccessStatus = 'failure';
        finish(app, ctx);
      }
      for (const [k, v] of Object.entries(ctx.responseHeaders)) void reply.header(k, v);
      throw e;
    }
    finish(app, ctx);
    // RFC 6749 §5.1: token responses must not be cached.
    void reply.header('Cache-Control', 'no-store').header('Pragma', 'no-cache');
    for (const [k, v] of Object.entries(ctx.responseHeaders)) void reply.header(k, v);
    return ctx.response;
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
    // Graph's approximateLastSignInDateTime, like Entra's, is approximate: updated at most every 10 minutes.
    void app.store.devices.touchSignIn(ctx.tenant.id, ctx.possession.device.id, Date.now(), 600_000).catch((err) => app.log.error({ err }, 'device sign-in time not recorded'));
  }
}

function safe<T>(fn: () => T): T | undefined {
  try { return fn(); } catch { return undefined; }
}
