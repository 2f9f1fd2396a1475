/** The real-time detectors, in the order they run. Adding one = one file + one line here. */
import type { DetectorUnit } from './define.ts';
import { anomalousToken } from './anomalous-token.ts';
import { anonymizedIp } from './anonymized-ip.ts';
import { maliciousIp } from './malicious-ip.ts';
import { newCountry } from './new-country.ts';
import { passwordSpray } from './password-spray.ts';
import { unfamiliarFeatures } from './unfamiliar-features.ts';
import { unlikelyTravel } from './unlikely-travel.ts';

export const realtimeDetectors: readonly DetectorUnit[] = [
  anonymizedIp, maliciousIp, unfamiliarFeatures, unlikelyTravel, newCountry, passwordSpray, anomalousToken,
];
