/**
 * The conditional access engine: one pure function from (snapshot, sign-in context) to a
 * decision. Semantics (graph-shapes §10, [E1][E2][G7]):
 * 1. Only enabled and report-only policies are evaluated; disabled ones are `notEnabled`.
 * 2. A policy applies when every configured condition matches (conditions/define.ts).
 * 3. All applying enabled policies must be satisfied; their requirements add up.
 * 4. Any applying enabled policy whose controls cannot be met (block, device state, unbound token
 *    protection…) blocks; block wins over prompts.
 * 5. Requirements a prompt can meet (MFA, strength, password change, sign-in frequency) give
 *    `needs_interaction`: interactive sign-ins prompt and continue, non-interactive ones get
 *    interaction_required with the AADSTS code.
 * 6. Report-only policies are evaluated and logged (`reportOnly*`) but never change the outcome.
 */
import type { PolicySignInContext } from './context.ts';
import type { PolicySnapshot, CompiledPolicy } from './snapshot.ts';
import { EvalScratch } from './conditions/define.ts';
import { conditions } from './conditions/index.ts';
import { evaluateGrant } from './controls/grant.ts';
import { mergeDirectives, type SessionDirectives } from './controls/session.ts';
import { strengthSatisfied } from './controls/authentication-strength.ts';
import { toAppliedPolicy, type AppliedConditionalAccessPolicy, type PolicyDecision, type PolicyEvaluation, type UnmetRequirement } from './decision.ts';
import { controlErrors } from './controls/aadsts.ts';

const conditionIndex = new Map(conditions.map((c, i) => [c, i]));
const EMPTY: readonly never[] = Object.freeze([]);

/** Runs one policy's conditions; returns the matched mask and the first failing condition index. */
export function matchConditions(p: CompiledPolicy, ctx: PolicySignInContext, scratch: EvalScratch): { mask: number; failed: number } {
  let mask = 0;
  for (const c of p.conditions) {
    const vote = c.def.evaluate(c.prepared, ctx, scratch);
    const i = conditionIndex.get(c.def)!;
    if (vote === 'no-match') return { mask, failed: i };
    if (vote === 'match') mask |= 1 << i;
  }
  return { mask, failed: -1 };
}

export function evaluatePolicy(p: CompiledPolicy, ctx: PolicySignInContext, scratch: EvalScratch): PolicyEvaluation {
  const reportOnly = p.state === 'enabledForReportingButNotEnforced';
  if (p.state === 'disabled') return { policy: p, result: 'notEnabled', matchedMask: 0, failedCondition: -1, unmetGrant: EMPTY, unmetSession: EMPTY, judgement: null, strengthSatisfied: null };
  const { mask, failed } = matchConditions(p, ctx, scratch);
  if (failed >= 0) return { policy: p, result: reportOnly ? 'reportOnlyNotApplied' : 'notApplied', matchedMask: mask, failedCondition: failed, unmetGrant: EMPTY, unmetSession: EMPTY, judgement: null, strengthSatisfied: null };

  let judgement: 'satisfied' | 'interaction' | 'failed' = 'satisfied';
  let unmetGrant: PolicyEvaluation['unmetGrant'] = EMPTY;
  let strengthOk: boolean | null = null;
  if (p.grant) {
    const g = evaluateGrant(p.grant, ctx);
    judgement = g.judgement;
    unmetGrant = g.unmet;
    const s = p.grant.strength;
    if (s) strengthOk = s.resolved ? strengthSatisfied(s.resolved, ctx.satisfied.methods) : false;
  }
  const unmetSession: string[] = [];
  // [E1] session controls apply after grant controls; a blocked grant ends evaluation, but
  // token protection is still checked so logs show why an unbound session would fail.
  if (p.session) {
    for (const check of p.session.checks) {
      const j = check.judge(ctx);
      if (j === 'satisfied') continue;
      unmetSession.push(check.displayName);
      if (j === 'failed') judgement = 'failed';
      else if (judgement === 'satisfied') judgement = 'interaction';
    }
  }
  const result = judgement === 'satisfied'
    ? (reportOnly ? 'reportOnlySuccess' : 'success')
    : reportOnly ? (judgement === 'interaction' ? 'reportOnlyInterrupted' : 'reportOnlyFailure') : 'failure';
  return { policy: p, result, matchedMask: mask, failedCondition: -1, unmetGrant, unmetSession: unmetSession.length ? unmetSession : EMPTY, judgement, strengthSatisfied: strengthOk };
}

export function evaluatePolicies(snapshot: PolicySnapshot, ctx: PolicySignInContext): PolicyDecision {
  const scratch = new EvalScratch(ctx, snapshot.resolvePlatform);
  const evaluations: PolicyEvaluation[] = new Array(snapshot.policies.length);
  const unmet: UnmetRequirement[] = [];
  const session: SessionDirectives = {};
  let anySuccess = false, anyFailure = false, blocked = false, mfaDemanded = false;
  for (let i = 0; i < snapshot.policies.length; i++) {
    const e = evaluatePolicy(snapshot.policies[i]!, ctx, scratch);
    evaluations[i] = e;
    if (e.judgement === null || e.policy.state !== 'enabled') continue;
    const p = e.policy;
    if (p.session) mergeDirectives(session, p.session.directives);
    if (p.grant?.controls.some((c) => c.id === 'mfa' || c.id === 'authenticationStrength')) mfaDemanded = true;
    if (e.judgement === 'satisfied') { anySuccess = true; continue; }
    anyFailure = true;
    if (e.judgement === 'failed') blocked = true;
    for (const c of e.unmetGrant) unmet.push({ policyId: p.id, control: c.id, promptable: c.judge(ctx) === 'interaction', error: c.error });
    for (const name of e.unmetSession) {
      const check = p.session!.checks.find((c) => c.displayName === name)!;
      unmet.push({ policyId: p.id, control: name, promptable: check.judge(ctx) === 'interaction', error: check.error });
    }
  }

  let outcome: PolicyDecision['outcome'] = 'allow';
  let error: PolicyDecision['error'] = null;
  const prompts: string[] = [];
  if (blocked) {
    outcome = 'block';
    // Block wins: an explicit block reports 53003, otherwise the first hard failure's code.
    const hard = unmet.filter((u) => !u.promptable);
    error = hard.find((u) => u.control === 'block')?.error ?? hard[0]?.error ?? controlErrors.block;
  } else if (unmet.length) {
    outcome = 'needs_interaction';
    error = unmet[0]!.error;
    for (const u of unmet) if (!prompts.includes(u.control)) prompts.push(u.control);
  }

  const requested = ctx.authenticationContextClassReferences ?? [];
  const acrs = outcome === 'allow' ? requested.filter((acr) => evaluations.every((e) => e.policy.state !== 'enabled' || e.judgement === null || e.judgement === 'satisfied' || !e.policy.acrs.includes(acr))) : [];

  let applied: AppliedConditionalAccessPolicy[] | null = null;
  return {
    outcome, error, prompts, unmet, session, acrs,
    authenticationRequirement: mfaDemanded ? 'multiFactorAuthentication' : 'singleFactorAuthentication',
    conditionalAccessStatus: anyFailure ? 'failure' : anySuccess ? 'success' : 'notApplied',
    evaluations,
    get appliedConditionalAccessPolicies() {
      if (!applied) applied = evaluations.map(toAppliedPolicy);
      return applied;
    },
  };
}
