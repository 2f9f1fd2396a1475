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
 *
 * Hot path: per policy the loop writes into typed arrays and allocates only for policies that
 * apply; the per-policy objects of the sign-in record are built on first read (decision.ts).
 */
import type { PolicySignInContext } from './context.ts';
import type { PolicySnapshot, CompiledPolicy } from './snapshot.ts';
import { EvalScratch } from './conditions/define.ts';
import { vote as voteOf } from './conditions/dispatch.ts';
import { evaluateGrant, type UnmetControl } from './controls/grant.ts';
import { mergeDirectives, type SessionDirectives } from './controls/session.ts';
import { strengthSatisfied } from './controls/authentication-strength.ts';
import { toAppliedPolicy, type AppliedConditionalAccessPolicy, type PolicyDecision, type PolicyEvaluation, type UnmetRequirement } from './decision.ts';
import { controlErrors, type ControlError } from './controls/aadsts.ts';
import { APP_MISS, MISS, USER_MISS } from './prefilter.ts';
import { conditions } from './conditions/index.ts';
import { resultCodes as codes, FAILURE, NOT_APPLIED, NOT_ENABLED, RO_FAILURE, RO_INTERRUPTED, RO_NOT_APPLIED, RO_SUCCESS, SUCCESS } from './result-codes.ts';

const EMPTY: readonly never[] = Object.freeze([]);

const USERS_INDEX = conditions.findIndex((c) => c.id === 'users');
const APPS_INDEX = conditions.findIndex((c) => c.id === 'applications');

/**
 * The first failing condition in declared order, given one condition known to fail (`known`, or
 * -1 when none is known): only the conditions declared before it need to be asked.
 */
function firstFailure(p: CompiledPolicy, known: number, ctx: PolicySignInContext, scratch: EvalScratch): { mask: number; failed: number } {
  if (known < 0) return matchConditions(p, ctx, scratch);
  let mask = 0;
  for (const c of p.conditions) {
    if (c.index >= known) break;
    const vote = voteOf(c, ctx, scratch);
    if (vote === 'no-match') return { mask, failed: c.index };
    if (vote === 'match') mask |= c.bit;
  }
  return { mask, failed: known };
}

/** Runs one policy's conditions; the matched mask and the index of the first failing condition (-1 if none). */
export function matchConditions(p: CompiledPolicy, ctx: PolicySignInContext, scratch: EvalScratch): { mask: number; failed: number } {
  let mask = 0;
  const conds = p.conditions;
  for (let k = 0; k < conds.length; k++) {
    const c = conds[k]!;
    const vote = voteOf(c, ctx, scratch);
    if (vote === 'no-match') return { mask, failed: c.index };
    if (vote === 'match') mask |= c.bit;
  }
  return { mask, failed: -1 };
}

/** What an applying policy demands and whether the sign-in meets it. */
interface Judged {
  judgement: 'satisfied' | 'interaction' | 'failed';
  unmetGrant: readonly UnmetControl[];
  unmetSession: readonly string[];
  /** Session checks not satisfied, with whether a prompt (re-authentication) can fix them. */
  unmetSessionChecks: ReadonlyArray<{ name: string; promptable: boolean; error: ControlError }>;
  strengthOk: boolean | null;
}

function judge(p: CompiledPolicy, ctx: PolicySignInContext): Judged {
  let judgement: Judged['judgement'] = 'satisfied';
  let unmetGrant: readonly UnmetControl[] = EMPTY;
  let strengthOk: boolean | null = null;
  if (p.grant) {
    const g = evaluateGrant(p.grant, ctx);
    judgement = g.judgement;
    unmetGrant = g.unmet;
    const s = p.grant.strength;
    if (s) strengthOk = s.resolved ? strengthSatisfied(s.resolved, ctx.satisfied.methods) : false;
  }
  let unmetSession: string[] | null = null;
  let checks: Judged['unmetSessionChecks'][number][] | null = null;
  // [E1] session controls apply after grant controls; they are judged even when the grant fails
  // so the record shows every unmet control (e.g. SignInTokenProtection for an unbound session).
  if (p.session) {
    for (const check of p.session.checks) {
      const j = check.judge(ctx);
      if (j === 'satisfied') continue;
      (unmetSession ??= []).push(check.displayName);
      (checks ??= []).push({ name: check.displayName, promptable: j === 'interaction', error: check.error });
      if (j === 'failed') judgement = 'failed';
      else if (judgement === 'satisfied') judgement = 'interaction';
    }
  }
  return { judgement, unmetGrant, unmetSession: unmetSession ?? EMPTY, unmetSessionChecks: checks ?? EMPTY, strengthOk };
}

function resultOf(reportOnly: boolean, j: Judged['judgement']): number {
  if (j === 'satisfied') return reportOnly ? RO_SUCCESS : SUCCESS;
  if (!reportOnly) return FAILURE;
  return j === 'interaction' ? RO_INTERRUPTED : RO_FAILURE;
}

export function evaluatePolicies(snapshot: PolicySnapshot, ctx: PolicySignInContext): PolicyDecision {
  const policies = snapshot.policies;
  const n = policies.length;
  const scratch = new EvalScratch(ctx, snapshot.resolvePlatform);
  // One word per policy: result code (bits 0-3); for a policy that did not apply, the index + 1
  // of a condition that failed (bits 4-8); for one that applies, the matched-condition mask
  // (bits 9-20). The prefilter pre-fills the skipped result and flags non-candidates (MISS).
  const packed = snapshot.prefilter.mark(ctx, scratch);
  const judged = new Map<number, Judged>();
  const unmet: UnmetRequirement[] = [];
  const session: SessionDirectives = {};
  let anySuccess = false, anyFailure = false, blocked = false, mfaDemanded = false;

  for (let i = 0; i < n; i++) {
    const w = packed[i]!;
    if ((w & MISS) !== 0 || w === NOT_ENABLED) continue;
    const p = policies[i]!;
    const reportOnly = p.state !== 'enabled';
    const conds = p.hotConditions;
    let mask = 0, failed = -1;
    for (let k = 0; k < conds.length; k++) {
      const c = conds[k]!;
      const vote = voteOf(c, ctx, scratch);
      if (vote === 'no-match') { failed = c.index; break; }
      if (vote === 'match') mask |= c.bit;
    }
    if (failed >= 0) { packed[i] = (reportOnly ? RO_NOT_APPLIED : NOT_APPLIED) | ((failed + 1) << 4); continue; }
    const j = judge(p, ctx);
    judged.set(i, j);
    packed[i] = resultOf(reportOnly, j.judgement) | (mask << 9);
    if (reportOnly) continue;
    if (p.session) mergeDirectives(session, p.session.directives);
    if (p.demandsMfa) mfaDemanded = true;
    if (j.judgement === 'satisfied') { anySuccess = true; continue; }
    anyFailure = true;
    if (j.judgement === 'failed') blocked = true;
    for (const u of j.unmetGrant) unmet.push({ policyId: p.id, control: u.control.id, promptable: u.judgement === 'interaction', error: u.control.error });
    for (const c of j.unmetSessionChecks) unmet.push({ policyId: p.id, control: c.name, promptable: c.promptable, error: c.error });
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
    const seen = new Set<string>();
    for (const u of unmet) if (!seen.has(u.control)) { seen.add(u.control); prompts.push(u.control); }
  }

  // An authentication context is satisfied when no applying enforced policy targeting it is unmet.
  const requested = ctx.authenticationContextClassReferences ?? EMPTY;
  const acrs = outcome === 'allow' || requested.length === 0 ? [...requested] : requested.filter((acr) => !unmet.some((u) => policies.find((p) => p.id === u.policyId)?.acrs.includes(acr)));

  return new Decision(
    { outcome, error, prompts, unmet, session, acrs: outcome === 'block' ? [] : acrs, authenticationRequirement: mfaDemanded ? 'multiFactorAuthentication' : 'singleFactorAuthentication', conditionalAccessStatus: anyFailure ? 'failure' : anySuccess ? 'success' : 'notApplied' },
    policies, packed, judged, ctx, scratch,
  );
}

type DecisionFields = Omit<PolicyDecision, 'evaluations' | 'appliedConditionalAccessPolicies' | 'action'>;

/** The decision; per-policy objects are materialised on first read, off the token path. */
class Decision implements PolicyDecision {
  readonly outcome: PolicyDecision['outcome'];
  readonly action: PolicyDecision['action'];
  readonly error: PolicyDecision['error'];
  readonly prompts: string[];
  readonly unmet: UnmetRequirement[];
  readonly session: SessionDirectives;
  readonly acrs: string[];
  readonly authenticationRequirement: PolicyDecision['authenticationRequirement'];
  readonly conditionalAccessStatus: PolicyDecision['conditionalAccessStatus'];
  #evaluations: PolicyEvaluation[] | null = null;
  #applied: AppliedConditionalAccessPolicy[] | null = null;

  constructor(
    f: DecisionFields,
    private readonly policies: readonly CompiledPolicy[],
    private readonly packed: Int32Array,
    private readonly judged: Map<number, Judged>,
    private readonly ctx: PolicySignInContext,
    private readonly scratch: EvalScratch,
  ) {
    this.outcome = f.outcome;
    this.action = f.outcome === 'allow' ? 'issue' : f.outcome === 'needs_interaction' && ctx.isInteractive ? 'prompt' : 'deny';
    this.error = f.error; this.prompts = f.prompts; this.unmet = f.unmet; this.session = f.session;
    this.acrs = f.acrs; this.authenticationRequirement = f.authenticationRequirement; this.conditionalAccessStatus = f.conditionalAccessStatus;
  }

  /** Built on first read from the same context; do not mutate the context after evaluating. */
  get evaluations(): readonly PolicyEvaluation[] {
    if (!this.#evaluations) {
      this.#evaluations = this.policies.map((policy, i) => {
        const j = this.judged.get(i);
        const w = this.packed[i]!;
        const code = w & 15;
        // The hot loop stops at the cheapest failing condition (or the pre-filter skips the policy);
        // the record names the first failing condition in declared order, found from the known one.
        let m = { mask: (w >>> 9) & 0xfff, failed: -1 };
        if (code === NOT_APPLIED || code === RO_NOT_APPLIED) {
          const known = (w & USER_MISS) !== 0 ? USERS_INDEX : (w & APP_MISS) !== 0 ? APPS_INDEX : ((w >>> 4) & 31) - 1;
          m = firstFailure(policy, known, this.ctx, this.scratch);
        }
        return {
          policy, result: codes[code]!, matchedMask: m.mask, failedCondition: m.failed,
          unmetGrant: j ? j.unmetGrant.map((u) => u.control) : EMPTY, unmetSession: j?.unmetSession ?? EMPTY, judgement: j?.judgement ?? null, strengthSatisfied: j?.strengthOk ?? null,
        };
      });
    }
    return this.#evaluations;
  }

  get appliedConditionalAccessPolicies(): AppliedConditionalAccessPolicy[] {
    return (this.#applied ??= this.evaluations.map(toAppliedPolicy));
  }

  toJSON(): Record<string, unknown> {
    return { outcome: this.outcome, action: this.action, error: this.error, prompts: this.prompts, unmet: this.unmet, session: this.session, acrs: this.acrs, authenticationRequirement: this.authenticationRequirement, conditionalAccessStatus: this.conditionalAccessStatus, appliedConditionalAccessPolicies: this.appliedConditionalAccessPolicies };
  }
}
