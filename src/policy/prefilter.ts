/**
 * A sound pre-filter over the compiled policies: inverted indexes from target resource and from
 * user/group/role ids to the policies that could possibly include them. Per sign-in it marks the
 * candidates with a handful of map lookups, so the full condition walk (which still re-checks
 * everything, exclusions included) runs only on policies that can apply. A policy that is not a
 * candidate is certainly `notApplied`: it includes neither the resource nor the subject.
 */
import type { PolicySignInContext } from './context.ts';
import type { CompiledPolicy } from './snapshot.ts';
import type { EvalScratch } from './conditions/define.ts';

interface AppsPrepared { kind: 'apps' | 'userActions' | 'authContext'; all: boolean; include: Set<string> }
interface UsersPrepared { all: boolean; users: Set<string>; groups: Set<string>; roles: Set<string>; legacyGuests: boolean; guests: unknown; workloadPolicy: boolean }

/** Flag bits in the per-policy word (evaluate.ts keeps result code and condition bits below bit 24). */
export const APP_MISS = 1 << 28;
export const USER_MISS = 1 << 29;
export const MISS = APP_MISS | USER_MISS;

export interface PolicyPrefilter {
  /**
   * Returns one word per policy, starting from `initial` (the result a policy gets when it is
   * skipped: notApplied, reportOnlyNotApplied or notEnabled) with the MISS bits set for policies
   * that cannot apply to this sign-in. A word without MISS bits marks a candidate.
   */
  mark(ctx: PolicySignInContext, scratch: EvalScratch): Int32Array;
}

function push(map: Map<string, number[]>, key: string, i: number): void {
  const l = map.get(key);
  if (l) { if (l[l.length - 1] !== i) l.push(i); } else map.set(key, [i]);
}

export function buildPrefilter(policies: readonly CompiledPolicy[], initial: (p: CompiledPolicy) => number): PolicyPrefilter {
  const n = policies.length;
  const appBroad: number[] = [];
  const byApp = new Map<string, number[]>();
  const userBroad: number[] = [];
  // Separate maps, not prefixed keys: a concatenated key is a fresh string whose hash is computed on every lookup.
  const byUser = new Map<string, number[]>();
  const byGroup = new Map<string, number[]>();
  const byRole = new Map<string, number[]>();
  policies.forEach((p, i) => {
    const apps = p.conditions.find((c) => c.def.id === 'applications')?.prepared as AppsPrepared | undefined;
    if (!apps || apps.kind !== 'apps' || apps.all) appBroad.push(i);
    else for (const a of apps.include) push(byApp, a, i);
    const users = p.conditions.find((c) => c.def.id === 'users')?.prepared as UsersPrepared | undefined;
    if (!users || users.all || users.legacyGuests || users.guests || users.workloadPolicy) userBroad.push(i);
    else {
      for (const u of users.users) push(byUser, u, i);
      for (const g of users.groups) push(byGroup, g, i);
      for (const r of users.roles) push(byRole, r, i);
    }
  });
  const template = Int32Array.from(policies, (p) => initial(p) | MISS);
  for (const i of appBroad) template[i]! &= ~APP_MISS;
  for (const i of userBroad) template[i]! &= ~USER_MISS;
  const clearUser = (out: Int32Array, list: number[] | undefined) => { if (list) for (const i of list) out[i]! &= ~USER_MISS; };

  return {
    mark(ctx, scratch) {
      const out = template.slice();
      const app = scratch.resourceAppId;
      if (app) { const l = byApp.get(app); if (l) for (const i of l) out[i]! &= ~APP_MISS; }
      if (ctx.subject.kind === 'user') {
        if (byUser.size) clearUser(out, byUser.get(scratch.subjectId));
        if (byGroup.size) for (const g of scratch.groupSet()) clearUser(out, byGroup.get(g));
        if (byRole.size) for (const r of scratch.roleSet()) clearUser(out, byRole.get(r));
      }
      return out;
    },
  };
}
