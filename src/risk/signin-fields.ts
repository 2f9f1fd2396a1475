/**
 * The risk fields of a sign-in record (graph-shapes.md §3): riskLevelDuringSignIn, riskLevelAggregated, riskState,
 * riskDetail, riskEventTypes_v2 — and the Log Analytics SigninLogs columns that carry them.
 */
import type { RiskDetail, RiskLevel, RiskState } from './types.ts';

export interface SignInRiskFields {
  riskLevelDuringSignIn: RiskLevel;
  riskLevelAggregated: RiskLevel;
  riskState: RiskState;
  riskDetail: RiskDetail;
  riskEventTypes_v2: string[];
}

/**
 * @param opts.passedMfaForRisk the user satisfied an MFA challenge that a risk-based policy required in this sign-in:
 *   the sign-in's risk is then remediated (riskDetail userPassedMFADrivenByRiskBasedPolicy).
 */
export function signInRiskFields(a: { riskLevelDuringSignIn: RiskLevel; riskLevelAggregated: RiskLevel; riskEventTypes_v2: readonly string[] },
  opts: { passedMfaForRisk?: boolean } = {}): SignInRiskFields {
  const risky = a.riskEventTypes_v2.length > 0;
  const remediated = risky && opts.passedMfaForRisk === true;
  return {
    riskLevelDuringSignIn: a.riskLevelDuringSignIn,
    riskLevelAggregated: a.riskLevelAggregated,
    riskState: !risky ? 'none' : remediated ? 'remediated' : 'atRisk',
    riskDetail: remediated ? 'userPassedMFADrivenByRiskBasedPolicy' : 'none',
    riskEventTypes_v2: [...a.riskEventTypes_v2],
  };
}

/** The same fields as SigninLogs / AADNonInteractiveUserSignInLogs columns. */
export function signInRiskColumns(f: SignInRiskFields): Record<string, unknown> {
  return {
    RiskLevelDuringSignIn: f.riskLevelDuringSignIn,
    RiskLevelAggregated: f.riskLevelAggregated,
    RiskState: f.riskState,
    RiskDetail: f.riskDetail,
    RiskEventTypes_V2: JSON.stringify(f.riskEventTypes_v2),
    RiskEventTypes: JSON.stringify(f.riskEventTypes_v2),
    IsRisky: f.riskState === 'atRisk',
  };
}
