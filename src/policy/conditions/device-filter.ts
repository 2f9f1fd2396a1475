/**
 * Filter for devices (graph-shapes §5, [E5]): `mode: include` keeps the policy only for devices
 * the rule matches; `mode: exclude` removes matching devices from scope. The rule is compiled
 * once per snapshot; an unregistered device is evaluated as all-null attributes.
 */
import { defineCondition } from './define.ts';
import { compileDeviceFilter, type DevicePredicate } from '../device-filter/index.ts';

interface Prepared { include: boolean; test: DevicePredicate }

export const deviceFilterCondition = defineCondition<Prepared>({
  id: 'deviceFilter',
  logName: 'deviceState',
  whatIfReason: 'devices',
  prepare(policy) {
    const f = policy.conditions.devices?.deviceFilter;
    if (!f) return null;
    return { include: f.mode === 'include', test: compileDeviceFilter(f.rule) };
  },
  evaluate(p, ctx) {
    return p.test(ctx.device) === p.include ? 'match' : 'no-match';
  },
});
