import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { configurationReference } from './reference.ts';
import { ConfigError, loadConfig } from './load.ts';
import { defaults, envNames } from './defaults.ts';

test('docs/configuration.md matches the doc comments of defaults.ts', () => {
  const committed = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
  assert.equal(committed, configurationReference(), 'run: node --import tsx scripts/gen-config-doc.ts');
  for (const k of Object.keys(defaults)) assert.ok(committed.includes(envNames[k as keyof typeof envNames]), k);
});

test('environment and flags override defaults; bad values are refused with the variable named', () => {
  const c = loadConfig({ TESSERA_PORT: '9000', TESSERA_TRUSTED_PROXIES: '10.0.0.0/8, 127.0.0.1', TESSERA_DEV_TLS: 'yes' }, { port: '9100' });
  assert.equal(c.port, 9100);
  assert.deepEqual(c.trustedProxies, ['10.0.0.0/8', '127.0.0.1']);
  assert.equal(c.devTls, true);
  assert.throws(() => loadConfig({ TESSERA_PORT: 'eighty' }), (e: Error) => e instanceof ConfigError && /TESSERA_PORT/.test(e.message));
  assert.throws(() => loadConfig({ TESSERA_PORT: '70000' }), /port number/);
  assert.throws(() => loadConfig({ TESSERA_DEV_TLS: 'maybe' }), /true or false/);
  assert.throws(() => loadConfig({ TESSERA_TENANT_DOMAIN: 'not a domain' }), /domain name/);
  assert.throws(() => loadConfig({ TESSERA_TLS_CERT: '/x' }), /go together/);
});
