import type { Selectable } from 'kysely';
import type { Database } from '../schema.ts';
import type { AuthCode, AuthCodeStore, DeviceCode, DeviceCodeStore, RefreshToken, RefreshTokenStore, Session, SessionStore } from '../types.ts';
import { b, bool, deleteExpiredInBatches, json, nnum, num, type Db } from './common.ts';

const codeRow = (r: Selectable<Database['auth_codes']>): AuthCode => ({
  codeHash: r.code_hash, tenantId: r.tenant_id, clientId: r.client_id, userId: r.user_id, redirectUri: r.redirect_uri,
  scope: r.scope, resource: r.resource, codeChallenge: r.code_challenge, nonce: r.nonce, sid: r.sid, authTime: num(r.auth_time),
  amr: json(r.amr, []), dpopJkt: r.dpop_jkt, expiresAt: num(r.expires_at), extra: json(r.extra, {}),
});

export function authCodeStore(db: Db): AuthCodeStore {
  return {
    async save(c) {
      await db.insertInto('auth_codes').values({
        code_hash: c.codeHash, tenant_id: c.tenantId, client_id: c.clientId, user_id: c.userId, redirect_uri: c.redirectUri,
        scope: c.scope, resource: c.resource, code_challenge: c.codeChallenge, nonce: c.nonce, sid: c.sid, auth_time: c.authTime,
        amr: JSON.stringify(c.amr), dpop_jkt: c.dpopJkt, expires_at: c.expiresAt, consumed: 0, extra: JSON.stringify(c.extra),
      }).execute();
    },
    async consume(codeHash, now) {
      // The conditional UPDATE is the arbiter: only the caller whose UPDATE flips consumed 0→1 wins.
      const res = await db.updateTable('auth_codes').set({ consumed: 1 }).where('code_hash', '=', codeHash).where('consumed', '=', 0).executeTakeFirst();
      const row = await db.selectFrom('auth_codes').selectAll().where('code_hash', '=', codeHash).executeTakeFirst();
      if (!row) return undefined;
      if (res.numUpdatedRows === 0n) return 'used';
      // Expired codes are deleted lazily; the winner still sees expiry through expiresAt.
      void now;
      return codeRow(row);
    },
    deleteExpired: (before, opts) => deleteExpiredInBatches(db, 'auth_codes', 'code_hash', before, opts?.batchSize),
  };
}

export const rtRow = (r: Selectable<Database['refresh_tokens']>): RefreshToken => ({
  tokenHash: r.token_hash, familyId: r.family_id, tenantId: r.tenant_id, clientId: r.client_id, userId: r.user_id, scope: r.scope,
  resource: r.resource, sid: r.sid, authTime: num(r.auth_time), amr: json(r.amr, []), jkt: r.jkt, deviceId: r.device_id,
  issuedAt: num(r.issued_at), expiresAt: num(r.expires_at), status: r.status as RefreshToken['status'], usedAt: nnum(r.used_at),
  context: json(r.context, {}),
});
export const rtValues = (t: RefreshToken) => ({
  token_hash: t.tokenHash, family_id: t.familyId, tenant_id: t.tenantId, client_id: t.clientId, user_id: t.userId, scope: t.scope,
  resource: t.resource, sid: t.sid, auth_time: t.authTime, amr: JSON.stringify(t.amr), jkt: t.jkt, device_id: t.deviceId,
  issued_at: t.issuedAt, expires_at: t.expiresAt, status: t.status, used_at: t.usedAt, context: JSON.stringify(t.context),
});

export function refreshTokenStore(db: Db): RefreshTokenStore {
  const revokeFamily = async (familyId: string): Promise<number> => {
    const r = await db.updateTable('refresh_tokens').set({ status: 'revoked' }).where('family_id', '=', familyId).where('status', '!=', 'revoked').executeTakeFirst();
    return Number(r.numUpdatedRows);
  };
  return {
    async save(t) {
      await db.insertInto('refresh_tokens').values(rtValues(t)).execute();
    },
    async find(hash) {
      const r = await db.selectFrom('refresh_tokens').selectAll().where('token_hash', '=', hash).executeTakeFirst();
      return r && rtRow(r);
    },
    async rotate(oldHash, next, now) {
      const won = await db.transaction().execute(async (tx) => {
        const res = await tx.updateTable('refresh_tokens').set({ status: 'rotated', used_at: now })
          .where('token_hash', '=', oldHash).where('status', '=', 'active').executeTakeFirst();
        if (res.numUpdatedRows === 0n) return false;
        await tx.insertInto('refresh_tokens').values(rtValues(next)).execute();
        return true;
      });
      if (won) return 'rotated';
      const cur = await db.selectFrom('refresh_tokens').select(['status', 'family_id']).where('token_hash', '=', oldHash).executeTakeFirst();
      if (cur?.status === 'rotated') {
        // RFC 9700 §4.14.2: a rotated token presented again means two parties hold it; revoke the family.
        await revokeFamily(cur.family_id);
        return 'reused';
      }
      return 'invalid';
    },
    revokeFamily,
    async revokeForUser(tenantId, userId) {
      const r = await db.updateTable('refresh_tokens').set({ status: 'revoked' }).where('tenant_id', '=', tenantId).where('user_id', '=', userId).where('status', '=', 'active').executeTakeFirst();
      return Number(r.numUpdatedRows);
    },
    async revokeForDevice(tenantId, deviceId) {
      const r = await db.updateTable('refresh_tokens').set({ status: 'revoked' }).where('tenant_id', '=', tenantId).where('device_id', '=', deviceId).where('status', '=', 'active').executeTakeFirst();
      return Number(r.numUpdatedRows);
    },
    deleteExpired: (before, opts) => deleteExpiredInBatches(db, 'refresh_tokens', 'token_hash', before, opts?.batchSize),
    async countActive() {
      const r = await db.selectFrom('refresh_tokens').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'active').executeTakeFirstOrThrow();
      return Number(r.n);
    },
  };
}

const dcRow = (r: Selectable<Database['device_codes']>): DeviceCode => ({
  deviceCodeHash: r.device_code_hash, userCode: r.user_code, tenantId: r.tenant_id, clientId: r.client_id, scope: r.scope,
  resource: r.resource, status: r.status as DeviceCode['status'], userId: r.user_id, sid: r.sid, authTime: nnum(r.auth_time),
  amr: r.amr ? json<string[]>(r.amr, []) : null, expiresAt: num(r.expires_at), intervalS: num(r.interval_s),
  lastPolledAt: nnum(r.last_polled_at), createdAt: num(r.created_at),
});

export function deviceCodeStore(db: Db): DeviceCodeStore {
  return {
    async create(c) {
      await db.insertInto('device_codes').values({
        device_code_hash: c.deviceCodeHash, user_code: c.userCode, tenant_id: c.tenantId, client_id: c.clientId, scope: c.scope,
        resource: c.resource, status: c.status, user_id: c.userId, sid: c.sid, auth_time: c.authTime, amr: c.amr ? JSON.stringify(c.amr) : null,
        expires_at: c.expiresAt, interval_s: c.intervalS, last_polled_at: c.lastPolledAt, created_at: c.createdAt,
      }).execute();
    },
    async getByUserCode(userCode) {
      const r = await db.selectFrom('device_codes').selectAll().where('user_code', '=', userCode).executeTakeFirst();
      return r && dcRow(r);
    },
    async get(hash) {
      const r = await db.selectFrom('device_codes').selectAll().where('device_code_hash', '=', hash).executeTakeFirst();
      return r && dcRow(r);
    },
    async decide(userCode, d) {
      const r = await db.updateTable('device_codes').set({ status: d.status, user_id: d.userId, sid: d.sid, auth_time: d.authTime, amr: JSON.stringify(d.amr) })
        .where('user_code', '=', userCode).where('status', '=', 'pending').executeTakeFirst();
      return r.numUpdatedRows > 0n;
    },
    async touch(hash, now) {
      const r = await db.selectFrom('device_codes').select('last_polled_at').where('device_code_hash', '=', hash).executeTakeFirst();
      await db.updateTable('device_codes').set({ last_polled_at: now }).where('device_code_hash', '=', hash).execute();
      return r ? nnum(r.last_polled_at) : null;
    },
    async consume(hash) {
      const r = await db.updateTable('device_codes').set({ status: 'consumed' }).where('device_code_hash', '=', hash).where('status', '=', 'approved').executeTakeFirst();
      return r.numUpdatedRows > 0n;
    },
    deleteExpired: (before, opts) => deleteExpiredInBatches(db, 'device_codes', 'device_code_hash', before, opts?.batchSize),
  };
}

const sessRow = (r: Selectable<Database['sessions']>): Session => ({
  id: r.id, tenantId: r.tenant_id, userId: r.user_id, authTime: num(r.auth_time), amr: json(r.amr, []),
  createdAt: num(r.created_at), expiresAt: num(r.expires_at), revoked: bool(r.revoked),
});

export function sessionStore(db: Db): SessionStore {
  return {
    async create(s) {
      await db.insertInto('sessions').values({ id: s.id, tenant_id: s.tenantId, user_id: s.userId, auth_time: s.authTime, amr: JSON.stringify(s.amr), created_at: s.createdAt, expires_at: s.expiresAt, revoked: b(s.revoked) }).execute();
    },
    async get(id) {
      const r = await db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
      return r && sessRow(r);
    },
    async revoke(id) {
      await db.updateTable('sessions').set({ revoked: 1 }).where('id', '=', id).execute();
    },
    async revokeForUser(tenantId, userId) {
      const r = await db.updateTable('sessions').set({ revoked: 1 }).where('tenant_id', '=', tenantId).where('user_id', '=', userId).where('revoked', '=', 0).executeTakeFirst();
      return Number(r.numUpdatedRows);
    },
    deleteExpired: (before, opts) => deleteExpiredInBatches(db, 'sessions', 'id', before, opts?.batchSize),
  };
}
