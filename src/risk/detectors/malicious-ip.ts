/**
 * maliciousIPAddress and nationStateIP.
 * - nationStateIP: the address is on an operator-loaded nation-state list — always high (graph-shapes.md §6).
 * - maliciousIPAddress: on a threat-intel list (medium), or observed here with a high failure rate: at least
 *   20 failed sign-ins over at least 5 accounts in the last hour and under 10% successes (low) — Entra's
 *   definition is "IP with high failure rate / bad reputation".
 */
import { Lru } from '../lru.ts';
import type { RawDetection } from './define.ts';
import { defineDetector, detection } from './define.ts';

interface IpStats { windowStart: number; failures: number; successes: number; users: Set<string> }
const WINDOW_MS = 60 * 60_000;

export const maliciousIp = defineDetector({
  id: 'malicious-ip',
  riskEventTypes: ['maliciousIPAddress', 'nationStateIP'],
  createState: (cfg) => new Lru<string, IpStats>(cfg.maxSources),
  assess({ event, lists }, stats) {
    const out: RawDetection[] = [];
    const cats = lists.match(event.ip);
    if (cats.includes('nationState')) out.push(detection('nationStateIP', 'high', { list: lists.sources('nationState') }));
    if (cats.includes('malicious')) out.push(detection('maliciousIPAddress', 'medium', { list: lists.sources('malicious') }));
    else {
      const s = stats.peek(event.ip);
      if (s && event.time - s.windowStart <= WINDOW_MS && s.failures >= 20 && s.users.size >= 5 && s.successes < 0.1 * s.failures) {
        out.push(detection('maliciousIPAddress', 'low', { failures: s.failures, accounts: s.users.size, successes: s.successes }));
      }
    }
    return out.length ? out : undefined;
  },
  learn({ event }, stats) {
    let s = stats.get(event.ip);
    if (!s || event.time - s.windowStart > WINDOW_MS) {
      if (event.status === 'success' && !s) return; // keep state only for addresses that fail
      s = { windowStart: event.time, failures: 0, successes: 0, users: new Set() };
      stats.set(event.ip, s);
    }
    if (event.status === 'success') s.successes++;
    else {
      s.failures++;
      if (s.users.size < 1000) s.users.add(event.userId);
    }
  },
});
