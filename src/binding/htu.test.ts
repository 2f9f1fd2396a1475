import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { htuMatches, normalizeHtu, stripQueryAndFragment } from './htu.ts';

test('RFC 3986 §6.2.2–6.2.3 normalisation of htu', () => {
  assert.equal(normalizeHtu('HTTPS://Example.COM:443/a/./b/../c'), 'https://example.com/a/c');
  assert.equal(normalizeHtu('http://example.com:80'), 'http://example.com/');
  assert.equal(normalizeHtu('https://example.com:8443/x'), 'https://example.com:8443/x');
  assert.equal(normalizeHtu('https://example.com/%7efoo%2f'), 'https://example.com/%7Efoo%2F');
  for (const bad of ['', 'not a url', 'ftp://x/y', 'file:///etc/passwd', 'https://u:p@x/y', 'javascript:alert(1)', `https://x/${'a'.repeat(5000)}`]) {
    assert.equal(normalizeHtu(bad), undefined, bad.slice(0, 30));
  }
  assert.equal(stripQueryAndFragment('https://x/a#f?q'), 'https://x/a');
  assert.equal(stripQueryAndFragment('https://x/a?q#f'), 'https://x/a');
});

test('htu matching: same resource under normalisation; different host, port, scheme or path never', () => {
  assert.ok(htuMatches('https://api.example.com/orders', 'https://API.example.com:443/orders?x=1'));
  assert.ok(!htuMatches('https://api.example.com/orders', 'https://api.example.com/orders/'));
  assert.ok(!htuMatches('https://api.example.com/orders', 'https://api.example.com:8443/orders'));
  assert.ok(!htuMatches('https://api.example.com/orders', 'http://api.example.com/orders'));
  assert.ok(!htuMatches('https://api.example.com/orders', 'https://api.example.org/orders'));
  assert.ok(!htuMatches('not-a-url', 'not-a-url'), 'two equal invalid strings do not match');
  fc.assert(fc.property(fc.string(), fc.string(), (a, b) => typeof htuMatches(a, b) === 'boolean'));
  fc.assert(fc.property(fc.webUrl(), (u) => htuMatches(u, u) === (normalizeHtu(stripQueryAndFragment(u)) !== undefined)), { numRuns: 200 });
});
