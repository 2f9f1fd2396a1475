/**
 * Session controls (graph-shapes §1.3, §4, §10 [E1][E9]). They apply once grant controls are met.
 * Two of them can stop a sign-in:
 * - signInFrequency: `everyTime` needs a fresh authentication (5 minutes clock-skew tolerance,
 *   [E9]); `timeBased` needs one within value × hours/days. Unmet → re-authentication prompt
 *   (interactive) or AADSTS70044 (non-interactive). `secondaryAuthentication` measures the last MFA.
 * - secureSignInSession (token protection, §4): the request must be device-bound; an unbound one
 *   fails with `SignInTokenProtection` in sessionControlsNotSatisfied, and no prompt can fix it.
 * The others are directives the core applies to the session it issues.
 */
import type { PolicySignInContext } from '../context.ts';
import type { SessionControls } from '../schema/policy.ts';
import { controlErrors, type ControlError } from './aadsts.ts';
import type { Judgement } from './grant.ts';

const EVERY_TIME_SKEW_MS = 5 * 60_000;

export interface SessionDirectives {
  /** Shortest sign-in frequency that applies, in ms (0 = every time). */
  signInFrequencyMs?: number;
  persistentBrowser?: 'always' | 'never';
  continuousAccessEvaluation?: 'strictEnforcement' | 'disabled' | 'strictLocation';
  disableResilienceDefaults?: boolean;
  applicationEnforcedRestrictions?: boolean;
  cloudAppSecurity?: string;
  /** True when token protection is required for the session. */
  tokenProtection?: boolean;
}

export interface SessionCheck {
  displayName: string;
  error: ControlError;
  judge(ctx: PolicySignInContext): Judgement;
}

export interface CompiledSession {
  /** Names for enforcedSessionControls (records copy them). */
  names: readonly string[];
  checks: SessionCheck[];
  directives: SessionDirectives;
}

export function compileSession(s: SessionControls | null | undefined): CompiledSession | null {
  if (!s) return null;
  const names: string[] = [];
  const checks: SessionCheck[] = [];
  const directives: SessionDirectives = {};
  const sif = s.signInFrequency;
  if (sif?.isEnabled) {
    const everyTime = sif.frequencyInterval === 'everyTime';
    const unit = sif.type === 'days' ? 86_400_000 : 3_600_000;
    const limit = everyTime ? EVERY_TIME_SKEW_MS : (sif.value ?? 0) * unit;
    if (everyTime || limit > 0) {
      const secondary = sif.authenticationType === 'secondaryAuthentication';
      names.push('SignInFrequency');
      directives.signInFrequencyMs = everyTime ? 0 : limit;
      checks.push({
        displayName: 'SignInFrequency', error: controlErrors.signInFrequency,
        judge: (ctx) => {
          const at = secondary ? ctx.satisfied.lastMfaAt : ctx.satisfied.lastAuthenticatedAt;
          return at !== undefined && ctx.now - at <= limit ? 'satisfied' : 'interaction';
        },
      });
    }
  }
  if (s.secureSignInSession?.isEnabled) {
    names.push('SignInTokenProtection');
    directives.tokenProtection = true;
    checks.push({ displayName: 'SignInTokenProtection', error: controlErrors.tokenProtection, judge: (ctx) => (ctx.satisfied.tokenProtection.signInSessionStatus === 'bound' ? 'satisfied' : 'failed') });
  }
  if (s.persistentBrowser?.isEnabled && s.persistentBrowser.mode) { names.push('PersistentBrowserSessionMode'); directives.persistentBrowser = s.persistentBrowser.mode; }
  if (s.continuousAccessEvaluation?.mode && s.continuousAccessEvaluation.mode !== 'unknownFutureValue') { names.push('ContinuousAccessEvaluation'); directives.continuousAccessEvaluation = s.continuousAccessEvaluation.mode; }
  if (s.disableResilienceDefaults) { names.push('DisableResilienceDefaults'); directives.disableResilienceDefaults = true; }
  if (s.applicationEnforcedRestrictions?.isEnabled) { names.push('AppEnforcedRestrictions'); directives.applicationEnforcedRestrictions = true; }
  if (s.cloudAppSecurity?.isEnabled) { names.push('CloudAppSecurity'); directives.cloudAppSecurity = s.cloudAppSecurity.cloudAppSecurityType ?? 'mcasConfigured'; }
  return names.length ? { names, checks, directives } : null;
}

/** Merges directives across applying policies: the strictest wins. */
export function mergeDirectives(into: SessionDirectives, d: SessionDirectives): void {
  if (d.signInFrequencyMs !== undefined) into.signInFrequencyMs = Math.min(into.signInFrequencyMs ?? Infinity, d.signInFrequencyMs);
  if (d.persistentBrowser) into.persistentBrowser = into.persistentBrowser === 'never' ? 'never' : d.persistentBrowser;
  if (d.continuousAccessEvaluation) {
    const strength = { disabled: 0, strictEnforcement: 1, strictLocation: 2 } as const;
    if (!into.continuousAccessEvaluation || strength[d.continuousAccessEvaluation] > strength[into.continuousAccessEvaluation]) into.continuousAccessEvaluation = d.continuousAccessEvaluation;
  }
  if (d.disableResilienceDefaults) into.disableResilienceDefaults = true;
  if (d.applicationEnforcedRestrictions) into.applicationEnforcedRestrictions = true;
  if (d.cloudAppSecurity) into.cloudAppSecurity = d.cloudAppSecurity;
  if (d.tokenProtection) into.tokenProtection = true;
}
