/**
 * Client apps condition (graph-shapes §1.1 clientAppTypes): an empty list or `all` means every
 * client type including legacy ones [E7][E1]. `easSupported` and `exchangeActiveSync` both
 * select Exchange ActiveSync clients.
 */
import { defineCondition } from './define.ts';

export const clientAppTypesCondition = defineCondition<Set<string>>({
  id: 'clientAppTypes',
  logName: 'clientType',
  whatIfReason: 'clientApps',
  prepare(policy) {
    const t = policy.conditions.clientAppTypes;
    if (t.length === 0 || t.includes('all')) return null;
    const s = new Set<string>(t);
    if (s.has('easSupported')) s.add('exchangeActiveSync');
    return s;
  },
  evaluate(types, ctx) {
    return types.has(ctx.clientAppType) ? 'match' : 'no-match';
  },
});
