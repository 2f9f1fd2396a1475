/** Sign-in risk condition: the real-time risk of this sign-in (graph-shapes §1.1 signInRiskLevels). */
import { defineCondition } from './define.ts';
import { levelSet } from './risk-level.ts';

export const signInRiskCondition = defineCondition<Set<string>>({
  id: 'signInRisk',
  logName: 'signInRisk',
  whatIfReason: 'signInRisk',
  prepare: (policy) => levelSet(policy.conditions.signInRiskLevels),
  evaluate: (levels, ctx) => (levels.has(ctx.signInRiskLevel ?? 'none') ? 'match' : 'no-match'),
});
