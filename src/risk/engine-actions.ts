/**
 * Admin and user actions on risk, by id (the Graph actions take id lists: graph-shapes.md §6). Every id is resolved
 * before anything changes, so a request naming one unknown id changes nothing.
 */
import type { ServicePrincipalRef, UserRef } from './model/build.ts';
import type { RiskyServicePrincipal, RiskyUser } from './model/records.ts';
import {
  confirmServicePrincipalCompromised, confirmServicePrincipalSafe, dismissServicePrincipalRisk, type SpRiskDeps,
} from './model/sp-risk.ts';
import {
  confirmUserCompromised, confirmUserSafe, dismissUserRisk, remediateBySecurePasswordChange, type RiskDeps,
} from './model/user-risk.ts';

export class UnknownIdentityError extends Error {
  readonly ids: string[];
  constructor(kind: 'user' | 'servicePrincipal', ids: string[]) {
    super(`unknown ${kind} id${ids.length > 1 ? 's' : ''}: ${ids.join(', ')}`);
    this.name = 'UnknownIdentityError';
    this.ids = ids;
  }
}

export interface RiskActions {
  confirmUsersCompromised(userIds: readonly string[], initiatedBy: string): Promise<RiskyUser[]>;
  dismissUsers(userIds: readonly string[], initiatedBy: string): Promise<RiskyUser[]>;
  confirmUsersSafe(userIds: readonly string[], initiatedBy: string): Promise<RiskyUser[]>;
  /** The user changed their password in a session where they passed MFA (seed 000 self-remediation). */
  remediateUserBySecurePasswordChange(userId: string, opts: { mfaSatisfied: boolean }): Promise<RiskyUser | 'mfaRequired' | 'notRisky'>;
  confirmServicePrincipalsCompromised(ids: readonly string[], initiatedBy: string): Promise<RiskyServicePrincipal[]>;
  dismissServicePrincipals(ids: readonly string[], initiatedBy: string): Promise<RiskyServicePrincipal[]>;
  confirmServicePrincipalsSafe(ids: readonly string[], initiatedBy: string): Promise<RiskyServicePrincipal[]>;
}

async function resolveAll<T>(ids: readonly string[], kind: 'user' | 'servicePrincipal', look: (id: string) => Promise<T | undefined>): Promise<T[]> {
  const unique = [...new Set(ids)];
  const found = await Promise.all(unique.map(look));
  const missing = unique.filter((_, i) => found[i] === undefined);
  if (missing.length) throw new UnknownIdentityError(kind, missing);
  return found as T[];
}

export function createRiskActions(d: {
  userDeps: RiskDeps;
  spDeps: SpRiskDeps;
  lookupUser(id: string): Promise<UserRef | undefined>;
  lookupSp(id: string): Promise<ServicePrincipalRef | undefined>;
}): RiskActions {
  const forUsers = (fn: (deps: RiskDeps, u: UserRef, by: string) => Promise<RiskyUser>) =>
    async (ids: readonly string[], by: string) => {
      const users = await resolveAll(ids, 'user', d.lookupUser);
      const out: RiskyUser[] = [];
      for (const u of users) out.push(await fn(d.userDeps, u, by));
      return out;
    };
  const forSps = (fn: (deps: SpRiskDeps, s: ServicePrincipalRef, by: string) => Promise<RiskyServicePrincipal>) =>
    async (ids: readonly string[], by: string) => {
      const sps = await resolveAll(ids, 'servicePrincipal', d.lookupSp);
      const out: RiskyServicePrincipal[] = [];
      for (const s of sps) out.push(await fn(d.spDeps, s, by));
      return out;
    };
  return {
    confirmUsersCompromised: forUsers(confirmUserCompromised),
    dismissUsers: forUsers(dismissUserRisk),
    confirmUsersSafe: forUsers(confirmUserSafe),
    async remediateUserBySecurePasswordChange(userId, opts) {
      const [u] = await resolveAll([userId], 'user', d.lookupUser);
      return remediateBySecurePasswordChange(d.userDeps, u!, opts);
    },
    confirmServicePrincipalsCompromised: forSps(confirmServicePrincipalCompromised),
    dismissServicePrincipals: forSps(dismissServicePrincipalRisk),
    confirmServicePrincipalsSafe: forSps(confirmServicePrincipalSafe),
  };
}
