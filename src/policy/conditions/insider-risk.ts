/** Insider risk condition (graph-shapes §1.1 ⚑ insiderRiskLevels: minor, moderate, elevated). */
import { defineCondition } from './define.ts';
import { levelSet } from './risk-level.ts';

export const insiderRiskCondition = defineCondition<Set<string>>({
  id: 'insiderRisk',
  logName: 'insiderRisk',
  whatIfReason: 'insiderRisk',
  prepare: (policy) => levelSet(policy.conditions.insiderRiskLevels),
  evaluate: (levels, ctx) => (ctx.insiderRiskLevel && levels.has(ctx.insiderRiskLevel) ? 'match' : 'no-match'),
});
