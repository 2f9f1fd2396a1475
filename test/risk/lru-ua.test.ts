import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Lru } from '../../src/risk/lru.ts';
import { family, userAgentFamily } from '../../src/risk/ua.ts';

test('LRU: evicts the least recently used; get refreshes recency, peek does not', () => {
  const l = new Lru<string, number>(2);
  l.set('a', 1);
  l.set('b', 2);
  l.get('a'); // a is now newest
  l.set('c', 3);
  assert.deepEqual([...l.entries()].map(([k]) => k), ['a', 'c'], 'b was evicted');
  l.peek('a');
  l.set('d', 4);
  assert.equal(l.peek('a'), undefined, 'peek did not save a');
  assert.equal(l.upsert('d', () => 9), 4);
  assert.equal(l.upsert('e', () => 5), 5);
  assert.equal(l.size, 2);
  assert.throws(() => new Lru(0), /positive integer/);
});

test('client families ignore versions', () => {
  assert.equal(family('Edge 124.0.2478'), 'edge');
  assert.equal(family('Chrome Mobile 124.0'), 'chrome mobile');
  assert.equal(family('Windows 11'), 'windows');
  assert.equal(family('macOS 14.4'), 'macos');
  assert.equal(family('python-requests/2.31.0'), 'python-requests');
  assert.equal(family(''), undefined);
  assert.equal(userAgentFamily('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36 Edg/124.0'), 'edge/windows');
  assert.equal(userAgentFamily('Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1'), 'safari/ios');
  assert.equal(userAgentFamily('curl/8.5.0'), 'curl/other');
});
