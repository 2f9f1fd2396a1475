/**
 * The access decision after the grant: risk and conditional access hooks (identity protection and
 * the policy engine plug in here through `app.accessHooks`), then the built-in per-resource token
 * protection requirement used until a conditional access policy drives it (issue 3 §5).
 */
import { InvalidGrant } from '../../errors/oauth.ts';
import type { TokenContext } from './context.ts';

export type AccessHook = (ctx: TokenContext) => Promise<void> | void;

export async function evaluateAccess(ctx: TokenContext): Promise<void> {
  for (const hook of ctx.app.accessHooks) await hook(ctx);
  const g = ctx.grant!;
  if (g.subject.kind === 'user' && g.scopes.resource?.tokenProtectionRequired) {
    const status = ctx.event.tokenProtectionStatusDetails;
    const policy = { id: `resource:${g.scopes.resource.appId}`, displayName: `Token protection required by ${g.scopes.resource.displayName}`, enforcedGrantControls: [], enforcedSessionControls: ['SignInTokenProtection'] };
    if (status.signInSessionStatus !== 'bound') {
      ctx.event.appliedConditionalAccessPolicies.push({ ...policy, result: 'failure', sessionControlsNotSatisfied: ['SignInTokenProtection'] });
      ctx.event.conditionalAccessStatus = 'failure';
      throw new InvalidGrant(`Token protection is required for ${g.scopes.resource.displayName}: this request is not bound to a registered device (status ${status.signInSessionStatusCode ?? 'none'}). Sign in through the Tessera device agent.`, { aadsts: 530084 });
    }
    ctx.event.appliedConditionalAccessPolicies.push({ ...policy, result: 'success' });
    if (ctx.event.conditionalAccessStatus === 'notApplied') ctx.event.conditionalAccessStatus = 'success';
  }
}
