/**
 * passwordSpray — many accounts, few passwords (graph-shapes.md §6: "spray succeeded in validating the password";
 * timing real-time and offline). Failed password attempts are folded in by `learn` with their password
 * fingerprint (an HMAC, see password-fingerprint.ts — the password itself never reaches this module). Two views:
 *  1. per source (address, and its /24 or /48): within sprayWindowMs, ≥ sprayMinAccounts distinct accounts tried
 *     with ≤ sprayMaxPasswords distinct passwords;
 *  2. per password, tenant-wide: one password failing on ≥ 2 × sprayMinAccounts accounts from any sources — a
 *     distributed spray from rotating addresses.
 * Real-time: a *successful* sign-in from a spraying source with one of the sprayed passwords is high (the spray
 * validated the password); from a spraying source with another password, medium; with a tenant-wide sprayed
 * password, high.
 * Offline: a guess can succeed before the spray is recognisable (the victim was early in the attacker's list).
 * Successful password sign-ins are remembered for one window; when a source or a password crosses the threshold,
 * earlier successes that match are reported as retroactive detections (high, `offline`).
 * Limits: a slow spray below the thresholds per window, or one that never reuses a password, is not seen.
 */
import { parseIp, subnetKey } from '../geo/ip.ts';
import { Lru } from '../lru.ts';
import type { RiskConfig } from '../config.ts';
import type { RiskSignInEvent } from '../event.ts';
import { defineDetector, detection, type RetroactiveDetection } from './define.ts';

interface Attempt { t: number; user: string; pw: string }
interface Success { t: number; event: RiskSignInEvent; reported: boolean }
interface SprayState {
  sources: Lru<string, Attempt[]>;
  passwords: Lru<string, Map<string, number>>;
  successesBySource: Lru<string, Success[]>;
  successesByPassword: Lru<string, Success[]>;
}

const MAX_ATTEMPTS_PER_SOURCE = 2000;
const MAX_SUCCESSES_PER_KEY = 64;

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

function accountsTried(users: Map<string, number> | undefined, now: number, cfg: RiskConfig): number {
  let n = 0;
  if (users) for (const t of users.values()) if (now - t <= cfg.sprayWindowMs) n++;
  return n;
}

function remember(lru: Lru<string, Success[]>, key: string, s: Success, now: number, cfg: RiskConfig): void {
  const list = lru.upsert(key, () => []);
  while (list.length && (now - list[0]!.t > cfg.sprayWindowMs || list.length >= MAX_SUCCESSES_PER_KEY)) list.shift();
  list.push(s);
}

function retro(list: Success[] | undefined, now: number, cfg: RiskConfig, match: (s: Success) => boolean, reasons: Record<string, unknown>): RetroactiveDetection[] {
  const out: RetroactiveDetection[] = [];
  for (const s of list ?? []) {
    if (s.reported || now - s.t > cfg.sprayWindowMs || !match(s)) continue;
    s.reported = true;
    const e = s.event;
    out.push({ userId: e.userId, userPrincipalName: e.userPrincipalName, requestId: e.requestId, time: e.time, ip: e.ip,
      detection: detection('passwordSpray', 'high', { ...reasons, sprayedPasswordValidated: true, recognisedAfterwards: true }, { timing: 'offline' }) });
  }
  return out;
}

export const passwordSpray = defineDetector<SprayState>({
  id: 'password-spray',
  riskEventTypes: ['passwordSpray'],
  createState: (cfg) => ({ sources: new Lru(cfg.maxSources), passwords: new Lru(cfg.maxSources), successesBySource: new Lru(cfg.maxSources), successesByPassword: new Lru(cfg.maxSources) }),
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
      const recent = accountsTried(s.passwords.peek(fp), event.time, config);
      if (recent >= 2 * config.sprayMinAccounts) return [detection('passwordSpray', 'high', { scope: 'tenant', accountsTriedWithPassword: recent })];
    }
    return undefined;
  },
  learn({ event, config }, s, outcome) {
    const fp = event.passwordFingerprint;
    if (event.status === 'success') {
      // Remember password successes that raised nothing yet, in case a spray is recognised later in the window.
      if (fp === undefined || outcome.types.includes('passwordSpray')) return;
      const success: Success = { t: event.time, event, reported: false };
      for (const key of sourceKeys(event.ip)) remember(s.successesBySource, key, success, event.time, config);
      remember(s.successesByPassword, fp, success, event.time, config);
      return;
    }
    if (event.failureKind !== 'invalidPassword' && event.failureKind !== 'unknownUser') return;
    const pw = fp ?? '?';
    const found: RetroactiveDetection[] = [];
    for (const key of sourceKeys(event.ip)) {
      const list = s.sources.upsert(key, () => []);
      list.push({ t: event.time, user: event.userId, pw });
      // Keep the window bounded in time and size.
      let drop = 0;
      while (drop < list.length && (event.time - list[drop]!.t > config.sprayWindowMs || list.length - drop > MAX_ATTEMPTS_PER_SOURCE)) drop++;
      if (drop) list.splice(0, drop);
      const earlier = s.successesBySource.peek(key);
      if (earlier?.some((x) => !x.reported)) {
        const sprayed = sprayOf(list, event.time, config);
        if (sprayed) found.push(...retro(earlier, event.time, config, (x) => sprayed.has(x.event.passwordFingerprint ?? ''), { source: key.slice(2), scope: key[0] === 'a' ? 'address' : 'subnet' }));
      }
    }
    if (fp !== undefined) {
      const users = s.passwords.upsert(fp, () => new Map());
      if (users.size < 10_000 || users.has(event.userId)) users.set(event.userId, event.time);
      const earlier = s.successesByPassword.peek(fp);
      if (earlier?.some((x) => !x.reported)) {
        const tried = accountsTried(users, event.time, config);
        if (tried >= 2 * config.sprayMinAccounts) found.push(...retro(earlier, event.time, config, () => true, { scope: 'tenant', accountsTriedWithPassword: tried }));
      }
    }
    return found.length ? found : undefined;
  },
});
