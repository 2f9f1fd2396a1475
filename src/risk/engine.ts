/**
 * The identity protection engine: the one object the core plugs into its sign-in pipeline.
 *
 *   const risk = createRiskEngine({ geo: createGeoLookup(), repo, directory, credentials });
 *   const a = risk.assessSignIn(event);          // synchronous, in the request path, before conditional access
 *   ... conditional access reads a.riskLevelDuringSignIn and a.userRiskLevel ...
 *   await risk.recordOutcome(event, a);          // after the outcome: learning + detections + riskyUser
 *
 * Failed password attempts go straight to `recordOutcome` (they feed password spray and malicious-IP counts).
 * Everything real-time lives in LRU-bounded memory; records go to the RiskRepository.
 */
import type { DetectorContext, DetectorInstance, DetectorUnit, RawDetection, RetroactiveDetection } from './detectors/define.ts';
import { realtimeDetectors } from './detectors/index.ts';
import { featureValues, learn, newProfile, type UserProfile } from './baseline.ts';
import { defaultRiskConfig, type RiskConfig } from './config.ts';
import type { RiskSignInEvent } from './event.ts';
import type { GeoInfo, GeoLookup } from './geo/lookup.ts';
import { parseIp, subnetKey } from './geo/ip.ts';
import { IpLists } from './lists/ip-lists.ts';
import { Lru } from './lru.ts';
import { signInRiskLevel } from './model/aggregate.ts';
import { buildRiskDetection, type ServicePrincipalRef, type UserRef } from './model/build.ts';
import type { RiskDetection, RiskyServicePrincipal, RiskyUser } from './model/records.ts';
import { recordUserDetections, type RiskDeps } from './model/user-risk.ts';
import type { SpRiskDeps } from './model/sp-risk.ts';
import { createPasswordFingerprinter } from './password-fingerprint.ts';
import { createMemoryRiskRepository, type RiskRepository } from './repository.ts';
import { maxLevel, type RiskLevel } from './types.ts';
import type { CredentialCallbacks } from './offline/leaked-credentials.ts';
import { createRiskActions, type RiskActions } from './engine-actions.ts';
import { createOfflineIngest, type OfflineIngest } from './engine-offline.ts';

export interface RiskDirectory {
  getUser(id: string): Promise<UserRef | undefined> | UserRef | undefined;
  getUserByPrincipalName?(upn: string): Promise<UserRef | undefined> | UserRef | undefined;
  getServicePrincipal(id: string): Promise<ServicePrincipalRef | undefined> | ServicePrincipalRef | undefined;
}

export interface RiskEngineOptions {
  /** IP → location/ASN. Without it, events must carry `network` (unresolved addresses count as unknown). */
  geo?: GeoLookup;
  repo?: RiskRepository;
  config?: Partial<RiskConfig>;
  lists?: IpLists;
  now?: () => number;
  detectors?: readonly DetectorUnit[];
  directory?: RiskDirectory;
  credentials?: CredentialCallbacks;
  /** Key for password fingerprints; share it across nodes so spray counts agree. Random per process by default. */
  passwordFingerprintKey?: Uint8Array;
  onRiskyUserChanged?: (u: RiskyUser) => void;
  onRiskyServicePrincipalChanged?: (sp: RiskyServicePrincipal) => void;
}

export interface SignInRiskAssessment {
  riskLevelDuringSignIn: RiskLevel;
  riskLevelAggregated: RiskLevel;
  riskEventTypes_v2: string[];
  detections: RawDetection[];
  /** The user's risk including user-level detections raised by this sign-in. */
  userRiskLevel: RiskLevel;
}

export interface RecordedOutcome {
  detections: RiskDetection[];
  riskyUser: RiskyUser | undefined;
  /** Detections about *earlier* sign-ins that this event completed (e.g. a spray recognised after a success). */
  retroactive: RiskDetection[];
}

export interface RiskEngine extends OfflineIngest {
  readonly repository: RiskRepository;
  readonly lists: IpLists;
  readonly config: RiskConfig;
  readonly actions: RiskActions;
  /** HMAC fingerprint of a password for RiskSignInEvent.passwordFingerprint (never store the password). */
  fingerprintPassword(password: string): string;
  /** Resolve an address with the configured GeoLookup (unknown without one). */
  resolve(ip: string): GeoInfo;
  assessSignIn(event: RiskSignInEvent): SignInRiskAssessment;
  recordOutcome(event: RiskSignInEvent, assessment?: SignInRiskAssessment): Promise<RecordedOutcome>;
  /** Current user risk from the in-memory cache (filled by writes through this engine and by `warmUserRisk`). */
  userRiskLevel(userId: string): RiskLevel;
  servicePrincipalRiskLevel(servicePrincipalId: string): RiskLevel;
  /** Load risky users / service principals from the repository into the cache (at start-up). */
  warmUserRisk(): Promise<void>;
}

const UNKNOWN: GeoInfo = { known: false, isHosting: false };
/** Detections whose sign-ins must not teach the baseline, unless the user passed MFA. */
const NO_LEARN = new Set(['anomalousToken', 'attackerinTheMiddle', 'passwordSpray', 'anonymizedIPAddress', 'maliciousIPAddress', 'nationStateIP', 'unlikelyTravel']);

export function createRiskEngine(opts: RiskEngineOptions = {}): RiskEngine {
  const config: RiskConfig = { ...defaultRiskConfig, ...opts.config };
  const repo = opts.repo ?? createMemoryRiskRepository();
  const lists = opts.lists ?? new IpLists();
  const now = opts.now ?? Date.now;
  const instances: DetectorInstance[] = (opts.detectors ?? realtimeDetectors).map((d) => d.create(config));
  const profiles = new Lru<string, UserProfile>(config.maxUsers);
  const tenantCountries = new Map<string, number>();
  /** subnet → users who signed in from it cleanly (capped); org networks have ≥ orgNetworkMinUsers. */
  const orgNetworks = new Lru<string, Set<string>>(config.maxSources);
  const isOrgNetwork = (subnet: string | undefined, userId: string): boolean => {
    const users = subnet === undefined ? undefined : orgNetworks.peek(subnet);
    if (!users) return false;
    return users.size - (users.has(userId) ? 1 : 0) >= config.orgNetworkMinUsers;
  };
  const userRisk = new Lru<string, RiskLevel>(config.maxUsers);
  const spRisk = new Lru<string, RiskLevel>(config.maxUsers);
  const knownUsers = new Lru<string, UserRef>(config.maxUsers);
  const contexts = new WeakMap<SignInRiskAssessment, DetectorContext>();
  const fingerprint = createPasswordFingerprinter(opts.passwordFingerprintKey);

  const resolve = (ip: string): GeoInfo => opts.geo?.lookup(ip) ?? UNKNOWN;
  const userDeps: RiskDeps = {
    repo, now,
    onRiskyUserChanged: (u) => {
      userRisk.set(u.id, u.riskLevel);
      opts.onRiskyUserChanged?.(u);
    },
  };
  const spDeps: SpRiskDeps = {
    repo, now,
    onRiskyServicePrincipalChanged: (s) => {
      spRisk.set(s.id, s.riskLevel);
      opts.onRiskyServicePrincipalChanged?.(s);
    },
  };

  function contextOf(event: RiskSignInEvent): DetectorContext {
    const net = event.network ?? resolve(event.ip);
    const tok = event.presentedToken;
    const issuedNet = tok ? (tok.issuedTo.network ?? resolve(tok.issuedTo.ip)) : undefined;
    const features = featureValues(event, net);
    const issuedIp = tok ? parseIp(tok.issuedTo.ip) : undefined;
    return {
      event, net, issuedNet, features, profile: profiles.peek(event.userId), lists, config, tenantCountries,
      orgNetwork: isOrgNetwork(features.subnet, event.userId),
      issuedOrgNetwork: issuedIp !== undefined && isOrgNetwork(subnetKey(issuedIp), event.userId),
    };
  }

  function assessSignIn(event: RiskSignInEvent): SignInRiskAssessment {
    const ctx = contextOf(event);
    const detections: RawDetection[] = [];
    for (const d of instances) {
      const r = d.assess(ctx);
      if (r) for (const x of r) detections.push(x);
    }
    const during = signInRiskLevel(detections.filter((d) => d.activity === 'signin').map((d) => d.level));
    let user = userRisk.peek(event.userId) ?? 'none';
    for (const d of detections) if (d.activity === 'user') user = maxLevel(user, d.level);
    const a: SignInRiskAssessment = {
      riskLevelDuringSignIn: during,
      riskLevelAggregated: during,
      riskEventTypes_v2: [...new Set(detections.map((d) => d.riskEventType))],
      detections,
      userRiskLevel: user,
    };
    contexts.set(a, ctx);
    return a;
  }

  async function recordOutcome(event: RiskSignInEvent, assessment?: SignInRiskAssessment): Promise<RecordedOutcome> {
    const a = assessment ?? (event.status === 'success' ? assessSignIn(event) : undefined);
    const ctx = (a && contexts.get(a)) ?? contextOf(event);
    const risky = a !== undefined && a.riskLevelDuringSignIn !== 'none' && a.riskLevelDuringSignIn !== 'low';
    const found: RetroactiveDetection[] = [];
    const outcome = { risky, types: a?.riskEventTypes_v2 ?? [] };
    for (const d of instances) {
      const r = d.learn(ctx, outcome);
      if (r) found.push(...r);
    }
    const ref: UserRef = { id: event.userId, userPrincipalName: event.userPrincipalName, displayName: event.userDisplayName ?? null };
    knownUsers.set(event.userId, ref);
    if (event.status === 'success') {
      const strong = a?.detections.some((d) => NO_LEARN.has(d.riskEventType)) ?? false;
      const level = a?.riskLevelDuringSignIn ?? 'none';
      const clean = !strong && (level === 'none' || level === 'low');
      // MFA proves the user — unless it was relayed by an AiTM proxy, which lives on hosting networks: a risky
      // sign-in from a hosting network is never learned, MFA or not.
      if (clean || (event.mfaSatisfied === true && level !== 'high' && !ctx.net.isHosting)) {
        const p = profiles.upsert(event.userId, () => newProfile(event.time));
        const c = ctx.features.country;
        if (c && (p.features.country.get(c)?.n ?? 0) === 0) tenantCountries.set(c, (tenantCountries.get(c) ?? 0) + 1);
        learn(p, ctx.features, ctx.net, event.time);
        const subnet = ctx.features.subnet;
        if (subnet !== undefined) {
          const users = orgNetworks.upsert(subnet, () => new Set());
          if (users.size < 32) users.add(event.userId);
        }
      }
    }
    const detectedAt = now();
    const retroactive: RiskDetection[] = [];
    for (const r of found) {
      const who = knownUsers.peek(r.userId) ?? { id: r.userId, userPrincipalName: r.userPrincipalName };
      const rec = buildRiskDetection(who, {
        riskEventType: r.detection.riskEventType, level: r.detection.level, timing: 'offline', activity: 'signin',
        activityTime: r.time, detectedTime: Math.max(detectedAt, r.time), requestId: r.requestId, ip: r.ip, net: resolve(r.ip),
        additionalInfo: r.detection.reasons,
      });
      await recordUserDetections(userDeps, who, [rec]);
      retroactive.push(rec);
    }
    if (!a || a.detections.length === 0) return { detections: [], riskyUser: undefined, retroactive };
    const records = a.detections.map((d) => buildRiskDetection(ref, {
      riskEventType: d.riskEventType, level: d.level, timing: d.timing, activity: d.activity,
      activityTime: event.time, detectedTime: Math.max(detectedAt, event.time),
      ...(d.activity === 'signin' ? { requestId: event.requestId, ...(event.correlationId ? { correlationId: event.correlationId } : {}) } : {}),
      ip: event.ip, net: ctx.net, additionalInfo: { ...d.reasons, ...(event.userAgent ? { userAgent: event.userAgent } : {}) },
    }));
    const riskyUser = await recordUserDetections(userDeps, ref, records);
    return { detections: records, riskyUser, retroactive };
  }

  const lookupUser = async (id: string): Promise<UserRef | undefined> => {
    const fromDir = await opts.directory?.getUser(id);
    if (fromDir) return fromDir;
    const seen = knownUsers.peek(id);
    if (seen) return seen;
    const ru = await repo.getRiskyUser(id);
    return ru ? { id: ru.id, userPrincipalName: ru.userPrincipalName, displayName: ru.userDisplayName } : undefined;
  };
  const lookupUserByUpn = async (upn: string): Promise<UserRef | undefined> => {
    const fromDir = await opts.directory?.getUserByPrincipalName?.(upn);
    if (fromDir) return fromDir;
    for (const [, u] of knownUsers.entries()) if (u.userPrincipalName.toLowerCase() === upn) return u;
    return undefined;
  };
  const lookupSp = async (id: string): Promise<ServicePrincipalRef | undefined> => {
    const fromDir = await opts.directory?.getServicePrincipal(id);
    if (fromDir) return fromDir;
    const r = await repo.getRiskyServicePrincipal(id);
    return r ? { id: r.id, appId: r.appId, displayName: r.displayName, servicePrincipalType: r.servicePrincipalType, accountEnabled: r.accountEnabled } : undefined;
  };

  const offline = createOfflineIngest({
    userDeps, spDeps, lists, now, resolve, lookupUser, lookupUserByUpn, lookupSp,
    ...(opts.credentials ? { credentials: opts.credentials } : {}),
  });

  return {
    repository: repo,
    lists,
    config,
    actions: createRiskActions({ userDeps, spDeps, lookupUser, lookupSp }),
    fingerprintPassword: fingerprint,
    resolve,
    assessSignIn,
    recordOutcome,
    ...offline,
    userRiskLevel: (id) => userRisk.peek(id) ?? 'none',
    servicePrincipalRiskLevel: (id) => spRisk.peek(id) ?? 'none',
    async warmUserRisk() {
      for (const state of ['atRisk', 'confirmedCompromised'] as const) {
        for (const u of await repo.listRiskyUsers({ riskState: state })) userRisk.set(u.id, u.riskLevel);
        for (const s of await repo.listRiskyServicePrincipals({ riskState: state })) spRisk.set(s.id, s.riskLevel);
      }
    },
  };
}
