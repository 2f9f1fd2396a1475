/**
 * The compiled, in-memory form of all policies and named locations (DESIGN.md "Hot path
 * budget"): sets precomputed, CIDRs parsed, device filters compiled, grant and session controls
 * resolved — once per change, never per sign-in. `PolicySnapshotCache` rebuilds it when the
 * repository's `version()` moves, so a change made on any node is picked up by every node on its
 * next sign-in; `invalidate()` lets a bus event force the check.
 */
import type { ConditionalAccessPolicy } from './schema/policy.ts';
import type { NamedLocation } from './schema/named-location.ts';
import type { PolicyRepository } from './repository.ts';
import type { PolicySignInContext } from './context.ts';
import type { DevicePlatform } from './schema/enums.ts';
import { conditions } from './conditions/index.ts';
import type { CompileEnv, PreparedCondition } from './conditions/define.ts';
import { compileNamedLocation, type CompiledNamedLocation } from './named-locations.ts';
import { compileGrant, type CompiledGrant } from './controls/grant.ts';
import { compileSession, type CompiledSession } from './controls/session.ts';
import type { AuthenticationStrength } from './controls/authentication-strength.ts';
import { resolveDevicePlatform } from './platform.ts';
import { buildPrefilter, type PolicyPrefilter } from './prefilter.ts';
import { skippedResult } from './result-codes.ts';

/** Microsoft application groups (graph-shapes §1.1). Override with `SnapshotOptions.appGroups`. */
export const defaultAppGroups: Readonly<Record<string, readonly string[]>> = {
  Office365: [
    '00000002-0000-0ff1-ce00-000000000000', // Office 365 Exchange Online
    '00000003-0000-0ff1-ce00-000000000000', // Office 365 SharePoint Online
    'cc15fd57-2c6c-4117-a88c-83b1d56b4bbe', // Microsoft Teams Services
    '00000004-0000-0ff1-ce00-000000000000', // Skype for Business Online
    '00000005-0000-0ff1-ce00-000000000000', // Yammer
  ],
  MicrosoftAdminPortals: [
    'c44b4083-3bb0-49c1-b47d-974e53cbdf3c', // Azure portal
    '00000006-0000-0ff1-ce00-000000000000', // Microsoft 365 admin center (Office 365 portal)
  ],
};

export interface SnapshotOptions {
  /** App group name → appIds; Tessera's own admin console appId belongs in MicrosoftAdminPortals. */
  appGroups?: Readonly<Record<string, readonly string[]>>;
  /** Custom authentication strengths by id (built-ins and inline-expanded ones need no entry). */
  authenticationStrengths?: readonly AuthenticationStrength[];
  /** Legacy MFA trusted IPs (IPv4 CIDRs), counted by `AllTrusted` ([E8]). */
  mfaTrustedIps?: readonly string[];
  /** How to find the platform when the context does not say; defaults to device OS, then user agent. */
  resolvePlatform?: (ctx: PolicySignInContext) => DevicePlatform | null;
}

export interface CompiledPolicy {
  id: string;
  displayName: string;
  state: ConditionalAccessPolicy['state'];
  /** Configured conditions in declared order (What-If reports the first unmet one in this order). */
  conditions: PreparedCondition[];
  /** The same conditions cheapest and most selective first, for the sign-in hot path. */
  hotConditions: PreparedCondition[];
  grant: CompiledGrant | null;
  session: CompiledSession | null;
  /** Authentication contexts the policy targets (for the token's `acrs`). */
  acrs: readonly string[];
  enforcedGrantControls: readonly string[];
  /** True when a grant control asks for MFA or an authentication strength. */
  demandsMfa: boolean;
  /** The policy as stored (What-If answers with it). */
  source: ConditionalAccessPolicy & { id: string };
}

export interface PolicySnapshot {
  version: number;
  policies: readonly CompiledPolicy[];
  namedLocations: ReadonlyMap<string, CompiledNamedLocation>;
  resolvePlatform: (ctx: PolicySignInContext) => DevicePlatform | null;
  prefilter: PolicyPrefilter;
}

const defaultResolve = (ctx: PolicySignInContext): DevicePlatform | null => resolveDevicePlatform(ctx.device, ctx.userAgent);

export function compileSnapshot(
  policies: ReadonlyArray<ConditionalAccessPolicy & { id: string }>,
  namedLocations: ReadonlyArray<NamedLocation & { id: string }>,
  options: SnapshotOptions = {},
  version = 0,
): PolicySnapshot {
  const locs = new Map<string, CompiledNamedLocation>();
  for (const l of namedLocations) locs.set(l.id.toLowerCase(), compileNamedLocation(l));
  if (options.mfaTrustedIps?.length) {
    locs.set('mfatrustedips', compileNamedLocation({ id: 'mfaTrustedIps', '@odata.type': '#microsoft.graph.ipNamedLocation', displayName: 'MFA trusted IPs', isTrusted: true, ipRanges: options.mfaTrustedIps.map((c) => ({ '@odata.type': '#microsoft.graph.iPv4CidrRange' as const, cidrAddress: c })) }));
  }
  const appGroups = new Map<string, ReadonlySet<string>>();
  for (const [k, v] of Object.entries(options.appGroups ?? defaultAppGroups)) appGroups.set(k, new Set(v.map((x) => x.toLowerCase())));
  const env: CompileEnv = { namedLocations: locs, appGroups };
  const strengths = new Map((options.authenticationStrengths ?? []).map((s) => [s.id.toLowerCase(), s]));
  const compiled = policies.map((p) => compilePolicy(p, env, strengths));
  return {
    version,
    namedLocations: locs,
    resolvePlatform: options.resolvePlatform ?? defaultResolve,
    policies: compiled,
    prefilter: buildPrefilter(compiled, skippedResult),
  };
}

export function compilePolicy(p: ConditionalAccessPolicy & { id: string }, env: CompileEnv, strengths: ReadonlyMap<string, AuthenticationStrength>): CompiledPolicy {
  const prepared: PreparedCondition[] = [];
  conditions.forEach((def, index) => {
    const x = def.prepare(p, env);
    if (x !== null) prepared.push({ def, prepared: x, index, bit: 1 << index });
  });
  const grant = compileGrant(p.grantControls, strengths);
  const hotConditions = [...prepared].sort((a, b) => hotRank(a.def.id) - hotRank(b.def.id));
  return {
    id: p.id,
    displayName: p.displayName,
    state: p.state,
    conditions: prepared,
    hotConditions,
    grant,
    session: compileSession(p.sessionControls),
    acrs: p.conditions.applications?.includeAuthenticationContextClassReferences ?? [],
    enforcedGrantControls: grant ? grant.controls.map((c) => c.displayName) : [],
    demandsMfa: !!grant?.controls.some((c) => c.id === 'mfa' || c.id === 'authenticationStrength'),
    source: p,
  };
}

/**
 * Hot-path order: one set lookup first (target resource, client type, platform, risk, flows),
 * then users (several set probes), then locations (CIDR scans) and device filters. Any failing
 * condition makes the policy not apply, so the order changes cost, never the outcome.
 */
const hotOrder = ['applications', 'clientAppTypes', 'devicePlatforms', 'signInRisk', 'userRisk', 'servicePrincipalRisk', 'insiderRisk', 'authenticationFlows', 'workloadIdentities', 'users', 'locations', 'deviceFilter'];
function hotRank(id: string): number {
  const i = hotOrder.indexOf(id);
  return i < 0 ? hotOrder.length : i;
}

/** Keeps one compiled snapshot per repository version. */
export class PolicySnapshotCache {
  private snapshot: PolicySnapshot | null = null;
  private building: Promise<PolicySnapshot> | null = null;

  constructor(private readonly repo: PolicyRepository, private readonly options: SnapshotOptions = {}) {}

  /** The snapshot for the repository's current version (one cheap `version()` read when fresh). */
  async current(): Promise<PolicySnapshot> {
    const v = await this.repo.version();
    if (this.snapshot && this.snapshot.version === v) return this.snapshot;
    if (!this.building) {
      this.building = (async () => {
        const [policies, locations] = await Promise.all([this.repo.listPolicies(), this.repo.listNamedLocations()]);
        return compileSnapshot(policies, locations, this.options, v);
      })().finally(() => { this.building = null; });
    }
    this.snapshot = await this.building;
    return this.snapshot;
  }

  /** Forgets the snapshot (e.g. on a cross-node change event); the next `current()` rebuilds. */
  invalidate(): void { this.snapshot = null; }
}
