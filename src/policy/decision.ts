/**
 * What one evaluation produces (graph-shapes §3.1, §10): per-policy results and the combined
 * decision. `appliedConditionalAccessPolicies` (the sign-in record's Graph shape, also the
 * `ConditionalAccessPolicies` column of the log tables) is built on first read, so the token
 * path does not pay for a record it hands to the batched log writer.
 */
import type { CompiledPolicy } from './snapshot.ts';
import type { GrantControl } from './controls/grant.ts';
import type { SessionDirectives } from './controls/session.ts';
import type { ControlError } from './controls/aadsts.ts';
import { conditions } from './conditions/index.ts';

export type PolicyResult =
  | 'success' | 'failure' | 'notApplied' | 'notEnabled'
  | 'reportOnlySuccess' | 'reportOnlyFailure' | 'reportOnlyNotApplied' | 'reportOnlyInterrupted';

/** One policy's evaluation, compact (no strings built). */
export interface PolicyEvaluation {
  policy: CompiledPolicy;
  result: PolicyResult;
  /** Bit i set = conditions[i] voted match. */
  matchedMask: number;
  /** Index in `conditions` of the first condition that did not match, or -1. */
  failedCondition: number;
  unmetGrant: readonly GrantControl[];
  /** Session checks not satisfied (display names), e.g. `SignInTokenProtection`. */
  unmetSession: readonly string[];
  /** Only meaningful when the policy applies. */
  judgement: 'satisfied' | 'interaction' | 'failed' | null;
  strengthSatisfied: boolean | null;
}

/** graph-shapes §3.1 appliedConditionalAccessPolicy (each record owns its arrays). */
export interface AppliedConditionalAccessPolicy {
  id: string;
  displayName: string;
  result: PolicyResult;
  enforcedGrantControls: string[];
  enforcedSessionControls: string[];
  sessionControlsNotSatisfied: string[];
  conditionsSatisfied: string;
  conditionsNotSatisfied: string;
  authenticationStrength?: { authenticationStrengthId: string; displayName: string; authenticationStrengthResult: 'notSet' | 'satisfied' | 'singleChallengeRequired' | 'cannotSatisfy' };
}

export type Outcome = 'allow' | 'block' | 'needs_interaction';

/** A requirement some enabled, applying policy still has. */
export interface UnmetRequirement {
  policyId: string;
  /** `mfa`, `authenticationStrength`, `compliantDevice`, `SignInTokenProtection`, `SignInFrequency`, `block`, … */
  control: string;
  /** True when prompting the user can satisfy it. */
  promptable: boolean;
  error: ControlError;
}

export interface PolicyDecision {
  outcome: Outcome;
  /**
   * What the core does with this sign-in: `issue` tokens; `prompt` the present user for `prompts`
   * and evaluate again (interactive sign-ins only); `deny` with `error` (a block, or a requirement
   * a non-interactive request cannot meet: interaction_required with Entra's AADSTS code).
   */
  action: 'issue' | 'prompt' | 'deny';
  /**
   * For `block`, and for `needs_interaction` on a non-interactive request: the OAuth error to
   * return (e.g. interaction_required + AADSTS50076). For an interactive `needs_interaction` the
   * core prompts for `prompts` instead, then evaluates again with the new `satisfied` state.
   */
  error: ControlError | null;
  /** Controls to prompt for, in Entra's order (`mfa`, `authenticationStrength`, `passwordChange`, `termsOfUse:<id>`, `SignInFrequency`). */
  prompts: string[];
  unmet: UnmetRequirement[];
  /** Session directives of enabled applying policies (strictest wins). */
  session: SessionDirectives;
  /** Authentication contexts satisfied, for the token's `acrs` claim. */
  acrs: string[];
  /** `multiFactorAuthentication` when an enabled applying policy demanded MFA or a strength. */
  authenticationRequirement: 'singleFactorAuthentication' | 'multiFactorAuthentication';
  conditionalAccessStatus: 'success' | 'failure' | 'notApplied';
  /** Per-policy evaluations in snapshot order; built on first read. */
  readonly evaluations: readonly PolicyEvaluation[];
  /** The sign-in record's per-policy array; built on first read. */
  readonly appliedConditionalAccessPolicies: AppliedConditionalAccessPolicy[];
}

const satisfiedNames = new Map<number, string>();

/** The ⚑ conditionalAccessConditions string for a matched-condition mask (memoised: few distinct masks). */
function conditionsOf(mask: number): string {
  let s = satisfiedNames.get(mask);
  if (s === undefined) {
    const names: string[] = [];
    for (let i = 0; i < conditions.length; i++) if (mask & (1 << i)) { const n = conditions[i]!.logName; if (!names.includes(n)) names.push(n); }
    s = names.length ? names.join(',') : 'none';
    satisfiedNames.set(mask, s);
  }
  return s;
}

export function toAppliedPolicy(e: PolicyEvaluation): AppliedConditionalAccessPolicy {
  const p = e.policy;
  const out: AppliedConditionalAccessPolicy = {
    id: p.id,
    displayName: p.displayName,
    result: e.result,
    enforcedGrantControls: p.enforcedGrantControls.slice(),
    enforcedSessionControls: p.session ? p.session.names.slice() : [],
    // (unmetSession is often a shared frozen empty array; slicing a frozen array takes V8's slow path.)
    sessionControlsNotSatisfied: e.unmetSession.length ? e.unmetSession.slice() : [],
    conditionsSatisfied: conditionsOf(e.matchedMask),
    conditionsNotSatisfied: e.failedCondition >= 0 ? conditions[e.failedCondition]!.logName : 'none',
  };
  if (p.grant?.strength) {
    out.authenticationStrength = {
      authenticationStrengthId: p.grant.strength.id,
      displayName: p.grant.strength.displayName,
      authenticationStrengthResult: e.strengthSatisfied === null ? 'notSet' : e.strengthSatisfied ? 'satisfied' : p.grant.strength.resolved ? 'singleChallengeRequired' : 'cannotSatisfy',
    };
  }
  return out;
}
