import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphError } from '../../errors/graph.ts';
import { catalogues } from './catalogues.ts';
import { collectionResponse, createSkipTokenCodec, nextLink, paginate, queryFingerprint, serviceRoot } from './paging.ts';
import { parseQueryOptions } from './query-options.ts';

const codec = createSkipTokenCodec('k'.repeat(32));
const rows = Array.from({ length: 23 }, (_, i) => ({
  id: `u${String(i).padStart(2, '0')}`,
  displayName: i % 3 === 0 ? null : `User ${String(25 - i).padStart(2, '0')}`,
  accountEnabled: i % 2 === 0,
}));

function isBadRequest(e: unknown): boolean {
  return e instanceof GraphError && e.status === 400 && e.code === 'BadRequest';
}

test('following skip tokens walks every matching row exactly once, in order', () => {
  const base = '$filter=accountEnabled eq true&$orderby=displayName desc&$top=5';
  const seen: string[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const q = parseQueryOptions(token ? `${base}&$skiptoken=${encodeURIComponent(token)}` : base, catalogues.user);
    const { page, nextSkipToken } = paginate(rows, q, codec, 100);
    seen.push(...page.map((r) => r.id));
    token = nextSkipToken;
    pages++;
  } while (token !== undefined);
  const expected = rows.filter((r) => r.accountEnabled).map((r) => r.id);
  assert.equal(pages, Math.ceil(expected.length / 5));
  assert.deepEqual([...seen].sort(), expected.sort());
  assert.equal(new Set(seen).size, seen.length);
});

test('an exact multiple of the page size ends without an empty trailing page', () => {
  const q = parseQueryOptions('$top=23', catalogues.user);
  assert.equal(paginate(rows, q, codec, 100).nextSkipToken, undefined);
  const q2 = parseQueryOptions('$top=22', catalogues.user);
  assert.ok(paginate(rows, q2, codec, 100).nextSkipToken);
});

test('tampered, foreign, garbage and cross-query tokens are 400s', () => {
  const q = parseQueryOptions("$filter=displayName eq 'a'", catalogues.user);
  const fp = queryFingerprint(q);
  const good = codec.encode(10, fp);
  assert.equal(codec.decode(good, fp), 10);
  const [payload, sig] = good.split('.') as [string, string];
  const forged = Buffer.from(JSON.stringify({ o: 1000, q: fp })).toString('base64url');
  const garbage = [
    '', 'x', '.', 'a.b', `${forged}.${sig}`, `${payload}.${sig.slice(1)}`, `${payload}x.${sig}`, good.toUpperCase(),
    createSkipTokenCodec('another key, another deployment!').encode(10, fp), `${good}.${sig}`, 'é', '%00', 'a'.repeat(10_000),
  ];
  for (const g of garbage) assert.throws(() => codec.decode(g, fp), isBadRequest, JSON.stringify(g).slice(0, 40));
  const other = queryFingerprint(parseQueryOptions("$filter=displayName eq 'b'", catalogues.user));
  assert.throws(() => codec.decode(good, other), isBadRequest, 'a token only works with the query it was issued for');
  const reordered = queryFingerprint(parseQueryOptions("$filter=displayName eq 'a'&$orderby=displayName", catalogues.user));
  assert.throws(() => codec.decode(good, reordered), isBadRequest);
  assert.throws(
    () => paginate(rows, parseQueryOptions('$skiptoken=nonsense', catalogues.user), codec, 10),
    isBadRequest,
  );
});

test('nextLink keeps the request as sent and replaces only $skiptoken', () => {
  const url = "https://idp.example/graph/v1.0/users?$filter=startswith(displayName,'a')&$top=5&$skiptoken=old&foo=1";
  assert.equal(
    nextLink(url, 'tok.en'),
    // WHATWG URL parsing percent-encodes the quote in special-scheme queries; otherwise the text is untouched.
    "https://idp.example/graph/v1.0/users?$filter=startswith(displayName,%27a%27)&$top=5&foo=1&$skiptoken=tok.en",
  );
  assert.equal(nextLink('https://h/v1.0/users', 'T'), 'https://h/v1.0/users?$skiptoken=T');
  assert.equal(nextLink('https://h/v1.0/users?%24SkipToken=x&%zz=1', 'T'), 'https://h/v1.0/users?%zz=1&$skiptoken=T');
});

test('collectionResponse builds the Graph envelope', () => {
  const body = collectionResponse({
    requestUrl: 'https://idp.example/graph/beta/auditLogs/signIns?$top=1',
    catalogue: catalogues.signIn,
    value: [{ id: 'a' }],
    nextSkipToken: 'T',
  });
  assert.deepEqual(body, {
    '@odata.context': 'https://idp.example/graph/beta/$metadata#auditLogs/signIns',
    value: [{ id: 'a' }],
    '@odata.nextLink': 'https://idp.example/graph/beta/auditLogs/signIns?$top=1&$skiptoken=T',
  });
  assert.deepEqual(Object.keys(body), ['@odata.context', 'value', '@odata.nextLink'], 'Graph puts the context first');
  const sel = collectionResponse({
    requestUrl: new URL('http://localhost:3000/v1.0/users?$select=id,displayName'),
    catalogue: catalogues.user, select: ['id', 'displayName'], value: [], count: 0,
  });
  assert.deepEqual(sel, { '@odata.context': 'http://localhost:3000/v1.0/$metadata#users(id,displayName)', '@odata.count': 0, value: [] });
  assert.equal(serviceRoot(new URL('http://h/users')), 'http://h/');
});
