/**
 * Users condition (graph-shapes §1.1 conditionalAccessUsers, [E6]): a user is in scope when an
 * include (All, the user id, a transitive group, a built-in role template, a guest/external
 * kind) matches and no exclude does — exclusion always wins. Workload identities are never
 * users: for a service principal the condition is left to the workload-identities condition
 * when the policy targets clientApplications, and fails otherwise.
 */
import { ALL, GUESTS_OR_EXTERNAL, NONE } from '../schema/enums.ts';
import type { PolicySignInContext, PolicyUser } from '../context.ts';
import { defineCondition, idSet, intersects, type EvalScratch } from './define.ts';
import { flagList } from '../schema/coerce.ts';

interface GuestRule { types: Set<string>; allTenants: boolean; tenants: Set<string> }
interface Prepared {
  all: boolean;
  users: Set<string>; groups: Set<string>; roles: Set<string>; legacyGuests: boolean; guests: GuestRule | null;
  exUsers: Set<string>; exGroups: Set<string>; exRoles: Set<string>; exLegacyGuests: boolean; exGuests: GuestRule | null;
  workloadPolicy: boolean;
}

function guestRule(g: { guestOrExternalUserTypes: string | null; externalTenants?: { membershipKind: string; members?: string[] | undefined } | null | undefined } | null | undefined): GuestRule | null {
  if (!g) return null;
  const types = new Set(flagList(g.guestOrExternalUserTypes).filter((t) => t !== 'none'));
  if (types.size === 0) return null;
  const t = g.externalTenants;
  return { types, allTenants: !t || t.membershipKind !== 'enumerated', tenants: idSet(t?.members ?? []) };
}

function isExternal(u: PolicyUser): boolean {
  return u.userType === 'guest' || u.externalUserType !== undefined;
}

function guestMatches(rule: GuestRule, u: PolicyUser): boolean {
  const kind = u.externalUserType ?? (u.userType === 'guest' ? 'internalGuest' : undefined);
  if (!kind || !rule.types.has(kind)) return false;
  // Tenant scoping concerns external tenants; an internal guest has none.
  if (rule.allTenants || kind === 'internalGuest') return true;
  return !!u.externalTenantId && rule.tenants.has(u.externalTenantId.toLowerCase());
}

export const usersCondition = defineCondition<Prepared>({
  id: 'users',
  logName: 'users',
  whatIfReason: 'users',
  prepare(policy) {
    const u = policy.conditions.users;
    const workloadPolicy = (policy.conditions.clientApplications?.includeServicePrincipals.length ?? 0) > 0;
    if (!u) return workloadPolicy ? { ...emptyPrepared(), workloadPolicy } : null;
    const inc = u.includeUsers.filter((x) => x !== NONE);
    return {
      all: inc.includes(ALL),
      users: idSet(inc.filter((x) => x !== ALL && x !== GUESTS_OR_EXTERNAL)),
      groups: idSet(u.includeGroups), roles: idSet(u.includeRoles),
      legacyGuests: inc.includes(GUESTS_OR_EXTERNAL), guests: guestRule(u.includeGuestsOrExternalUsers),
      exUsers: idSet(u.excludeUsers.filter((x) => x !== GUESTS_OR_EXTERNAL)),
      exGroups: idSet(u.excludeGroups), exRoles: idSet(u.excludeRoles),
      exLegacyGuests: u.excludeUsers.includes(GUESTS_OR_EXTERNAL), exGuests: guestRule(u.excludeGuestsOrExternalUsers),
      workloadPolicy,
    };
  },
  evaluate(p, ctx: PolicySignInContext, scratch: EvalScratch) {
    const s = ctx.subject;
    if (s.kind !== 'user') return p.workloadPolicy ? 'not-configured' : 'no-match';
    const id = scratch.subjectId;
    if (p.exUsers.has(id) || (p.exLegacyGuests && isExternal(s)) || (p.exGuests && guestMatches(p.exGuests, s))) return 'no-match';
    if (p.exGroups.size && intersects(p.exGroups, scratch.groupSet())) return 'no-match';
    if (p.exRoles.size && intersects(p.exRoles, scratch.roleSet())) return 'no-match';
    if (p.all || p.users.has(id) || (p.legacyGuests && isExternal(s)) || (p.guests && guestMatches(p.guests, s))) return 'match';
    if (p.groups.size && intersects(p.groups, scratch.groupSet())) return 'match';
    if (p.roles.size && intersects(p.roles, scratch.roleSet())) return 'match';
    return 'no-match';
  },
});

function emptyPrepared(): Omit<Prepared, 'workloadPolicy'> {
  const e = new Set<string>();
  return { all: false, users: e, groups: e, roles: e, legacyGuests: false, guests: null, exUsers: e, exGroups: e, exRoles: e, exLegacyGuests: false, exGuests: null };
}
