/**
 * anonymizedIPAddress — the sign-in comes from an address on an operator-loaded anonymizer list (Tor exit nodes,
 * anonymous VPN / proxy feeds). Medium: anonymizers are also used by privacy-minded legitimate users.
 * Limits: only as good as the list and its freshness (Tor exits change hourly — reload the bulk list often).
 */
import { defineDetector, detection } from './define.ts';

export const anonymizedIp = defineDetector({
  id: 'anonymized-ip',
  riskEventTypes: ['anonymizedIPAddress'],
  createState: () => null,
  assess({ event, lists }) {
    return lists.match(event.ip).includes('anonymizer')
      ? [detection('anonymizedIPAddress', 'medium', { list: lists.sources('anonymizer') })]
      : undefined;
  },
});
