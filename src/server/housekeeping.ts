/**
 * Housekeeping: signing-key rotation, log retention, the purge of expired rows from every store
 * that keeps an `expires_at`, and the workload-identity detections reported as closed time windows.
 * `startTessera` runs it shortly after start and then hourly; every step is independent, so one
 * failing is logged and the others still run.
 */
import type { App } from '../app/app.ts';
import type { Store } from '../store/types.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The stores `purgeExpired` cleans, by their name on `Store`. */
export type PurgedStore = 'authCodes' | 'deviceCodes' | 'refreshTokens' | 'sessions' | 'enrollmentTokens';

/**
 * How long a row is kept after it expires, per store. Deleting at the instant of expiry would
 * change what a caller is told: the grants answer a present-but-expired artifact with a specific
 * error and an absent one with a generic "invalid" — so a row stays until nobody could plausibly
 * still present it, or until an administrator no longer needs to see it. The purge runs hourly, so
 * a row goes between grace and grace + 1 hour after expiry.
 */
export const EXPIRED_ROW_GRACE: Readonly<Record<PurgedStore, number>> = {
  // Codes live 5 minutes (RFC 6749 §4.1.2: short-lived, at most 10 minutes recommended, single use).
  // Within the hour a late or replayed redemption still gets 70008 "code has expired" or 54005
  // "already redeemed" rather than 70000 "invalid"; no client retries a code later than that.
  authCodes: HOUR,
  // An expired device code answers `expired_token` (RFC 8628 §3.5: stop polling, start over), an
  // absent one `invalid_grant` 70000. An hour covers a device that polls late (slow_down, a laptop
  // waking up); codes live 15 minutes, so no polling client is left after that.
  deviceCodes: HOUR,
  // Refresh tokens and device-bound session tokens (the same table, `device_id` set). Expired:
  // 700082 "expired due to inactivity"; rotated and presented again: 70008 and the family revoked
  // (RFC 9700 §4.14.2); absent: 9002313 "malformed or not valid". Deleting at expiry would tell a
  // client coming back an hour late 9002313. A week covers an app reopened after a holiday. Not longer: this is the hottest table (a row per rotation); a week adds
  // under a tenth to the rows of 90-day refresh tokens and half to those of 14-day device sessions.
  // Later callers still get `invalid_grant` and sign in again; only the AADSTS detail is less specific.
  refreshTokens: 7 * DAY,
  // An expired SSO session and an absent one both read as "no session" (readSsoSession), and the
  // cookie's Max-Age ends with the session, so no caller's answer depends on the row. It is kept for
  // people: sign-in log records carry its id, and investigating a sign-in weeks later should still
  // find its session (auth time, methods, revoked). One row per browser sign-in: cheap.
  sessions: 30 * DAY,
  // The enrollment-token listing shows expired tokens (`$filter=status eq 'expired'`) with their use
  // counts: after a rollout an administrator checks how many devices a token registered. Callers are
  // unaffected either way: expiry is checked from the sealed token before the record is read
  // (enrollment_token_expired), so a purged record never turns into enrollment_token_invalid.
  enrollmentTokens: 30 * DAY,
};

const PURGED: readonly PurgedStore[] = ['authCodes', 'deviceCodes', 'refreshTokens', 'sessions', 'enrollmentTokens'];

interface Log {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/**
 * Deletes, from each store, the rows that expired more than its grace period before `now`. A
 * failure is logged and the next store still runs. Returns the rows deleted per store (absent: failed).
 */
export async function purgeExpired(store: Store, now: number, log: Log): Promise<Partial<Record<PurgedStore, number>>> {
  const deleted: Partial<Record<PurgedStore, number>> = {};
  for (const name of PURGED) {
    try {
      deleted[name] = await store[name].deleteExpired(now - EXPIRED_ROW_GRACE[name]);
    } catch (err) {
      log.error({ err, store: name }, `expired ${name} cleanup failed`);
    }
  }
  if (Object.values(deleted).some((n) => n > 0)) log.info({ deleted }, 'expired rows purged');
  return deleted;
}

/** One housekeeping run; never rejects (each step logs its own failure). */
export async function runHousekeeping(app: App, now = Date.now()): Promise<void> {
  await app.keys.maintain(now).catch((err: unknown) => app.log.error({ err }, 'key rotation failed'));
  await app.logs.prune(new Date(now)).catch((err: unknown) => app.log.error({ err }, 'log retention failed'));
  await purgeExpired(app.store, now, app.log);
  for (const t of app.risk.tenants()) {
    await app.risk.engine(t).flushWorkloadDetections().catch((err: unknown) => app.log.error({ err }, 'workload detections failed'));
  }
}

/**
 * Runs housekeeping `firstRunMs` after start (so a server restarted often, or one that has been
 * down for a while, does not wait an hour for its first purge), then every `intervalMs`. A run that
 * is still going when the next is due is not overlapped. The timers are unref'd: they never keep the
 * process alive. `stop` clears them and resolves when a run in progress has finished.
 */
export function scheduleHousekeeping(app: App, opts: { firstRunMs?: number; intervalMs?: number } = {}): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  const run = (): void => {
    if (running) return;
    running = runHousekeeping(app).finally(() => { running = undefined; });
  };
  const first = setTimeout(run, opts.firstRunMs ?? 30_000);
  first.unref();
  const every = setInterval(run, opts.intervalMs ?? HOUR);
  every.unref();
  return {
    async stop() {
      clearTimeout(first);
      clearInterval(every);
      await running;
    },
  };
}
