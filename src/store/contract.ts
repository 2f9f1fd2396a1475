/**
 * The store contract: every implementation runs this same suite (SQLite always; PostgreSQL when
 * `TESSERA_TEST_DATABASE_URL` is set, which CI does). Includes the races the contracts promise.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { newId, sha256 } from '../util/ids.ts';
import { StoreConflict, type EnrollmentTokenRecord, type RefreshToken, type Store, type User } from './types.ts';

export function runStoreContract(name: string, open: () => Promise<Store>): void {
  describe(`store contract: ${name}`, () => {
    let store: Store;
    const tenantId = newId();
    before(async () => {
      store = await open();
      await store.tenants.create({ id: tenantId, domain: `t${tenantId.slice(0, 8)}.example`, displayName: 'T', createdAt: Date.now() });
    });
    after(async () => { await store.close(); });

    const user = (upn: string): User => ({
      id: newId(), tenantId, userPrincipalName: upn, displayName: upn, givenName: null, surname: null, mail: null,
      accountEnabled: true, userType: 'Member', passwordHash: 'h', totpSecret: null, signInSessionsValidFrom: 0,
      createdAt: Date.now(), updatedAt: Date.now(), extra: { jobTitle: 'x' },
    });

    test('tenants resolve by id and by domain, case-insensitively', async () => {
      const t = await store.tenants.get(tenantId);
      assert.ok(t);
      assert.equal((await store.tenants.get(t.domain.toUpperCase()))?.id, tenantId);
      assert.equal(await store.tenants.get('nope.example'), undefined);
    });

    test('users: create, find by UPN case-insensitively, conflict on duplicate UPN, update, delete', async () => {
      const u = user('Alice@Example.com');
      await store.users.create(u);
      assert.equal((await store.users.getByUpn(tenantId, 'alice@example.COM'))?.id, u.id);
      await assert.rejects(store.users.create(user('alice@example.com')), StoreConflict);
      await store.users.update({ ...u, displayName: 'Alice A', accountEnabled: false });
      const got = await store.users.get(tenantId, u.id);
      assert.equal(got?.displayName, 'Alice A');
      assert.equal(got?.accountEnabled, false);
      assert.deepEqual(got?.extra, { jobTitle: 'x' });
      assert.equal(await store.users.delete(tenantId, u.id), true);
      assert.equal(await store.users.get(tenantId, u.id), undefined);
      assert.equal(await store.users.delete(tenantId, u.id), false);
    });

    test('groups: nested membership is transitive and cycles terminate', async () => {
      const u = user('bob@example.com');
      await store.users.create(u);
      const g = (n: string) => ({ id: newId(), tenantId, displayName: n, description: null, mailNickname: n, securityEnabled: true, mailEnabled: false, createdAt: Date.now() });
      const [a, bb, c] = [g('a'), g('b'), g('c')];
      for (const x of [a, bb, c]) await store.groups.create(x);
      assert.equal(await store.groups.addMember(tenantId, a.id, { id: u.id, type: 'user' }), true);
      assert.equal(await store.groups.addMember(tenantId, a.id, { id: u.id, type: 'user' }), false, 'duplicate add is a no-op');
      await store.groups.addMember(tenantId, bb.id, { id: a.id, type: 'group' });
      await store.groups.addMember(tenantId, c.id, { id: bb.id, type: 'group' });
      await store.groups.addMember(tenantId, a.id, { id: c.id, type: 'group' }); // cycle
      assert.deepEqual((await store.groups.transitiveGroupIds(tenantId, u.id)).sort(), [a.id, bb.id, c.id].sort());
      assert.equal(await store.groups.removeMember(tenantId, a.id, u.id), true);
      assert.deepEqual(await store.groups.transitiveGroupIds(tenantId, u.id), []);
    });

    test('roles: assign once, list, unassign', async () => {
      const pid = newId();
      assert.equal(await store.roles.assign(tenantId, 'role-1', pid, 'user'), true);
      assert.equal(await store.roles.assign(tenantId, 'role-1', pid, 'user'), false);
      assert.deepEqual(await store.roles.rolesOf(tenantId, pid), ['role-1']);
      assert.equal((await store.roles.members(tenantId, 'role-1')).length, 1);
      assert.equal(await store.roles.unassign(tenantId, 'role-1', pid), true);
      assert.deepEqual(await store.roles.rolesOf(tenantId, pid), []);
    });

    test('applications, credentials and service principals', async () => {
      const appId = newId();
      const app = { id: newId(), tenantId, appId, displayName: 'API', isPublic: false, signInAudience: 'AzureADMyOrg', redirectUris: ['http://localhost/cb'], identifierUris: [`api://${appId}`], appRoles: [], scopes: [], tokenProtectionRequired: false, createdAt: Date.now(), updatedAt: Date.now() };
      await store.applications.create(app);
      await assert.rejects(store.applications.create({ ...app, id: newId() }), StoreConflict);
      assert.equal((await store.applications.getByAppId(appId))?.id, app.id);
      assert.deepEqual((await store.applications.getByAppId(appId))?.extra, {}, 'extra defaults to {}');
      await store.applications.update({ ...app, extra: { web: { redirectUris: ['https://x/cb'] }, notes: 'n' } });
      assert.deepEqual((await store.applications.get(tenantId, app.id))?.extra, { web: { redirectUris: ['https://x/cb'] }, notes: 'n' });
      assert.equal((await store.applications.getByIdentifierUri(tenantId, `api://${appId}`))?.id, app.id);
      assert.equal(await store.applications.getByIdentifierUri(tenantId, `api://other`), undefined);
      await store.applications.addCredential({ keyId: newId(), tenantId, appId, kind: 'secret', displayName: 's', hint: 'abc', secretHash: sha256('x'), publicJwk: null, thumbprint: null, startAt: 0, endAt: Date.now() + 1000 });
      assert.equal((await store.applications.credentials(appId)).length, 1);
      const sp = { id: newId(), tenantId, appId, displayName: 'API', accountEnabled: true, createdAt: Date.now() };
      await store.servicePrincipals.create(sp);
      assert.equal((await store.servicePrincipals.getByAppId(tenantId, appId))?.id, sp.id);
      await store.servicePrincipals.assignAppRole({ id: newId(), tenantId, principalId: sp.id, principalType: 'ServicePrincipal', resourceId: sp.id, appRoleId: 'r', createdAt: Date.now() });
      assert.equal((await store.servicePrincipals.appRoleAssignmentsOf(tenantId, sp.id)).length, 1);
      assert.deepEqual((await store.servicePrincipals.appRoleAssignmentsTo(tenantId, sp.id)).map((a) => a.appRoleId), ['r']);
      assert.deepEqual(await store.servicePrincipals.appRoleAssignmentsTo(tenantId, newId()), []);
      assert.equal(await store.applications.delete(tenantId, app.id), true);
      assert.equal((await store.applications.credentials(appId)).length, 0);
    });

    test('devices with owners; deviceId unique', async () => {
      const owner = user('carol@example.com');
      await store.users.create(owner);
      const d = { id: newId(), tenantId, deviceId: newId(), displayName: 'PC', accountEnabled: true, operatingSystem: 'Windows', operatingSystemVersion: '10.0.22631', trustType: 'AzureAd', isCompliant: true, isManaged: true, profileType: 'RegisteredDevice', systemLabels: ['CloudPC'], enrollmentProfileName: null, registrationKind: 'joined', deviceKeyJwk: { kty: 'EC' }, transportKeyJwk: null, registeredAt: Date.now(), lastSignInAt: null, extra: {} };
      await store.devices.create(d, [owner.id]);
      await assert.rejects(store.devices.create({ ...d, id: newId() }, []), StoreConflict);
      const got = await store.devices.getByDeviceId(tenantId, d.deviceId);
      assert.deepEqual(got?.systemLabels, ['CloudPC']);
      assert.equal(got?.isCompliant, true);
      assert.deepEqual(await store.devices.owners(tenantId, d.id), [owner.id]);
      assert.equal((await store.devices.ofOwner(tenantId, owner.id))[0]?.id, d.id);
      await store.devices.touchSignIn(tenantId, d.id, 1_000_000, 60_000);
      await store.devices.touchSignIn(tenantId, d.id, 1_030_000, 60_000); // within the granularity: unchanged
      assert.equal((await store.devices.get(tenantId, d.id))?.lastSignInAt, 1_000_000);
      await store.devices.touchSignIn(tenantId, d.id, 1_100_000, 60_000);
      assert.equal((await store.devices.get(tenantId, d.id))?.lastSignInAt, 1_100_000);
      assert.equal(await store.devices.delete(tenantId, d.id), true);
      assert.equal(await store.devices.get(tenantId, d.id), undefined);
    });

    test('race: ten concurrent redemptions of one authorization code, exactly one wins', async () => {
      const codeHash = sha256(newId());
      await store.authCodes.save({ codeHash, tenantId, clientId: 'c', userId: 'u', redirectUri: 'r', scope: 'openid', resource: null, codeChallenge: null, nonce: null, sid: 's', authTime: 1, amr: ['pwd'], dpopJkt: null, expiresAt: Date.now() + 60000, extra: {} });
      const results = await Promise.all(Array.from({ length: 10 }, () => store.authCodes.consume(codeHash, Date.now())));
      assert.equal(results.filter((r) => typeof r === 'object').length, 1);
      assert.equal(results.filter((r) => r === 'used').length, 9);
      assert.equal(await store.authCodes.consume(sha256('unknown'), Date.now()), undefined);
    });

    const rt = (familyId: string, extra: Partial<RefreshToken> = {}): RefreshToken => ({
      tokenHash: sha256(newId()), familyId, tenantId, clientId: 'c', userId: 'u1', scope: 'openid offline_access', resource: null,
      sid: 's', authTime: 1, amr: ['pwd'], jkt: null, deviceId: null, issuedAt: Date.now(), expiresAt: Date.now() + 60000,
      status: 'active', usedAt: null, context: { ipAddress: '203.0.113.5' }, ...extra,
    });

    test('race: concurrent rotations of one refresh token, exactly one wins; reuse revokes the family', async () => {
      const family = newId();
      const first = rt(family);
      await store.refreshTokens.save(first);
      const nexts = Array.from({ length: 8 }, () => rt(family));
      const results = await Promise.all(nexts.map((n) => store.refreshTokens.rotate(first.tokenHash, n, Date.now())));
      assert.equal(results.filter((r) => r === 'rotated').length, 1, `results: ${results.join(',')}`);
      // Losers see the token as reused; once one of them has revoked the family, later ones find it revoked.
      assert.ok(results.filter((r) => r !== 'rotated').every((r) => r === 'reused' || r === 'invalid'));
      assert.ok(results.includes('reused'));
      const winner = nexts[results.indexOf('rotated')]!;
      // The reuse detected above revoked the whole family, including the winner's fresh token.
      assert.equal((await store.refreshTokens.find(winner.tokenHash))?.status, 'revoked');
      assert.equal(await store.refreshTokens.rotate(winner.tokenHash, rt(family), Date.now()), 'invalid');
      assert.deepEqual((await store.refreshTokens.find(first.tokenHash))?.context, { ipAddress: '203.0.113.5' });
    });

    test('refresh tokens: sequential rotation chain, and revocation by user and device', async () => {
      const family = newId();
      let cur = rt(family, { userId: 'u2', deviceId: 'dev-1' });
      await store.refreshTokens.save(cur);
      for (let i = 0; i < 3; i++) {
        const next = rt(family, { userId: 'u2', deviceId: 'dev-1' });
        assert.equal(await store.refreshTokens.rotate(cur.tokenHash, next, Date.now()), 'rotated');
        cur = next;
      }
      assert.equal(await store.refreshTokens.revokeForDevice(tenantId, 'dev-1'), 1);
      const other = rt(newId(), { userId: 'u2' });
      await store.refreshTokens.save(other);
      assert.equal(await store.refreshTokens.revokeForUser(tenantId, 'u2'), 1);
      assert.equal((await store.refreshTokens.find(other.tokenHash))?.status, 'revoked');
    });

    test('refresh tokens: expired rows of any status are deleted, live ones kept', async () => {
      const now = Date.now();
      const family = newId();
      const old = rt(family, { issuedAt: now - 7200_000, expiresAt: now - 3600_000 });
      await store.refreshTokens.save(old);
      const retired = rt(family, { issuedAt: now - 7200_000, expiresAt: now - 1 });
      await store.refreshTokens.save(retired);
      assert.equal(await store.refreshTokens.rotate(retired.tokenHash, rt(family), now - 2), 'rotated');
      const live = rt(newId());
      await store.refreshTokens.save(live);
      assert.ok(await store.refreshTokens.deleteExpired(now) >= 2);
      assert.equal(await store.refreshTokens.find(old.tokenHash), undefined);
      assert.equal(await store.refreshTokens.find(retired.tokenHash), undefined);
      assert.equal((await store.refreshTokens.find(live.tokenHash))?.status, 'active');
    });

    const enrollment = (extra: Partial<EnrollmentTokenRecord> = {}): EnrollmentTokenRecord => ({
      id: newId(), tenantId, issuedBy: 'admin-1', createdAt: Date.now(), expiresAt: Date.now() + 60_000, trustType: 'AzureAd', profileType: 'Shared',
      systemLabels: ['CloudPC'], enrollmentProfileName: 'Kiosks', maxUses: null, usageCount: 0, lastUsedAt: null, revokedAt: null, revokedBy: null, ...extra,
    });

    test('enrollment tokens: create, get, list newest first, use, revoke once; tenants kept apart', async () => {
      const a = enrollment({ createdAt: 1000 });
      const b = enrollment({ createdAt: 2000, maxUses: 5, profileType: null, systemLabels: [], enrollmentProfileName: null });
      await store.enrollmentTokens.create(a);
      await store.enrollmentTokens.create(b);
      await assert.rejects(store.enrollmentTokens.create({ ...a }), StoreConflict);
      assert.deepEqual(await store.enrollmentTokens.get(tenantId, a.id), a);
      assert.deepEqual(await store.enrollmentTokens.get(tenantId, b.id), b);
      assert.equal(await store.enrollmentTokens.get(newId(), a.id), undefined, 'another tenant does not see it');
      const ids = (await store.enrollmentTokens.list(tenantId)).map((r) => r.id);
      assert.ok(ids.indexOf(b.id) < ids.indexOf(a.id), 'newest first');
      assert.equal((await store.enrollmentTokens.list(tenantId, { limit: 1 })).length, 1);
      assert.deepEqual(await store.enrollmentTokens.list(newId()), []);

      const now = Date.now();
      assert.equal(await store.enrollmentTokens.use(tenantId, a.id, now), 'used');
      assert.equal(await store.enrollmentTokens.use(tenantId, a.id, now + 1), 'used');
      const used = await store.enrollmentTokens.get(tenantId, a.id);
      assert.deepEqual([used?.usageCount, used?.lastUsedAt], [2, now + 1]);
      assert.equal(await store.enrollmentTokens.use(newId(), a.id, now), 'unknown', 'another tenant cannot use it');
      assert.equal(await store.enrollmentTokens.use(tenantId, newId(), now), 'unknown');
      assert.equal(await store.enrollmentTokens.use(tenantId, a.id, a.expiresAt), 'expired');

      assert.equal(await store.enrollmentTokens.revoke(newId(), a.id, 'admin-2', now), false, 'another tenant cannot revoke it');
      assert.equal(await store.enrollmentTokens.revoke(tenantId, a.id, 'admin-2', now), true);
      assert.equal(await store.enrollmentTokens.revoke(tenantId, a.id, 'admin-3', now + 5), false, 'revoked once');
      assert.equal(await store.enrollmentTokens.revoke(tenantId, newId(), 'admin-2', now), false);
      const revoked = await store.enrollmentTokens.get(tenantId, a.id);
      assert.deepEqual([revoked?.revokedAt, revoked?.revokedBy, revoked?.usageCount], [now, 'admin-2', 2]);
      assert.equal(await store.enrollmentTokens.use(tenantId, a.id, now), 'revoked');
      assert.equal((await store.enrollmentTokens.get(tenantId, a.id))?.usageCount, 2, 'a refused use is not counted');
    });

    test('race: twelve concurrent uses of an enrollment token allowed three, exactly three win', async () => {
      const t = enrollment({ maxUses: 3 });
      await store.enrollmentTokens.create(t);
      const now = Date.now();
      const results = await Promise.all(Array.from({ length: 12 }, () => store.enrollmentTokens.use(tenantId, t.id, now)));
      assert.equal(results.filter((r) => r === 'used').length, 3, results.join(','));
      assert.ok(results.filter((r) => r !== 'used').every((r) => r === 'exhausted'));
      assert.equal((await store.enrollmentTokens.get(tenantId, t.id))?.usageCount, 3);
      // A revocation racing with uses: once it has returned, no use succeeds.
      const u = enrollment();
      await store.enrollmentTokens.create(u);
      const mixed = await Promise.all([...Array.from({ length: 4 }, () => store.enrollmentTokens.use(tenantId, u.id, now)), store.enrollmentTokens.revoke(tenantId, u.id, 'admin', now)]);
      assert.equal(mixed.at(-1), true);
      assert.equal(await store.enrollmentTokens.use(tenantId, u.id, now), 'revoked');
      assert.equal((await store.enrollmentTokens.get(tenantId, u.id))?.usageCount, mixed.filter((r) => r === 'used').length);
    });

    test('device codes: decide once, poll, consume exactly once', async () => {
      const hash = sha256(newId());
      const userCode = `U${Math.random().toString(36).slice(2, 10).toUpperCase()}`;
      await store.deviceCodes.create({ deviceCodeHash: hash, userCode, tenantId, clientId: 'c', scope: 'openid', resource: null, status: 'pending', userId: null, sid: null, authTime: null, amr: null, expiresAt: Date.now() + 60000, intervalS: 5, lastPolledAt: null, createdAt: Date.now() });
      assert.equal(await store.deviceCodes.touch(hash, 1000), null);
      assert.equal(await store.deviceCodes.touch(hash, 2000), 1000);
      assert.equal(await store.deviceCodes.consume(hash), false, 'pending codes cannot be consumed');
      assert.equal(await store.deviceCodes.decide(userCode, { status: 'approved', userId: 'u', sid: 's', authTime: 1, amr: ['pwd'] }), true);
      assert.equal(await store.deviceCodes.decide(userCode, { status: 'denied', userId: 'u', sid: 's', authTime: 1, amr: ['pwd'] }), false);
      const r = await Promise.all([store.deviceCodes.consume(hash), store.deviceCodes.consume(hash), store.deviceCodes.consume(hash)]);
      assert.equal(r.filter(Boolean).length, 1);
      assert.deepEqual((await store.deviceCodes.get(hash))?.amr, ['pwd']);
    });

    // deleteExpired: the cutoff is far in the past (2000 ms after the epoch), so the rows other tests
    // leave behind (all expiring around now) never count. batchSize 2 with five expired rows makes
    // three DELETE statements: a count of five proves the loop ran past the first batch.
    const CUTOFF = 2000;
    const purge = { batchSize: 2 };

    test('purge: authorization codes expired before the cutoff are deleted in batches, consumed or not; others still redeem', async () => {
      const code = (expiresAt: number) => ({ codeHash: sha256(newId()), tenantId, clientId: 'c', userId: 'u', redirectUri: 'r', scope: 'openid', resource: null, codeChallenge: null, nonce: null, sid: 's', authTime: 1, amr: ['pwd'], dpopJkt: null, expiresAt, extra: {} });
      const old = [1000, 1001, 1002, 1003, 1999].map(code);
      for (const c of old) await store.authCodes.save(c);
      assert.equal(typeof await store.authCodes.consume(old[0]!.codeHash, Date.now()), 'object', 'a consumed code is purged too');
      const atCutoff = code(CUTOFF);
      const live = code(Date.now() + 60_000);
      await store.authCodes.save(atCutoff);
      await store.authCodes.save(live);
      assert.equal(await store.authCodes.deleteExpired(CUTOFF, purge), 5);
      for (const c of old) assert.equal(await store.authCodes.consume(c.codeHash, Date.now()), undefined);
      // Expired but kept: the grant still sees the row and answers "code has expired".
      assert.equal((await store.authCodes.consume(atCutoff.codeHash, Date.now()) as { expiresAt: number }).expiresAt, CUTOFF);
      assert.equal((await store.authCodes.consume(live.codeHash, Date.now()) as { codeHash: string }).codeHash, live.codeHash);
      assert.equal(await store.authCodes.deleteExpired(CUTOFF), 0);
    });

    test('purge: refresh tokens and device session tokens of any status expired before the cutoff are deleted in batches; live ones rotate', async () => {
      const family = newId();
      const old = [
        rt(family, { issuedAt: 500, expiresAt: 1000 }), rt(family, { issuedAt: 500, expiresAt: 1001, status: 'rotated', usedAt: 900 }),
        rt(family, { issuedAt: 500, expiresAt: 1002, status: 'revoked' }), rt(newId(), { issuedAt: 500, expiresAt: 1003, deviceId: 'dev-purge' }),
        rt(newId(), { issuedAt: 500, expiresAt: 1999, deviceId: 'dev-purge', status: 'rotated', usedAt: 900 }),
      ];
      for (const t of old) await store.refreshTokens.save(t);
      const atCutoff = rt(newId(), { issuedAt: 500, expiresAt: CUTOFF, status: 'rotated', usedAt: 900 });
      const live = rt(newId(), { deviceId: 'dev-purge' });
      await store.refreshTokens.save(atCutoff);
      await store.refreshTokens.save(live);
      assert.equal(await store.refreshTokens.deleteExpired(CUTOFF, purge), 5);
      for (const t of old) assert.equal(await store.refreshTokens.find(t.tokenHash), undefined);
      // Expired but kept: a rotated token presented again is still recognised as reuse.
      assert.equal((await store.refreshTokens.find(atCutoff.tokenHash))?.status, 'rotated');
      assert.equal(await store.refreshTokens.rotate(live.tokenHash, rt(live.familyId, { deviceId: 'dev-purge' }), Date.now()), 'rotated');
      assert.equal(await store.refreshTokens.deleteExpired(CUTOFF), 0);
    });

    test('purge: device codes of any status expired before the cutoff are deleted in batches; a live one is still decided and consumed', async () => {
      const deviceCode = (expiresAt: number) => ({ deviceCodeHash: sha256(newId()), userCode: `P${newId().replace(/-/g, '').slice(0, 12).toUpperCase()}`, tenantId, clientId: 'c', scope: 'openid', resource: null, status: 'pending' as const, userId: null, sid: null, authTime: null, amr: null, expiresAt, intervalS: 5, lastPolledAt: null, createdAt: 500 });
      const old = [1000, 1001, 1002, 1003, 1999].map(deviceCode);
      for (const c of old) await store.deviceCodes.create(c);
      await store.deviceCodes.decide(old[1]!.userCode, { status: 'denied', userId: 'u', sid: 's', authTime: 1, amr: ['pwd'] });
      await store.deviceCodes.decide(old[2]!.userCode, { status: 'approved', userId: 'u', sid: 's', authTime: 1, amr: ['pwd'] });
      assert.equal(await store.deviceCodes.consume(old[2]!.deviceCodeHash), true);
      const atCutoff = deviceCode(CUTOFF);
      const live = deviceCode(Date.now() + 60_000);
      await store.deviceCodes.create(atCutoff);
      await store.deviceCodes.create(live);
      assert.equal(await store.deviceCodes.deleteExpired(CUTOFF, purge), 5);
      for (const c of old) {
        assert.equal(await store.deviceCodes.get(c.deviceCodeHash), undefined);
        assert.equal(await store.deviceCodes.getByUserCode(c.userCode), undefined);
      }
      // Expired but kept: the grant still answers expired_token rather than "invalid".
      assert.equal((await store.deviceCodes.get(atCutoff.deviceCodeHash))?.expiresAt, CUTOFF);
      assert.equal(await store.deviceCodes.decide(live.userCode, { status: 'approved', userId: 'u', sid: 's', authTime: 1, amr: ['pwd'] }), true);
      assert.equal(await store.deviceCodes.consume(live.deviceCodeHash), true);
      assert.equal(await store.deviceCodes.deleteExpired(CUTOFF), 0);
    });

    test('purge: sessions expired before the cutoff are deleted in batches, revoked or not; a live one still reads and revokes', async () => {
      const session = (expiresAt: number) => ({ id: newId(), tenantId, userId: 'u-purge', authTime: 500, amr: ['pwd'], createdAt: 500, expiresAt, revoked: false });
      const old = [1000, 1001, 1002, 1003, 1999].map(session);
      for (const x of old) await store.sessions.create(x);
      await store.sessions.revoke(old[0]!.id);
      const atCutoff = session(CUTOFF);
      const live = session(Date.now() + 60_000);
      await store.sessions.create(atCutoff);
      await store.sessions.create(live);
      assert.equal(await store.sessions.deleteExpired(CUTOFF, purge), 5);
      for (const x of old) assert.equal(await store.sessions.get(x.id), undefined);
      assert.equal((await store.sessions.get(atCutoff.id))?.expiresAt, CUTOFF);
      assert.deepEqual(await store.sessions.get(live.id), live);
      assert.equal(await store.sessions.revokeForUser(tenantId, 'u-purge'), 2, 'the kept expired session and the live one');
      assert.equal((await store.sessions.get(live.id))?.revoked, true);
      assert.equal(await store.sessions.deleteExpired(CUTOFF), 0);
    });

    test('purge: enrollment token records expired before the cutoff are deleted in batches; a kept expired one still says expired, a live one is used', async () => {
      const old = [1000, 1001, 1002, 1003, 1999].map((expiresAt) => enrollment({ createdAt: 500, expiresAt }));
      for (const r of old) await store.enrollmentTokens.create(r);
      await store.enrollmentTokens.revoke(tenantId, old[0]!.id, 'admin', 600);
      const atCutoff = enrollment({ createdAt: 500, expiresAt: CUTOFF });
      const live = enrollment({ maxUses: 1 });
      await store.enrollmentTokens.create(atCutoff);
      await store.enrollmentTokens.create(live);
      assert.equal(await store.enrollmentTokens.deleteExpired(CUTOFF, purge), 5);
      for (const r of old) assert.equal(await store.enrollmentTokens.get(tenantId, r.id), undefined);
      assert.equal(await store.enrollmentTokens.use(tenantId, old[1]!.id, Date.now()), 'unknown');
      assert.equal(await store.enrollmentTokens.use(tenantId, atCutoff.id, Date.now()), 'expired');
      assert.ok((await store.enrollmentTokens.list(tenantId)).some((r) => r.id === atCutoff.id), 'a kept expired record is still listed');
      assert.equal(await store.enrollmentTokens.use(tenantId, live.id, Date.now()), 'used');
      assert.equal(await store.enrollmentTokens.use(tenantId, live.id, Date.now()), 'exhausted');
      assert.equal(await store.enrollmentTokens.deleteExpired(CUTOFF), 0);
    });

    test('sessions, signing keys and audit events', async () => {
      const sid = newId();
      await store.sessions.create({ id: sid, tenantId, userId: 'u3', authTime: 5, amr: ['pwd', 'otp'], createdAt: 5, expiresAt: Date.now() + 1000, revoked: false });
      assert.deepEqual((await store.sessions.get(sid))?.amr, ['pwd', 'otp']);
      assert.equal(await store.sessions.revokeForUser(tenantId, 'u3'), 1);
      assert.equal((await store.sessions.get(sid))?.revoked, true);

      const kid = newId();
      await store.signingKeys.add({ kid, alg: 'ES256', publicJwk: { kty: 'EC' }, privateSealed: 'sealed', createdAt: 1, activatedAt: 1, retiredAt: null });
      await store.signingKeys.retire(kid, 99);
      assert.equal((await store.signingKeys.list()).find((k) => k.kid === kid)?.retiredAt, 99);

      for (let i = 0; i < 3; i++) {
        await store.audit.append({ id: newId(), tenantId, activityAt: 1000 + i, category: 'UserManagement', activity: `Add user ${i}`, result: 'success', initiatedBy: { user: { id: 'admin' } }, targetResources: [{ id: 'x' }], additionalDetails: [], correlationId: newId() });
      }
      const list = await store.audit.list(tenantId, { limit: 2 });
      assert.deepEqual(list.map((e) => e.activity), ['Add user 2', 'Add user 1']);
      assert.equal((await store.audit.list(tenantId, { limit: 2, offset: 2 }))[0]?.activity, 'Add user 0');
    });
  });
}
