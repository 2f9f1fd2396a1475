/**
 * The agent's state file copied to another machine (a second `--state` directory without the key
 * store): the session token in it is worthless there.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './cli-run.ts';
import { API_SCOPE, PASSWORD, lastSignIn, startWorld, type World } from './harness.ts';

describe('attack: the agent state copied without its keys', () => {
  let w: World;
  let dir: string;
  before(async () => { w = await startWorld(); dir = mkdtempSync(join(tmpdir(), 'tessera-theft-')); });
  after(async () => { await w.close(); rmSync(dir, { recursive: true, force: true }); });

  test('the thief\'s copy cannot get a token; the victim\'s agent still can', async () => {
    const victim = join(dir, 'victim');
    const thief = join(dir, 'thief');
    assert.equal((await run(['device', 'register', '--authority', w.s.authority, '--user', w.upn, '--password', PASSWORD, '--os', 'Windows', '--os-version', '10.0.22631', '--state', victim])).code, 0);
    assert.equal((await run(['device', 'login', '--user', w.upn, '--password', PASSWORD, '--state', victim])).code, 0);
    mkdirSync(thief, { mode: 0o700 });
    copyFileSync(join(victim, 'state.json'), join(thief, 'state.json'));
    const r = await run(['device', 'token', '--scope', API_SCOPE, '--state', thief]);
    assert.equal(r.code, 1);
    assert.equal(r.err.length, 1);
    // The thief's empty key store has no session key to sign the proof with, nor a DPoP key the token could be bound to.
    assert.match(r.err[0]!, /key store|missing/);
    assert.equal((await run(['device', 'token', '--scope', API_SCOPE, '--state', victim])).code, 0);
    assert.equal((await lastSignIn(w.s)).status.signInSessionStatus, 'bound');
  });
});
