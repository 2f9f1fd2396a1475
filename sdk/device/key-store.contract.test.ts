// The contract every KeyStore must pass (a TPM or Secure Enclave implementation included): run here
// against the software (disk) and memory stores.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHmac, randomBytes, verify } from 'node:crypto';
import { CompactEncrypt, importJWK } from 'jose';
import { KeyStoreError, type KeyStore } from './key-store.ts';
import { SoftwareKeyStore, publicKeyOf } from './software-key-store.ts';
import { MemoryKeyStore } from './memory-key-store.ts';

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    assert.ok(e instanceof KeyStoreError, String(e));
    return e.code;
  }
}

async function wrap(publicJwk: Record<string, string>, alg: 'ECDH-ES+A256KW' | 'RSA-OAEP-256', plaintext: object): Promise<string> {
  const pub = await importJWK({ ...publicJwk, alg }, alg);
  return new CompactEncrypt(Buffer.from(JSON.stringify(plaintext))).setProtectedHeader({ alg, enc: 'A256GCM', cty: 'jwk+json' }).encrypt(pub);
}

function runKeyStoreContract(name: string, make: () => Promise<KeyStore>): void {
  test(`${name}: ES256 keys sign verifiably and expose only public material`, async () => {
    const s = await make();
    const k = await s.generate('device', 'ES256');
    assert.equal(k.alg, 'ES256');
    assert.equal(k.publicJwk?.kty, 'EC');
    assert.equal(k.publicJwk?.d, undefined);
    assert.ok(k.jkt);
    const sig = await s.sign('device', Buffer.from('data'));
    assert.equal(sig.length, 64);
    assert.ok(verify('sha256', Buffer.from('data'), { key: publicKeyOf(k), dsaEncoding: 'ieee-p1363' }, sig));
    assert.deepEqual(await s.get('device'), k);
    assert.deepEqual((await s.list()).map((i) => i.name), ['device']);
  });

  test(`${name}: names are unique and validated; missing keys and wrong uses are typed errors`, async () => {
    const s = await make();
    await s.generate('a', 'ES256');
    assert.equal(await code(s.generate('a', 'ES256')), 'exists');
    for (const bad of ['', '../x', 'a/b', '.hidden', 'x'.repeat(65)]) assert.equal(await code(s.generate(bad, 'ES256')), 'bad_name', bad);
    assert.equal(await code(s.sign('missing', Buffer.from('x'))), 'not_found');
    assert.equal(await code(s.decrypt('a', 'x.y.z.w.v')), 'wrong_alg');
    const t = await s.generate('t', 'ECDH-ES+A256KW');
    assert.equal(await code(s.sign(t.name, Buffer.from('x'))), 'wrong_alg');
    assert.equal(await s.delete('a'), true);
    assert.equal(await s.delete('a'), false);
    assert.equal(await s.get('a'), undefined);
  });

  for (const alg of ['ECDH-ES+A256KW', 'RSA-OAEP-256'] as const) {
    test(`${name}: ${alg} transport keys decrypt and import wrapped session keys`, async () => {
      const s = await make();
      const t = await s.generate('transport', alg);
      const secret = randomBytes(32);
      const jwe = await wrap(t.publicJwk!, alg, { kty: 'oct', k: secret.toString('base64url'), kid: 'sk1', alg: 'HS256' });
      const sk = await s.importWrappedKey('transport', jwe, 'sk-1');
      assert.equal(sk.alg, 'HS256');
      assert.equal(sk.kid, 'sk1');
      assert.equal(sk.publicJwk, undefined);
      assert.deepEqual(Buffer.from(await s.sign('sk-1', Buffer.from('m'))), createHmac('sha256', secret).update('m').digest());
      assert.equal(await code(s.importWrappedKey('transport', jwe, 'sk-1')), 'exists');
      // The last two characters carry the tag's last byte; write a different one (a fixed 'AA' equals it 1 time in 256).
      assert.equal(await code(s.decrypt('transport', `${jwe.slice(0, -2)}${jwe.endsWith('AA') ? 'QA' : 'AA'}`)), 'decrypt_failed');
      const notKey = await wrap(t.publicJwk!, alg, { kty: 'oct', k: 'short', alg: 'HS256' });
      assert.equal(await code(s.importWrappedKey('transport', notKey, 'sk-2')), 'wrong_alg');
      assert.equal(await s.get('sk-2'), undefined);
    });
  }
}

runKeyStoreContract('software', () => SoftwareKeyStore.open({ dir: join(mkdtempSync(join(tmpdir(), 'tessera-ksc-')), 'keys') }));
runKeyStoreContract('memory', async () => new MemoryKeyStore());
