import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clientIp, trustedProxies } from './client-ip.ts';

test('forwarding headers are ignored unless the peer is a trusted proxy', () => {
  const none = trustedProxies([]);
  assert.equal(clientIp('127.0.0.1', { 'x-forwarded-for': '203.0.113.9' }, none), '127.0.0.1');
  const lo = trustedProxies(['127.0.0.0/8', '::1']);
  assert.equal(clientIp('127.0.0.1', { 'x-forwarded-for': '203.0.113.9' }, lo), '203.0.113.9');
  assert.equal(clientIp('::ffff:127.0.0.1', { 'x-forwarded-for': '198.51.100.1, 203.0.113.9' }, lo), '203.0.113.9', 'rightmost untrusted hop wins');
  assert.equal(clientIp('10.0.0.1', { 'x-forwarded-for': '203.0.113.9' }, lo), '10.0.0.1');
});

test('Forwarded (RFC 7239) with quoted IPv6 and ports', () => {
  const lo = trustedProxies(['127.0.0.1']);
  assert.equal(clientIp('127.0.0.1', { forwarded: 'for="[2001:db8::1]:4711";proto=https' }, lo), '2001:db8::1');
  assert.equal(clientIp('127.0.0.1', { forwarded: 'for=192.0.2.60:8080' }, lo), '192.0.2.60');
  assert.equal(clientIp('127.0.0.1', { forwarded: 'for=_hidden' }, lo), '127.0.0.1', 'obfuscated identifiers are not addresses');
  assert.equal(clientIp('127.0.0.1', { 'x-forwarded-for': 'garbage' }, lo), '127.0.0.1');
});

test('bad CIDR configuration is refused', () => {
  assert.throws(() => trustedProxies(['nonsense']), /not an address/);
  assert.throws(() => trustedProxies(['10.0.0.0/99']), /bad prefix/);
});
