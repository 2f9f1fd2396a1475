/**
 * Tunables of identity protection with their defaults. Each default says why it is what it is; the simulator
 * (bench/risk-sim.ts) measures what they give.
 */
export interface RiskConfig {
  /** unfamiliarFeatures learning period: Entra documents "at least 5 days" (graph-shapes.md §6). */
  learningDays: number;
  /** …and at least this many successful sign-ins, so a user who signed in twice is not judged on two samples. */
  learningSignIns: number;
  /** unlikelyTravel: fastest plausible travel, a long-haul flight (km/h). */
  maxTravelSpeedKmh: number;
  /** unlikelyTravel: distances below this are city-level geolocation noise (km). */
  travelMinDistanceKm: number;
  /** unlikelyTravel: fixed time cost of any flight (to/from airports), hours. */
  travelOverheadHours: number;
  /** passwordSpray: sliding window of failed attempts per source (ms). */
  sprayWindowMs: number;
  /** passwordSpray: distinct accounts one source must try… */
  sprayMinAccounts: number;
  /** …with at most this many distinct passwords. */
  sprayMaxPasswords: number;
  /**
   * A network (/24, /48) from which at least this many *other* users sign in cleanly is an organisation network
   * (office, corporate VPN) and familiar to everyone.
   */
  orgNetworkMinUsers: number;
  /** Bounds of the in-memory state (LRU). */
  maxUsers: number;
  maxSources: number;
  maxTokens: number;
}

export const defaultRiskConfig: RiskConfig = {
  learningDays: 5,
  learningSignIns: 10,
  maxTravelSpeedKmh: 900,
  travelMinDistanceKm: 500,
  travelOverheadHours: 1,
  sprayWindowMs: 60 * 60_000,
  sprayMinAccounts: 10,
  sprayMaxPasswords: 3,
  orgNetworkMinUsers: 3,
  maxUsers: 200_000,
  maxSources: 100_000,
  maxTokens: 500_000,
};
