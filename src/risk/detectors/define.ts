/**
 * A real-time detector is a declared unit: an id, the riskEventTypes it can raise, its own state, an `assess`
 * that reads the sign-in and returns zero or more detections, and an optional `learn` that folds the final outcome
 * into its state. Detectors never query a store: everything they read is in the context (docs/DESIGN.md).
 * `assess` must not mutate state — the same sign-in may be assessed and then fail conditional access.
 */
import type { UserProfile, FeatureValues } from '../baseline.ts';
import type { RiskSignInEvent } from '../event.ts';
import type { GeoInfo } from '../geo/lookup.ts';
import type { IpLists } from '../lists/ip-lists.ts';
import type { DetectionLevel, DetectionTimingType, UserRiskEventType } from '../types.ts';
import type { RiskConfig } from '../config.ts';

export interface DetectorContext {
  readonly event: RiskSignInEvent;
  /** Network of `event.ip` (resolved by the engine when the event had none). */
  readonly net: GeoInfo;
  /** Network the presented token was issued to, when a token is presented. */
  readonly issuedNet: GeoInfo | undefined;
  readonly features: FeatureValues;
  /** The user's baseline before this sign-in; undefined on the first sign-in ever. */
  readonly profile: UserProfile | undefined;
  readonly lists: IpLists;
  readonly config: RiskConfig;
  /** Countries seen across the tenant (count of users' successful sign-ins), for "new to the organisation". */
  readonly tenantCountries: ReadonlyMap<string, number>;
  /**
   * The sign-in's network (/24, /48) is one many users of the organisation sign in from: an office or the corporate
   * VPN. Entra ignores "locations regularly used by other users in the organization" for the same reason.
   */
  readonly orgNetwork: boolean;
  /** The same for the network the presented token was issued to. */
  readonly issuedOrgNetwork: boolean;
}

export interface RawDetection {
  riskEventType: UserRiskEventType;
  level: DetectionLevel;
  timing: DetectionTimingType;
  /** 'signin' detections are tied to this request; 'user' ones raise user risk without a sign-in link. */
  activity: 'signin' | 'user';
  /** Why, in terms an analyst can check (goes to riskDetection.additionalInfo). */
  reasons: Record<string, unknown>;
}

/**
 * A detection about an earlier sign-in, found when later events complete the picture (a spray recognised after
 * one of its guesses already succeeded). Stored with detectionTimingType `offline` and the earlier request id.
 */
export interface RetroactiveDetection {
  userId: string;
  userPrincipalName: string;
  requestId: string;
  time: number;
  ip: string;
  detection: RawDetection;
}

export interface DetectorInstance {
  readonly id: string;
  assess(ctx: DetectorContext): RawDetection[] | undefined;
  /** Fold the outcome into state; may return detections about earlier sign-ins. */
  learn(ctx: DetectorContext, outcome: LearnOutcome): RetroactiveDetection[] | void;
}

/** What the engine tells detectors about the sign-in they learn from. */
export interface LearnOutcome {
  /** Sign-in risk was medium or above. */
  risky: boolean;
  /** riskEventTypes raised on it in real time. */
  types: readonly string[];
}

export interface DetectorUnit {
  readonly id: string;
  readonly riskEventTypes: readonly UserRiskEventType[];
  create(config: RiskConfig): DetectorInstance;
}

export function defineDetector<S>(d: {
  id: string;
  riskEventTypes: readonly UserRiskEventType[];
  createState(config: RiskConfig): S;
  assess(ctx: DetectorContext, state: S): RawDetection[] | undefined;
  learn?(ctx: DetectorContext, state: S, outcome: LearnOutcome): RetroactiveDetection[] | void;
}): DetectorUnit {
  return {
    id: d.id,
    riskEventTypes: d.riskEventTypes,
    create(config) {
      const state = d.createState(config);
      return {
        id: d.id,
        assess: (ctx) => d.assess(ctx, state),
        learn: (ctx, outcome) => d.learn?.(ctx, state, outcome) ?? undefined,
      };
    },
  };
}

export function detection(
  riskEventType: UserRiskEventType, level: DetectionLevel, reasons: Record<string, unknown>,
  opts: { timing?: DetectionTimingType; activity?: 'signin' | 'user' } = {},
): RawDetection {
  return { riskEventType, level, timing: opts.timing ?? 'realtime', activity: opts.activity ?? 'signin', reasons };
}
