/**
 * Conditional access on the sign-in page, where the user is present: a policy that needs MFA
 * prompts for the second factor and continues (Entra's interactive behaviour); a block, or a need
 * the user cannot meet here, ends the sign-in with Entra's code and a sign-in record.
 */
import type { App } from '../../app/app.ts';
import { evaluatePolicies } from '../../policy/index.ts';
import type { Tenant, User } from '../../store/types.ts';
import { resolveScopes } from '../resources.ts';
import { buildPolicyContext, type RiskInput } from '../token/conditional-access.ts';
import { interactiveEvent, type Attempt } from './credentials.ts';

export type InteractiveVerdict =
  | { outcome: 'allow' }
  | { outcome: 'prompt-mfa' }
  | { outcome: 'deny'; aadsts: number; message: string };

export async function evaluateInteractive(app: App, tenant: Tenant, a: Attempt, user: User, scope: string, amr: string[], risk: RiskInput = {}): Promise<InteractiveVerdict> {
  const snapshot = await app.policies.snapshot(tenant.id);
  if (snapshot.policies.length === 0) return { outcome: 'allow' };
  const scopes = await resolveScopes(app.directory, tenant.id, scope).catch(() => undefined);
  const wids = await app.store.roles.rolesOf(tenant.id, user.id);
  const ctx = await buildPolicyContext(app, {
    tenantId: tenant.id, subject: { kind: 'user', user, wids }, clientAppId: a.appId, resourceAppId: scopes?.resource?.appId ?? null,
    clientAppUsed: 'Browser', userAgent: a.userAgent, ip: a.ip, device: undefined,
    transferMethod: a.protocol === 'deviceCode' ? 'deviceCodeFlow' : 'none', originalTransferMethod: a.protocol === 'deviceCode' ? 'deviceCodeFlow' : 'none',
    amr, authTime: Date.now(), tokenProtection: { signInSessionStatus: 'unbound', signInSessionStatusCode: 1008 }, isInteractive: true, risk,
  });
  const d = evaluatePolicies(snapshot, ctx);
  if (d.outcome === 'allow') return { outcome: 'allow' };
  const promptable = d.outcome === 'needs_interaction' && d.prompts.length > 0 && d.prompts.every((p) => p === 'mfa' || p === 'authenticationStrength');
  if (promptable && !amr.includes('mfa') && user.totpSecret) return { outcome: 'prompt-mfa' };
  // Record the refusal the way Entra logs it: the sign-in, the policies and the code.
  const e = interactiveEvent(tenant, a, user.userPrincipalName, user);
  const aadsts = promptable ? 50079 : d.error?.aadsts ?? 53003;
  const message = promptable
    ? 'Your organisation requires multifactor authentication, and you have no verification method registered. Ask your administrator to register an authenticator app for you.'
    : d.error?.description ?? 'Access has been blocked by Conditional Access policies.';
  e.status = { errorCode: aadsts, failureReason: message, additionalDetails: null };
  e.appliedConditionalAccessPolicies = d.appliedConditionalAccessPolicies;
  e.conditionalAccessStatus = 'failure';
  e.resourceId = scopes?.resource?.appId ?? null;
  e.resourceDisplayName = scopes?.resource?.displayName ?? null;
  app.signIns.record(e);
  return { outcome: 'deny', aadsts, message };
}
