/**
 * passwordSpray — many accounts, few passwords (graph-shapes.md §6: "spray succeeded in validating the password").
 * Failed password attempts are folded in by `learn` with their password fingerprint (an HMAC, see
 * password-fingerprint.ts — the password itself never reaches this module). Two views are kept:
 *  1. per source (address and its /24 or /48): within sprayWindowMs, ≥ sprayMinAccounts distinct accounts tried
 *     with ≤ sprayMaxPasswords distinct passwords;
 *  2. per password, tenant-wide: one password failing on ≥ 2 × sprayMinAccounts accounts from any sources — a
 *     distributed spray from rotating addresses.
 * A *successful* sign-in from a spraying source with one of the sprayed passwords is high (the spray validated the
 * password); from a spraying source with another password, medium; with a tenant-wide sprayed password, high.
 * Limits: a slow spray below the thresholds per hour, or one that never reuses a password, is not seen.
 */
import { parseIp, subnetKey } from '../geo/ip.ts';
import { Lru } from '../lru.ts';
import type { RiskConfig } from '../config.ts';
import { defineDetector, detection } from './define.ts';

interface Attempt { t: number; user: string; pw: string }
interface SprayState { sources: Lru<string, Attempt[]>; passwords: Lru<string, Map<string, number>> }

const MAX_ATTEMPTS_PER_SOURCE = 2000;

function sourceKeys(ip: string): string[] {
  const p = parseIp(ip);
  return p ? [`a:${ip}`, `n:${subnetKey(p)}`] : [`a:${ip}`];
}

function sprayOf(attempts: Attempt[] | undefined, now: number, cfg: RiskConfig): Set<string> | undefined {
  if (!attempts || attempts.length < cfg.sprayMinAccounts) return undefined;
  const users = new Set<string>();
  const pws = new Map<string, number>();
  for (let i = attempts.length - 1; i >= 0; i--) {
    const a = attempts[i]!;
    if (now - a.t > cfg.sprayWindowMs) break;
    users.add(a.user);
    pws.set(a.pw, (pws.get(a.pw) ?? 0) + 1);
  }
  if (users.size < cfg.sprayMinAccounts || pws.size > cfg.sprayMaxPasswords) return undefined;
  return new Set(pws.keys());
}

export const passwordSpray = defineDetector<SprayState>({
  id: 'password-spray',
  riskEventTypes: ['passwordSpray'],
  createState: (cfg) => ({ sources: new Lru(cfg.maxSources), passwords: new Lru(cfg.maxSources) }),
  assess({ event, config }, s) {
    if (event.status !== 'success') return undefined;
    const fp = event.passwordFingerprint;
    for (const key of sourceKeys(event.ip)) {
      const sprayed = sprayOf(s.sources.peek(key), event.time, config);
      if (!sprayed) continue;
      const validated = fp !== undefined && sprayed.has(fp);
      return [detection('passwordSpray', validated ? 'high' : 'medium', { source: key.slice(2), scope: key[0] === 'a' ? 'address' : 'subnet', sprayedPasswordValidated: validated })];
    }
    if (fp !== undefined) {
      const users = s.passwords.peek(fp);
      if (users) {
        let recent = 0;
        for (const t of users.values()) if (event.time - t <= config.sprayWindowMs) recent++;
        if (recent >= 2 * config.sprayMinAccounts) return [detection('passwordSpray', 'high', { scope: 'tenant', accountsTriedWithPassword: recent })];
      }
    }
    return undefined;
  },
  learn({ event, config }, s) {
    if (event.status !== 'failure' || event.failureKind !== 'invalidPassword' && event.failureKind !== 'unknownUser') return;
    const pw = event.passwordFingerprint ?? '?';
    for (const key of sourceKeys(event.ip)) {
      const list = s.sources.upsert(key, () => []);
      list.push({ t: event.time, user: event.userId, pw });
      // Keep the window bounded in time and size.
      let drop = 0;
      while (drop < list.length && (event.time - list[drop]!.t > config.sprayWindowMs || list.length - drop > MAX_ATTEMPTS_PER_SOURCE)) drop++;
      if (drop) list.splice(0, drop);
    }
    if (event.passwordFingerprint !== undefined) {
      const users = s.passwords.upsert(event.passwordFingerprint, () => new Map());
      if (users.size < 10_000 || users.has(event.userId)) users.set(event.userId, event.time);
    }
  },
});
