/**
 * The identity protection step of the sign-in pipeline, before conditional access: locate the
 * address (country, city, ASN), assess the sign-in with the real-time detectors (synchronous, in
 * microseconds) and hand sign-in, user and service-principal risk to the policy step. After the
 * outcome, `recordRisk` feeds the result back for learning, offline detections and risky users.
 */
import type { RiskSignInEvent, ServicePrincipalSignInEvent } from '../../risk/event.ts';
import type { SignInRiskAssessment } from '../../risk/engine.ts';
import { signInRiskFields } from '../../risk/signin-fields.ts';
import type { TokenContext } from './context.ts';
import type { RiskLevel } from '../../risk/types.ts';

const pending = new WeakMap<TokenContext, { user?: { ev: RiskSignInEvent; a: SignInRiskAssessment }; sp?: ServicePrincipalSignInEvent }>();

export async function riskHook(ctx: TokenContext): Promise<void> {
  const { app, event } = ctx;
  const login = ctx.grant?.loginRisk;
  if (login) {
    // The sign-in page assessed this sign-in where the user was; the record shows that address.
    event.ipAddress = login.ip;
    event.userAgent = login.userAgent;
  }
  const geo = app.risk.locate(event.ipAddress);
  if (geo.known) {
    event.location = {
      city: geo.city ?? null, state: geo.state ?? null, countryOrRegion: geo.countryOrRegion ?? null,
      geoCoordinates: geo.latitude !== undefined && geo.longitude !== undefined ? { latitude: geo.latitude, longitude: geo.longitude } : null,
    };
    event.autonomousSystemNumber = geo.asn ?? null;
  }
  const engine = app.risk.engine(ctx.tenant.id);
  const g = ctx.grant!;
  if (g.subject.kind === 'app') {
    pending.set(ctx, {
      sp: {
        requestId: event.id, correlationId: event.correlationId, time: Date.now(), servicePrincipalId: g.subject.sp.id, appId: g.subject.sp.appId,
        servicePrincipalDisplayName: g.subject.sp.displayName, ip: ctx.http.ip, network: geo, resourceId: g.scopes.resource?.appId ?? '',
        userAgent: ctx.http.userAgent, credentialType: ctx.client?.method === 'private_key_jwt' ? 'clientAssertion' : 'clientSecret',
        ...(ctx.client?.credential ? { keyId: ctx.client.credential.keyId } : {}), status: 'success',
      },
    });
    ctx.risk = { servicePrincipal: engine.servicePrincipalRiskLevel(g.subject.sp.id), country: geo.countryOrRegion ?? null };
    return;
  }
  if (login) {
    Object.assign(event, signInRiskFields({ riskLevelDuringSignIn: login.riskLevelDuringSignIn as RiskLevel, riskLevelAggregated: login.riskLevelAggregated as RiskLevel, riskEventTypes_v2: login.riskEventTypes_v2 }));
    ctx.risk = { signIn: login.riskLevelDuringSignIn as RiskLevel, user: login.userRiskLevel as RiskLevel, country: geo.countryOrRegion ?? null };
    return;
  }
  const user = g.subject.user;
  const device = ctx.possession?.kind === 'device' ? ctx.possession.device : undefined;
  const issued = g.issuedTo;
  const ev: RiskSignInEvent = {
    requestId: event.id, correlationId: event.correlationId, time: Date.now(), userId: user.id, userPrincipalName: user.userPrincipalName,
    userDisplayName: user.displayName, appId: ctx.client?.client.app.appId ?? '', resourceId: g.scopes.resource?.appId ?? '',
    ip: ctx.http.ip, network: geo, userAgent: ctx.http.userAgent, isInteractive: event.isInteractive, status: 'success',
    mfaSatisfied: g.amr.includes('mfa'),
    ...(device ? { device: { deviceId: device.deviceId, operatingSystem: device.operatingSystem ?? undefined, isManaged: device.isManaged ?? undefined, isCompliant: device.isCompliant ?? undefined } } : {}),
    ...(typeof g.passwordFingerprint === 'string' ? { passwordFingerprint: g.passwordFingerprint } : {}),
    ...(issued && g.familyId ? {
      presentedToken: {
        kind: ctx.grantType.includes('session') ? 'primaryRefreshToken' : 'refreshToken', tokenId: g.familyId,
        issuedTo: { issuedAt: Number(issued.issuedAt ?? 0), ip: String(issued.ipAddress ?? ''), userAgent: String(issued.userAgent ?? '') },
        // Possession of the key the token is bound to was proven (DPoP key or device session key).
        devicePossessionProven: Boolean(g.refreshJkt) || ctx.possession?.kind === 'device',
      },
    } : {}),
  } as RiskSignInEvent;
  const a = engine.assessSignIn(ev);
  Object.assign(event, signInRiskFields(a));
  pending.set(ctx, { user: { ev, a } });
  ctx.risk = { signIn: a.riskLevelDuringSignIn, user: a.userRiskLevel, country: geo.countryOrRegion ?? null };
}

/** After the outcome: learning and offline detections, off the response path. */
export function recordRisk(ctx: TokenContext): void {
  const p = pending.get(ctx);
  if (!p) return;
  const engine = ctx.app.risk.engine(ctx.tenant.id);
  const ok = ctx.event.status.errorCode === 0;
  if (p.user) {
    void engine.recordOutcome({ ...p.user.ev, status: ok ? 'success' : 'failure', ...(ok ? {} : { failureKind: ctx.event.status.errorCode === 53003 ? 'blocked' : 'other' }) }, p.user.a)
      .catch((err) => ctx.app.log.error({ err }, 'risk learning failed'));
  }
  if (p.sp) {
    void engine.observeServicePrincipalSignIn({ ...p.sp, status: ok ? 'success' : 'failure' }).catch((err) => ctx.app.log.error({ err }, 'workload risk failed'));
  }
}
