/**
 * The conditional access step of the sign-in pipeline: builds the engine's `PolicySignInContext`
 * once from what the pipeline already knows, evaluates enabled and report-only policies, writes the
 * per-policy results to the sign-in record and enforces the decision (block, or
 * `interaction_required` with Entra's code for a non-interactive request).
 */
import type { App } from '../../app/app.ts';
import { decisionToOAuthError, evaluatePolicies, type PolicyDevice, type PolicySignInContext } from '../../policy/index.ts';
import type { AuthenticationMethodMode, RiskLevel, TransferMethod } from '../../policy/schema/enums.ts';
import type { Device, ServicePrincipal, User } from '../../store/types.ts';
import type { TokenProtectionStatus } from '../../signin/event.ts';
import type { TokenContext } from './context.ts';

const methodOf: Record<string, AuthenticationMethodMode> = { pwd: 'password', otp: 'softwareOath', ngcmfa: 'windowsHelloForBusiness', fido: 'fido2' };

export function policyDevice(d: Device | undefined): PolicyDevice | null {
  if (!d) return null;
  return {
    deviceId: d.deviceId, displayName: d.displayName, operatingSystem: d.operatingSystem, operatingSystemVersion: d.operatingSystemVersion,
    trustType: d.trustType, isCompliant: d.isCompliant, isManaged: d.isManaged, profileType: d.profileType, systemLabels: d.systemLabels,
    enrollmentProfileName: d.enrollmentProfileName, manufacturer: (d.extra.manufacturer as string | undefined) ?? null,
    model: (d.extra.model as string | undefined) ?? null, deviceOwnership: (d.extra.deviceOwnership as string | undefined) ?? null,
    mdmAppId: (d.extra.mdmAppId as string | undefined) ?? null, physicalIds: (d.extra.physicalIds as string[] | undefined) ?? null,
    extensionAttributes: (d.extra.extensionAttributes as PolicyDevice['extensionAttributes']) ?? null,
  };
}

export interface RiskInput { signIn?: RiskLevel; user?: RiskLevel; servicePrincipal?: RiskLevel; country?: string | null }

/** What a sign-in has established, whichever door it came through (token endpoint or sign-in page). */
export interface SignInFacts {
  tenantId: string;
  subject: { kind: 'user'; user: User; wids: string[] } | { kind: 'app'; sp: ServicePrincipal };
  clientAppId: string;
  resourceAppId: string | null;
  clientAppUsed: string;
  userAgent: string;
  ip: string;
  device: Device | undefined;
  transferMethod: TransferMethod;
  originalTransferMethod: TransferMethod;
  amr: string[];
  authTime: number | undefined;
  tokenProtection: TokenProtectionStatus;
  isInteractive: boolean;
  risk: RiskInput;
}

export async function buildPolicyContext(app: App, f: SignInFacts): Promise<PolicySignInContext> {
  const subject: PolicySignInContext['subject'] = f.subject.kind === 'user'
    ? { kind: 'user', id: f.subject.user.id, groupIds: await app.store.groups.transitiveGroupIds(f.tenantId, f.subject.user.id), roleTemplateIds: f.subject.wids, userType: f.subject.user.userType === 'Guest' ? 'guest' : 'member' }
    : { kind: 'servicePrincipal', id: f.subject.sp.id, appId: f.subject.sp.appId, isSingleTenantInMyTenant: true };
  const now = Date.now();
  const tp = f.tokenProtection;
  return {
    subject,
    clientAppId: f.clientAppId,
    resourceAppId: f.resourceAppId,
    clientAppType: f.clientAppUsed === 'Browser' ? 'browser' : 'mobileAppsAndDesktopClients',
    userAgent: f.userAgent,
    ipAddress: f.ip,
    country: f.risk.country ?? null,
    ...(f.risk.signIn ? { signInRiskLevel: f.risk.signIn } : {}),
    ...(f.risk.user ? { userRiskLevel: f.risk.user } : {}),
    ...(f.risk.servicePrincipal ? { servicePrincipalRiskLevel: f.risk.servicePrincipal } : {}),
    device: policyDevice(f.device),
    authenticationFlow: { transferMethod: f.transferMethod, originalTransferMethod: f.originalTransferMethod },
    satisfied: {
      methods: f.amr.map((m) => methodOf[m]).filter((m): m is AuthenticationMethodMode => Boolean(m)),
      lastAuthenticatedAt: f.authTime ?? now,
      ...(f.amr.includes('mfa') ? { lastMfaAt: f.authTime ?? now } : {}),
      tokenProtection: { signInSessionStatus: tp.signInSessionStatus, ...(tp.signInSessionStatusCode !== null ? { signInSessionStatusCode: tp.signInSessionStatusCode } : {}) },
    },
    isInteractive: f.isInteractive,
    now,
  };
}

const transfer = (m: string): TransferMethod => (m === 'deviceCodeFlow' || m === 'authenticationTransfer' ? m : 'none');

export async function conditionalAccessHook(ctx: TokenContext): Promise<void> {
  const app = ctx.app;
  const snapshot = await app.policies.snapshot(ctx.tenant.id);
  if (snapshot.policies.length === 0) return;
  const g = ctx.grant!;
  const pctx = await buildPolicyContext(app, {
    tenantId: ctx.tenant.id,
    subject: g.subject.kind === 'user' ? { kind: 'user', user: g.subject.user, wids: g.wids } : { kind: 'app', sp: g.subject.sp },
    clientAppId: ctx.client!.client.app.appId, resourceAppId: g.scopes.resource?.appId ?? null, clientAppUsed: ctx.event.clientAppUsed,
    userAgent: ctx.http.userAgent, ip: ctx.http.ip, device: ctx.possession?.kind === 'device' ? ctx.possession.device : undefined,
    transferMethod: ctx.grantType.endsWith('device_code') ? 'deviceCodeFlow' : 'none', originalTransferMethod: transfer(g.originalTransferMethod),
    amr: g.amr, authTime: g.authTime, tokenProtection: ctx.event.tokenProtectionStatusDetails,
    // The token endpoint cannot prompt; the sign-in page evaluates interactively before issuing the code.
    isInteractive: false, risk: { country: ctx.event.location.countryOrRegion, ...ctx.risk },
  });
  const decision = evaluatePolicies(snapshot, pctx);
  ctx.event.appliedConditionalAccessPolicies.push(...decision.appliedConditionalAccessPolicies);
  ctx.event.conditionalAccessStatus = decision.conditionalAccessStatus;
  if (decision.authenticationRequirement === 'multiFactorAuthentication') ctx.event.authenticationRequirement = 'multiFactorAuthentication';
  ctx.acrs = decision.acrs;
  const err = decisionToOAuthError(decision);
  if (err) throw err;
}
