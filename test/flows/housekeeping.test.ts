/**
 * Housekeeping purges expired rows from every store, each after its grace period, and a refresh
 * token that expired within its grace still gets "expired" (700082) rather than "unknown" (9002313).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { EXPIRED_ROW_GRACE, purgeExpired, scheduleHousekeeping } from '../../src/server/housekeeping.ts';
import type { Store } from '../../src/store/types.ts';
import { newId, newSecret, sha256 } from '../../src/util/ids.ts';
import { CLIENT_ID, CLIENT_SECRET, startTestServer, type TestServer } from '../helpers/server.ts';

let s: TestServer;
before(async () => { s = await startTestServer(); });
after(async () => { await s.stop(); });

const DAY = 86_400_000;

/** One row per store expiring at `expiresAt`; returns how to tell whether each is still stored. */
async function seed(store: Store, tenantId: string, expiresAt: (grace: number) => number, refreshRaw = newSecret(32)) {
  const codeHash = sha256(newId());
  await store.authCodes.save({ codeHash, tenantId, clientId: CLIENT_ID, userId: 'u', redirectUri: 'r', scope: 'openid', resource: null, codeChallenge: null, nonce: null, sid: 's', authTime: 1, amr: ['pwd'], dpopJkt: null, expiresAt: expiresAt(EXPIRED_ROW_GRACE.authCodes), extra: {} });
  const deviceCodeHash = sha256(newId());
  await store.deviceCodes.create({ deviceCodeHash, userCode: `H${newId().slice(0, 8).toUpperCase()}`, tenantId, clientId: CLIENT_ID, scope: 'openid', resource: null, status: 'pending', userId: null, sid: null, authTime: null, amr: null, expiresAt: expiresAt(EXPIRED_ROW_GRACE.deviceCodes), intervalS: 5, lastPolledAt: null, createdAt: 1 });
  const tokenHash = sha256(refreshRaw);
  const rtExpiry = expiresAt(EXPIRED_ROW_GRACE.refreshTokens);
  await store.refreshTokens.save({ tokenHash, familyId: newId(), tenantId, clientId: CLIENT_ID, userId: 'u', scope: 'openid offline_access', resource: null, sid: 's', authTime: 1, amr: ['pwd'], jkt: null, deviceId: null, issuedAt: rtExpiry - DAY, expiresAt: rtExpiry, status: 'active', usedAt: null, context: {} });
  const sessionId = newId();
  await store.sessions.create({ id: sessionId, tenantId, userId: 'u', authTime: 1, amr: ['pwd'], createdAt: 1, expiresAt: expiresAt(EXPIRED_ROW_GRACE.sessions), revoked: false });
  const enrollmentId = newId();
  await store.enrollmentTokens.create({ id: enrollmentId, tenantId, issuedBy: 'admin', createdAt: 1, expiresAt: expiresAt(EXPIRED_ROW_GRACE.enrollmentTokens), trustType: 'AzureAd', profileType: null, systemLabels: [], enrollmentProfileName: null, maxUses: null, usageCount: 0, lastUsedAt: null, revokedAt: null, revokedBy: null });
  return async () => ({
    authCodes: (await store.authCodes.consume(codeHash, Date.now())) !== undefined,
    deviceCodes: (await store.deviceCodes.get(deviceCodeHash)) !== undefined,
    refreshTokens: (await store.refreshTokens.find(tokenHash)) !== undefined,
    sessions: (await store.sessions.get(sessionId)) !== undefined,
    enrollmentTokens: (await store.enrollmentTokens.get(tenantId, enrollmentId)) !== undefined,
  });
}

const refresh = async (raw: string) => {
  const res = await fetch(`${s.authority}/oauth2/v2.0/token`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: raw, client_id: CLIENT_ID, client_secret: CLIENT_SECRET }),
  });
  return { status: res.status, body: (await res.json()) as { error?: string; error_codes?: number[] } };
};

test('housekeeping, run by its schedule, purges rows past their grace period and keeps expired rows within it', async () => {
  const now = Date.now();
  const pastRaw = newSecret(32);
  const inGraceRaw = newSecret(32);
  const past = await seed(s.app.store, s.tenantId, (grace) => now - grace - 60_000, pastRaw);
  const inGrace = await seed(s.app.store, s.tenantId, (grace) => now - grace + 60_000, inGraceRaw);

  const h = scheduleHousekeeping(s.app, { firstRunMs: 0 });
  for (let i = 0; i < 100 && (await s.app.store.refreshTokens.find(sha256(pastRaw))); i++) await new Promise((r) => setTimeout(r, 50));
  await h.stop();

  // Within the grace period the client still learns the token expired (AADSTS700082), not that it is unknown.
  const kept = await refresh(inGraceRaw);
  assert.equal(kept.status, 400);
  assert.deepEqual([kept.body.error, kept.body.error_codes], ['invalid_grant', [700082]]);
  const gone = await refresh(pastRaw);
  assert.deepEqual([gone.body.error, gone.body.error_codes], ['invalid_grant', [9002313]]);

  assert.deepEqual(await past(), { authCodes: false, deviceCodes: false, refreshTokens: false, sessions: false, enrollmentTokens: false });
  assert.deepEqual(await inGrace(), { authCodes: true, deviceCodes: true, refreshTokens: true, sessions: true, enrollmentTokens: true });
});

test('purgeExpired: a store that fails is logged and the others still purge', async () => {
  const now = Date.now();
  const past = await seed(s.app.store, s.tenantId, (grace) => now - grace - 60_000);
  const errors: string[] = [];
  const log = { info: () => {}, error: (_: object, msg: string) => { errors.push(msg); } };
  const failing: Store = { ...s.app.store, deviceCodes: { ...s.app.store.deviceCodes, deleteExpired: () => Promise.reject(new Error('disk full')) } };
  const deleted = await purgeExpired(failing, now, log);
  assert.deepEqual(errors, ['expired deviceCodes cleanup failed']);
  assert.equal(deleted.deviceCodes, undefined);
  assert.deepEqual([deleted.authCodes, deleted.refreshTokens, deleted.sessions, deleted.enrollmentTokens], [1, 1, 1, 1]);
  assert.deepEqual(await past(), { authCodes: false, deviceCodes: true, refreshTokens: false, sessions: false, enrollmentTokens: false });
});
