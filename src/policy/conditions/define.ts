/**
 * Conditions are small declared units that vote (STYLE.md, after Keycloak's ClientPolicyVote):
 * `prepare` runs once per policy when the snapshot is compiled and returns what `evaluate`
 * needs, or null when the policy does not configure the condition ('not-configured');
 * `evaluate` runs per sign-in and returns 'match' or 'no-match'.
 *
 * How votes combine (graph-shapes §10 [E1]): inside one policy every configured condition must
 * match (logical AND); 'not-configured' never blocks a policy from applying. Within a condition,
 * exclusion always beats inclusion [E6].
 */
import type { PolicySignInContext } from '../context.ts';
import type { ConditionalAccessPolicy } from '../schema/policy.ts';
import type { CompiledNamedLocation, ParsedIp } from '../named-locations.ts';
import type { DevicePlatform } from '../schema/enums.ts';

export type Vote = 'match' | 'no-match' | 'not-configured';

/** Names of `conditionalAccessConditions` (graph-shapes §3.1) used in conditionsSatisfied/NotSatisfied. */
export type LogConditionName =
  | 'application' | 'users' | 'devicePlatform' | 'location' | 'clientType' | 'signInRisk' | 'userRisk'
  | 'deviceState' | 'servicePrincipals' | 'servicePrincipalRisk' | 'authenticationFlows' | 'insiderRisk';

/** What-If `analysisReasons` members (graph-shapes §9). */
export type WhatIfReason =
  | 'users' | 'workloadIdentities' | 'application' | 'userActions' | 'authenticationContext' | 'devicePlatform'
  | 'devices' | 'clientApps' | 'location' | 'signInRisk' | 'userRisk' | 'insiderRisk' | 'authenticationFlow' | 'notEnoughInformation';

/** Facts shared by all policies of a snapshot. */
export interface CompileEnv {
  namedLocations: ReadonlyMap<string, CompiledNamedLocation>;
  /** Application groups such as `Office365` → member appIds. */
  appGroups: ReadonlyMap<string, ReadonlySet<string>>;
}

/** Per-sign-in values computed at most once, whichever policy asks first. */
export class EvalScratch {
  private groups: Set<string> | undefined;
  private roles: Set<string> | undefined;
  private platform: DevicePlatform | null | undefined;
  /** Lower-cased subject object id and resource appId (ids compare case-insensitively). */
  readonly subjectId: string;
  readonly resourceAppId: string | null;
  private hits: Map<string, boolean> | undefined;
  /** The parsed client IP, set by the first location check (undefined = not parsed yet). */
  ip: ParsedIp | null | undefined;

  constructor(readonly ctx: PolicySignInContext, private readonly resolvePlatform: (ctx: PolicySignInContext) => DevicePlatform | null) {
    this.subjectId = ctx.subject.id.toLowerCase();
    this.resourceAppId = ctx.resourceAppId ? ctx.resourceAppId.toLowerCase() : null;
  }

  /** Per-location containment results, shared by every policy naming the location. */
  get locationHits(): Map<string, boolean> {
    return (this.hits ??= new Map());
  }

  groupSet(): Set<string> {
    if (!this.groups) this.groups = new Set(this.ctx.subject.kind === 'user' ? this.ctx.subject.groupIds.map((g) => g.toLowerCase()) : []);
    return this.groups;
  }
  roleSet(): Set<string> {
    if (!this.roles) this.roles = new Set(this.ctx.subject.kind === 'user' ? this.ctx.subject.roleTemplateIds.map((r) => r.toLowerCase()) : []);
    return this.roles;
  }
  devicePlatform(): DevicePlatform | null {
    if (this.platform === undefined) this.platform = this.ctx.devicePlatform !== undefined ? this.ctx.devicePlatform : this.resolvePlatform(this.ctx);
    return this.platform;
  }
}

export interface ConditionDefinition<P> {
  id: string;
  logName: LogConditionName;
  whatIfReason: WhatIfReason | ((prepared: P) => WhatIfReason);
  prepare(policy: ConditionalAccessPolicy, env: CompileEnv): P | null;
  /** 'match' / 'no-match'; 'not-configured' when this sign-in is not the condition's business (e.g. a user for workload identities). */
  evaluate(prepared: P, ctx: PolicySignInContext, scratch: EvalScratch): Vote;
}

/** A prepared condition of one policy, ready to vote. */
export interface PreparedCondition {
  def: ConditionDefinition<unknown>;
  prepared: unknown;
  /** Position of `def` in the ordered condition list (conditions/index.ts), and its mask bit. */
  index: number;
  bit: number;
}

export function defineCondition<P>(def: ConditionDefinition<P>): ConditionDefinition<P> {
  return def;
}

/** True when the sets share a member; walks the smaller one (policies list few groups, users may have many). */
export function intersects(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size === 0 || b.size === 0) return false;
  if (a.size > b.size) { const t = a; a = b; b = t; }
  for (const x of a) if (b.has(x)) return true;
  return false;
}

/** Lower-cases ids: Graph object ids are GUIDs compared case-insensitively. */
export function idSet(ids: readonly string[]): Set<string> {
  return new Set(ids.map((s) => s.toLowerCase()));
}
