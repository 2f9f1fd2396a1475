/**
 * Service principal risk condition (graph-shapes §1.1 servicePrincipalRiskLevels; seed 004:
 * risk-based conditional access for single-tenant service principals).
 */
import { defineCondition } from './define.ts';
import { levelSet } from './risk-level.ts';

export const servicePrincipalRiskCondition = defineCondition<Set<string>>({
  id: 'servicePrincipalRisk',
  logName: 'servicePrincipalRisk',
  whatIfReason: 'workloadIdentities',
  prepare: (policy) => levelSet(policy.conditions.servicePrincipalRiskLevels),
  evaluate: (levels, ctx) => (ctx.subject.kind === 'servicePrincipal' && levels.has(ctx.servicePrincipalRiskLevel ?? 'none') ? 'match' : 'no-match'),
});
