/**
 * A sound pre-filter over the compiled policies: inverted indexes from target resource and from
 * user/group/role ids to the policies that could possibly include them. Per sign-in it marks the
 * candidates with a handful of map lookups, so the full condition walk (which still re-checks
 * everything, exclusions included) runs only on policies that can apply. A policy that is not a
 * candidate is certainly `notApplied`: it includes neither the resource nor the subject.
 */
import type { PolicySignInContext } from './context.ts';
import type { CompiledPolicy } from './snapshot.ts';
import { EvalScratch } from './conditions/define.ts';
import type { DevicePlatform, RiskLevel } from './schema/enums.ts';

interface AppsPrepared { kind: 'apps' | 'userActions' | 'authContext'; all: boolean; include: Set<string> }
interface UsersPrepared { all: boolean; users: Set<string>; groups: Set<string>; roles: Set<string>; legacyGuests: boolean; guests: unknown; workloadPolicy: boolean }

/** Flag bits in the per-policy word (evaluate.ts keeps result code and condition bits below bit 24). */
export const APP_MISS = 1 << 28;
export const USER_MISS = 1 << 29;
export const FACT_MISS = 1 << 30;
export const MISS = APP_MISS | USER_MISS | FACT_MISS;

/**
 * Single-valued sign-in facts as bits: client app type (bits 0-3), platform incl. unknown
 * (bits 4-10), sign-in risk (bits 11-15). For each policy the allowed values are found by asking
 * the condition itself with probe contexts, so the filter can never disagree with the condition.
 */
const clientTypes = ['browser', 'mobileAppsAndDesktopClients', 'exchangeActiveSync', 'other'] as const;
const platforms: ReadonlyArray<DevicePlatform | null> = ['android', 'iOS', 'windows', 'windowsPhone', 'macOS', 'linux', null];
const risks: readonly RiskLevel[] = ['low', 'medium', 'high', 'hidden', 'none'];
const CLIENT_BITS = 0b1111, PLATFORM_BITS = 0b1111111 << 4, RISK_BITS = 0b11111 << 11;

const probe: PolicySignInContext = {
  subject: { kind: 'user', id: '', groupIds: [], roleTemplateIds: [], userType: 'member' }, clientAppId: '', resourceAppId: null,
  clientAppType: 'browser', devicePlatform: null, ipAddress: null, country: null, device: null,
  authenticationFlow: { transferMethod: 'none', originalTransferMethod: 'none' },
  satisfied: { methods: [], lastAuthenticatedAt: 0, tokenProtection: { signInSessionStatus: 'none' } }, isInteractive: true, now: 0,
};

function allowedFacts(p: CompiledPolicy): number {
  let bits = 0;
  const ask = (id: string, ctx: PolicySignInContext): boolean => {
    const c = p.conditions.find((x) => x.def.id === id);
    return !c || c.def.evaluate(c.prepared, ctx, new EvalScratch(ctx, () => null)) !== 'no-match';
  };
  clientTypes.forEach((t, k) => { if (ask('clientAppTypes', { ...probe, clientAppType: t })) bits |= 1 << k; });
  platforms.forEach((pl, k) => { if (ask('devicePlatforms', { ...probe, devicePlatform: pl })) bits |= 1 << (4 + k); });
  risks.forEach((r, k) => { if (ask('signInRisk', { ...probe, signInRiskLevel: r })) bits |= 1 << (11 + k); });
  return bits;
}

/** A value outside the known ones sets every bit of its category: the filter then leaves it to the conditions. */
function signInFacts(ctx: PolicySignInContext, scratch: EvalScratch): number {
  const c = clientTypes.indexOf(ctx.clientAppType as (typeof clientTypes)[number]);
  const p = platforms.indexOf(scratch.devicePlatform());
  const r = risks.indexOf(ctx.signInRiskLevel ?? 'none');
  return (c < 0 ? CLIENT_BITS : 1 << c) | (p < 0 ? PLATFORM_BITS : 1 << (4 + p)) | (r < 0 ? RISK_BITS : 1 << (11 + r));
}

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
  const allowed = Int32Array.from(policies, allowedFacts);
  const template = Int32Array.from(policies, (p) => initial(p) | APP_MISS | USER_MISS);
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
      const facts = signInFacts(ctx, scratch);
      for (let i = 0; i < n; i++) {
        const x = allowed[i]! & facts;
        if ((x & CLIENT_BITS) === 0 || (x & PLATFORM_BITS) === 0 || (x & RISK_BITS) === 0) out[i]! |= FACT_MISS;
      }
      return out;
    },
  };
}
