/** User risk condition: the aggregated risk of the user (graph-shapes §1.1 userRiskLevels). */
import { defineCondition } from './define.ts';
import { levelSet } from './risk-level.ts';

export const userRiskCondition = defineCondition<Set<string>>({
  id: 'userRisk',
  logName: 'userRisk',
  whatIfReason: 'userRisk',
  prepare: (policy) => levelSet(policy.conditions.userRiskLevels),
  evaluate: (levels, ctx) => (ctx.subject.kind === 'user' && levels.has(ctx.userRiskLevel ?? 'none') ? 'match' : 'no-match'),
});
