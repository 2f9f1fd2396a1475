import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync, renameSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verify } from 'node:crypto';
import { SoftwareKeyStore, publicKeyOf } from './software-key-store.ts';
import { KeyStoreError } from './key-store.ts';

const tmp = () => join(mkdtempSync(join(tmpdir(), 'tessera-ks-')), 'keys');

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    assert.ok(e instanceof KeyStoreError, String(e));
    return e.code;
  }
}

test('keys are generated, sign verifiably, and sit encrypted in owner-only files', async () => {
  const dir = tmp();
  const store = await SoftwareKeyStore.open({ dir });
  const dk = await store.generate('device', 'ES256');
  assert.equal(dk.protection, 'software');
  assert.equal(dk.publicJwk?.crv, 'P-256');
  const data = Buffer.from('hello');
  const sig = await store.sign('device', data);
  assert.equal(sig.length, 64);
  assert.ok(verify('sha256', data, { key: publicKeyOf(dk), dsaEncoding: 'ieee-p1363' }, sig));
  if (process.platform !== 'win32') {
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    for (const f of readdirSync(dir)) assert.equal(statSync(join(dir, f)).mode & 0o777, 0o600, f);
  }
  const file = readFileSync(join(dir, 'device.key'), 'utf8');
  assert.ok(!file.includes('"d"') && !file.includes('PRIVATE'), 'no private key in clear');
  // a second process opening the same directory reads the same key
  const again = await SoftwareKeyStore.open({ dir });
  assert.equal((await again.get('device'))?.jkt, dk.jkt);
  assert.equal(await code(store.generate('device', 'ES256')), 'exists');
  assert.equal(await code(store.sign('nope', data)), 'not_found');
  assert.equal(await code(store.generate('../evil', 'ES256')), 'bad_name');
  assert.equal(await code(store.generate('x', 'HS256' as never)), 'wrong_alg');
  assert.deepEqual((await store.list()).map((k) => k.name), ['device']);
  assert.equal(await store.delete('device'), true);
  assert.equal(await store.delete('device'), false);
  assert.equal(await store.get('device'), undefined);
});

test('passphrase mode: wrong passphrase is refused; a missing secret file locks the store', async () => {
  const dir = tmp();
  const s = await SoftwareKeyStore.open({ dir, passphrase: 'correct horse' });
  await s.generate('device', 'ES256');
  assert.equal(await code(SoftwareKeyStore.open({ dir, passphrase: 'wrong' })), 'locked');
  assert.equal(await code(SoftwareKeyStore.open({ dir })), 'locked');
  const dir2 = tmp();
  await SoftwareKeyStore.open({ dir: dir2 });
  const { rmSync } = await import('node:fs');
  rmSync(join(dir2, 'secret'));
  assert.equal(await code(SoftwareKeyStore.open({ dir: dir2 })), 'locked');
});

test('a key file copied to another store, renamed, or tampered with does not open', async () => {
  const a = tmp();
  const b = tmp();
  const sa = await SoftwareKeyStore.open({ dir: a });
  await sa.generate('device', 'ES256');
  const sb = await SoftwareKeyStore.open({ dir: b });
  writeFileSync(join(b, 'device.key'), readFileSync(join(a, 'device.key')));
  assert.equal(await code(sb.sign('device', Buffer.from('x'))), 'corrupt');
  const fresh = await SoftwareKeyStore.open({ dir: a });
  const f = JSON.parse(readFileSync(join(a, 'device.key'), 'utf8'));
  writeFileSync(join(a, 'other.key'), JSON.stringify({ ...f, name: 'other' }));
  assert.equal(await code(fresh.sign('other', Buffer.from('x'))), 'corrupt');
  renameSync(join(a, 'device.key'), join(a, 'moved.key'));
  assert.equal(await code(fresh.sign('moved', Buffer.from('x'))), 'corrupt');
  writeFileSync(join(a, 'junk.key'), '{not json');
  assert.equal(await code(fresh.get('junk')), 'corrupt');
});

test('two agents opening a fresh directory at once agree on one key store', async () => {
  const dir = tmp();
  const [a, b] = await Promise.all([SoftwareKeyStore.open({ dir }), SoftwareKeyStore.open({ dir })]);
  const k = await a.generate('device', 'ES256');
  const sig = await b.sign('device', Buffer.from('x'));
  assert.ok(verify('sha256', Buffer.from('x'), { key: publicKeyOf(k), dsaEncoding: 'ieee-p1363' }, sig));
  const [r1, r2] = await Promise.allSettled([a.generate('dpop', 'ES256'), b.generate('dpop', 'ES256')]);
  assert.equal([r1, r2].filter((r) => r.status === 'fulfilled').length, 1, 'exactly one creator wins a name');
  assert.ok(!readdirSync(dir).some((f) => f.endsWith('.tmp')), 'no temporary files left');
});
