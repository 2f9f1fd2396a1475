/**
 * Authentication flows condition (graph-shapes §1.1 ⚑ transferMethods, [E10]): matches a request
 * made with device code flow or authentication transfer, AND any later request of a session that
 * originated from one of them — the state is protocol-tracked and persists through refreshes,
 * which is why the context carries `originalTransferMethod`.
 */
import { defineCondition } from './define.ts';
import { flagList } from '../schema/coerce.ts';

export const authenticationFlowsCondition = defineCondition<Set<string>>({
  id: 'authenticationFlows',
  logName: 'authenticationFlows',
  whatIfReason: 'authenticationFlow',
  prepare(policy) {
    const methods = flagList(policy.conditions.authenticationFlows?.transferMethods).filter((m) => m !== 'none');
    return methods.length ? new Set(methods) : null;
  },
  evaluate(methods, ctx) {
    const f = ctx.authenticationFlow;
    return methods.has(f.transferMethod) || methods.has(f.originalTransferMethod) ? 'match' : 'no-match';
  },
});
