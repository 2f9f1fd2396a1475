/**
 * Target resources (graph-shapes §1.1 conditionalAccessApplications, [E1][G2]): a policy targets
 * cloud apps (appIds, `All`, `None`, app groups such as `Office365` / `MicrosoftAdminPortals`
 * from the configured group map), OR user actions (`urn:user:registersecurityinfo`,
 * `urn:user:registerdevice`), OR authentication contexts (`c1`…). Excluded apps always win.
 * A user-action sign-in is not "access to a cloud app", so app-targeting policies skip it.
 */
import { ALL, NONE } from '../schema/enums.ts';
import { defineCondition, idSet, type CompileEnv } from './define.ts';

/** One object shape for all three kinds keeps the per-sign-in property reads monomorphic. */
interface Prepared { kind: 'apps' | 'userActions' | 'authContext'; all: boolean; include: Set<string>; exclude: Set<string>; actions: Set<string>; acrs: Set<string> }
const none = new Set<string>();

function expand(ids: readonly string[], env: CompileEnv): Set<string> {
  const out = new Set<string>();
  for (const id of ids) {
    const group = env.appGroups.get(id) ?? env.appGroups.get(id.toLowerCase());
    if (group) for (const g of group) out.add(g.toLowerCase());
    else out.add(id.toLowerCase());
  }
  return out;
}

export const applicationsCondition = defineCondition<Prepared>({
  id: 'applications',
  logName: 'application',
  whatIfReason: (p) => (p.kind === 'userActions' ? 'userActions' : p.kind === 'authContext' ? 'authenticationContext' : 'application'),
  prepare(policy, env) {
    const a = policy.conditions.applications;
    if (!a) return null;
    const base = { all: false, include: none, exclude: none, actions: none, acrs: none };
    if (a.includeUserActions.length) return { ...base, kind: 'userActions', actions: new Set(a.includeUserActions.map((x) => x.toLowerCase())) };
    if (a.includeAuthenticationContextClassReferences.length) return { ...base, kind: 'authContext', acrs: new Set(a.includeAuthenticationContextClassReferences) };
    const include = a.includeApplications.filter((x) => x !== NONE);
    return { ...base, kind: 'apps', all: include.includes(ALL), include: expand(include.filter((x) => x !== ALL), env), exclude: expand(a.excludeApplications, env) };
  },
  evaluate(p, ctx, scratch) {
    if (p.kind === 'apps') {
      const app = scratch.resourceAppId;
      if (ctx.userAction || !app) return 'no-match';
      if (p.exclude.size && p.exclude.has(app)) return 'no-match';
      return p.all || p.include.has(app) ? 'match' : 'no-match';
    }
    if (p.kind === 'userActions') return ctx.userAction && p.actions.has(ctx.userAction) ? 'match' : 'no-match';
    for (const acr of ctx.authenticationContextClassReferences ?? []) if (p.acrs.has(acr)) return 'match';
    return 'no-match';
  },
});
