/** What the simulator feeds the engine, with ground-truth labels for scoring. */
import type { RiskSignInEvent, ServicePrincipalSignInEvent, TokenIssuance } from '../event.ts';
import type { SimDevice } from './population.ts';

export type AttackKind =
  | 'tokenReplay' | 'aitmSessionReplay' | 'passwordSpray' | 'impossibleTravel' | 'torSignIn'
  | 'leakedCredentials' | 'spLeakedSecret' | 'spSecretNewAsn' | 'attemptedPrtAccess';

export interface SimLabel {
  attackId: string;
  kind: AttackKind;
  /** riskEventTypes that should fire on this attack (recall is counted against them). */
  expected: string[];
}

export type SimItem =
  | { type: 'user'; time: number; event: RiskSignInEvent; label?: SimLabel }
  | { type: 'sp'; time: number; event: ServicePrincipalSignInEvent; label?: SimLabel }
  | { type: 'leak'; time: number; report: string; labels: Map<string, SimLabel> }
  | { type: 'device'; time: number; signal: Record<string, unknown>; label: SimLabel };

export interface SessionRecord {
  userId: string;
  time: number;
  tokenId: string;
  kind: 'laptop' | 'phone';
  device: SimDevice;
  issuedTo: TokenIssuance;
}
