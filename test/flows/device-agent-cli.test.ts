/**
 * `tessera device …` run in-process against a real server and a real API: register, login, token,
 * fetch, status, unregister (server first; --local-only); state files owner-only; every failure one
 * line with a non-zero exit.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as OTPAuth from 'otpauth';
import { run } from '../attacks/cli-run.ts';
import { addUser } from '../helpers/fixtures.ts';
import { adminToken, graph } from '../helpers/server.ts';
import { API_SCOPE, PASSWORD, lastSignIn, startWorld, type World } from '../attacks/harness.ts';

describe('tessera device (CLI)', () => {
  let w: World;
  let dir: string;
  before(async () => {
    w = await startWorld();
    dir = mkdtempSync(join(tmpdir(), 'tessera-agent-'));
  });
  after(async () => {
    await w.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('register, login, token, fetch, status, unregister', async () => {
    const state = join(dir, 'laptop');
    let r = await run(['device', 'register', '--authority', w.s.authority, '--user', w.upn, '--password', PASSWORD, '--os', 'Windows', '--os-version', '10.0.22631', '--state', state]);
    assert.equal(r.code, 0, r.err.join());
    assert.match(r.out, /Registered device [0-9a-f-]{36} \(Workplace\)/);
    for (const f of ['state.json', ...readdirSync(join(state, 'keys')).map((k) => join('keys', k))]) {
      assert.equal(statSync(join(state, f)).mode & 0o077, 0, `${f} is owner-only`);
    }
    assert.equal(statSync(state).mode & 0o077, 0);
    r = await run(['device', 'login', '--user', w.upn, '--password', PASSWORD, '--state', state]);
    assert.equal(r.code, 0, r.err.join());
    r = await run(['device', 'token', '--scope', API_SCOPE, '--state', state]);
    assert.equal(r.code, 0, r.err.join());
    const t = JSON.parse(r.out) as Record<string, unknown>;
    assert.deepEqual(Object.keys(t).sort(), ['access_token', 'expires_in', 'token_type']);
    assert.equal(t.token_type, 'DPoP');
    assert.deepEqual((await lastSignIn(w.s)).status, { signInSessionStatus: 'bound', signInSessionStatusCode: null });
    r = await run(['device', 'fetch', w.api.url, '--state', state]);
    assert.equal(r.code, 0, r.err.join());
    assert.deepEqual(JSON.parse(r.out), { sub: w.userId, bound: true });
    r = await run(['device', 'status', '--state', state]);
    const st = JSON.parse(r.out) as { registered: boolean; deviceId: string; user: string; keys: { name: string; protection: string }[]; session: unknown };
    assert.equal(st.registered, true);
    assert.equal(st.user, w.upn);
    assert.ok(st.keys.some((k) => k.name === 'device' && k.protection === 'software'));
    assert.ok(!r.out.includes('session_token') && !/"sessionToken"/.test(r.out));
    const deviceId = st.deviceId as string;
    r = await run(['device', 'unregister', '--state', state]);
    assert.equal(r.code, 0, r.err.join());
    assert.match(r.out, new RegExp(`^Unregistered device ${deviceId}: removed from ${w.s.authority} \\(1 token revoked\\); keys and session deleted`));
    assert.equal(JSON.parse((await run(['device', 'status', '--state', state])).out).registered, false);
    assert.equal(await w.s.app.store.devices.getByDeviceId(w.s.tenantId, deviceId), undefined, 'the device object is gone');
  });

  test('unregister: server unreachable or refusing → one line, nothing deleted; --local-only deletes locally; a device the server forgot is fine', async () => {
    const register = async (name: string) => {
      const state = join(dir, name);
      const r = await run(['device', 'register', '--authority', w.s.authority, '--user', w.upn, '--password', PASSWORD, '--state', state]);
      assert.equal(r.code, 0, r.err.join());
      return { state, deviceId: JSON.parse((await run(['device', 'status', '--state', state])).out).deviceId as string };
    };
    const stateFile = (state: string) => join(state, 'state.json');

    // Unreachable: the state names a server that is not there.
    const a = await register('unreachable');
    const saved = JSON.parse(readFileSync(stateFile(a.state), 'utf8')) as Record<string, unknown>;
    writeFileSync(stateFile(a.state), JSON.stringify({ ...saved, authority: `http://127.0.0.1:9/${w.s.tenantId}` }));
    let r = await run(['device', 'unregister', '--state', a.state]);
    assert.equal(r.code, 1);
    assert.equal(r.err.length, 1);
    assert.match(r.err[0]!, /^tessera device unregister: cannot reach the server: .*; nothing deleted \(add --local-only to delete the local state anyway\)/);
    assert.ok(!r.err[0]!.includes('\n'));
    assert.ok(existsSync(stateFile(a.state)) && readdirSync(join(a.state, 'keys')).length > 0, 'nothing deleted');
    r = await run(['device', 'unregister', '--local-only', '--state', a.state]);
    assert.equal(r.code, 0, r.err.join());
    assert.match(r.out, /locally: keys and session deleted .*; the device object stays in .* until an administrator deletes it/);
    assert.equal(existsSync(stateFile(a.state)), false);
    assert.ok(await w.s.app.store.devices.getByDeviceId(w.s.tenantId, a.deviceId), 'the server was not asked');

    // Refused: an administrator disabled the device.
    const b = await register('disabled');
    const admin = await adminToken(w.s);
    assert.equal((await graph(w.s, admin, 'PATCH', `/v1.0/devices(deviceId='${b.deviceId}')`, { accountEnabled: false })).status, 204);
    r = await run(['device', 'unregister', '--state', b.state]);
    assert.equal(r.code, 1);
    assert.deepEqual(r.err.length, 1);
    assert.match(r.err[0]!, /invalid_request \(device_disabled\): AADSTS135011: .*; nothing deleted/);
    assert.ok(existsSync(stateFile(b.state)));

    // Already deleted by an administrator: unregistering finishes the job locally.
    assert.equal((await graph(w.s, admin, 'DELETE', `/v1.0/devices(deviceId='${b.deviceId}')`)).status, 204);
    r = await run(['device', 'unregister', '--state', b.state]);
    assert.equal(r.code, 0, r.err.join());
    assert.match(r.out, /no longer knows it; keys and session deleted/);

    // A damaged state file cannot tell the server anything: say so, unless --local-only.
    const c = await register('damaged');
    writeFileSync(stateFile(c.state), '{not json');
    r = await run(['device', 'unregister', '--state', c.state]);
    assert.equal(r.code, 1);
    assert.match(r.err[0]!, /is damaged, so the server cannot be asked to remove the device; add --local-only/);
    r = await run(['device', 'unregister', '--local-only', '--state', c.state]);
    assert.equal(r.code, 0, r.err.join());
    assert.equal(existsSync(stateFile(c.state)), false);

    r = await run(['device', 'unregister', '--help']);
    assert.match(r.out, /--local-only/);
    assert.match(r.out, /signed by the device key/);
  });

  test('TOTP users: login without --otp says a code is needed; with it, it works. Enrollment tokens register joined devices', async () => {
    const secret = new OTPAuth.Secret({ size: 20 }).base32;
    await addUser(w.s, 'mfa-cli@contoso.test', PASSWORD, { totpSecret: secret });
    const state = join(dir, 'joined');
    const issued = await fetch(`${w.s.authority}/devices/enrollment-tokens`, { method: 'POST', headers: { authorization: `Bearer ${await adminToken(w.s)}`, 'content-type': 'application/json' }, body: '{}' });
    const { enrollment_token } = await issued.json() as { enrollment_token: string };
    let r = await run(['device', 'register', '--authority', w.s.authority, '--enrollment-token', enrollment_token, '--join', '--state', state]);
    assert.equal(r.code, 0, r.err.join());
    assert.match(r.out, /\(AzureAd\)/);
    r = await run(['device', 'login', '--user', 'mfa-cli@contoso.test', '--password', PASSWORD, '--state', state]);
    assert.equal(r.code, 1);
    assert.deepEqual(r.err, ['tessera device login: a verification code is required: add --otp CODE']);
    const otp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30 }).generate();
    r = await run(['device', 'login', '--user', 'mfa-cli@contoso.test', '--password', PASSWORD, '--otp', otp, '--state', state]);
    assert.equal(r.code, 0, r.err.join());
  });

  test('garbage: missing or bad flags, unknown state, unreachable or foreign authority, bad URL — one line, non-zero', async () => {
    const empty = join(dir, 'empty');
    const cases: [string[], number, RegExp][] = [
      [['device', 'register', '--state', empty], 2, /--authority is required/],
      [['device', 'register', '--authority', 'not a url', '--user', 'a', '--password', 'b', '--state', empty], 2, /not a URL/],
      [['device', 'register', '--authority', `${w.s.url}/a/b`, '--user', 'a', '--password', 'b', '--state', empty], 2, /http:\/\/HOST:PORT\/TENANT/],
      [['device', 'register', '--authority', w.s.authority, '--user', 'a', '--state', empty], 2, /--password/],
      [['device', 'register', '--authority', w.s.authority, '--user', 'a', '--password', 'b', '--enrollment-token', 'c', '--state', empty], 2, /not both/],
      [['device', 'register', '--authority', 'http://127.0.0.1:9/t', '--user', 'a', '--password', 'b', '--state', empty], 1, /cannot reach/],
      [['device', 'register', '--authority', `${w.s.url}/nope`, '--user', 'a', '--password', 'b', '--state', empty], 1, /not a Tessera tenant/],
      [['device', 'register', '--authority', w.s.authority, '--user', w.upn, '--password', 'wrong', '--state', empty], 1, /invalid_grant: AADSTS50126/],
      [['device', 'register', '--authority', w.s.authority, '--enrollment-token', 'forged', '--state', empty], 1, /enrollment_token_invalid/],
      [['device', 'login', '--user', 'a', '--password', 'b', '--state', empty], 1, /no device registered/],
      [['device', 'token', '--state', empty], 2, /--scope is required/],
      [['device', 'token', '--scope', API_SCOPE, '--state', empty], 1, /no device registered/],
      [['device', 'fetch', '--state', empty], 2, /URL is required/],
      [['device', 'fetch', 'ftp://x', '--state', empty], 2, /not an http/],
      [['device', 'fetch', w.api.url, 'extra', '--state', empty], 2, /Unexpected argument/],
      [['device', 'status', '--bogus'], 2, /Unknown option '--bogus'/],
    ];
    for (const [args, code, re] of cases) {
      const r = await run(args);
      assert.equal(r.code, code, `${args.join(' ')} → ${r.err.join()}`);
      assert.equal(r.err.length, 1, args.join(' '));
      assert.match(r.err[0]!, re);
      assert.ok(!/\n|\bat .*:\d+/.test(r.err[0]!), `one line, no stack: ${r.err[0]}`);
    }
  });
});
