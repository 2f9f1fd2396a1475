/**
 * Per-policy result codes as the evaluation loop stores them (4 bits), in the order of
 * appliedConditionalAccessPolicy.result (graph-shapes §3.1).
 */
import type { PolicyResult } from './decision.ts';
import type { CompiledPolicy } from './snapshot.ts';

export const resultCodes: readonly PolicyResult[] = ['success', 'failure', 'notApplied', 'notEnabled', 'reportOnlySuccess', 'reportOnlyFailure', 'reportOnlyNotApplied', 'reportOnlyInterrupted'];
export const SUCCESS = 0, FAILURE = 1, NOT_APPLIED = 2, NOT_ENABLED = 3, RO_SUCCESS = 4, RO_FAILURE = 5, RO_NOT_APPLIED = 6, RO_INTERRUPTED = 7;

/** The result of a policy the evaluation does not need to look into. */
export function skippedResult(p: CompiledPolicy): number {
  return p.state === 'disabled' ? NOT_ENABLED : p.state === 'enabled' ? NOT_APPLIED : RO_NOT_APPLIED;
}
