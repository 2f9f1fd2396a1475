import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphError } from '../../errors/graph.ts';
import { catalogues } from './catalogues.ts';
import { parseQueryOptions } from './query-options.ts';

const { user, signIn } = catalogues;

function rejects(query: string, code = 'BadRequest', catalogue = user): string {
  try {
    parseQueryOptions(query, catalogue);
  } catch (e) {
    assert.ok(e instanceof GraphError, String(e));
    assert.equal(e.code, code, `${query}: ${e.message}`);
    assert.equal(e.status, 400);
    return e.message;
  }
  return assert.fail(`expected '${query}' to be rejected`);
}

test('all supported options parse together; + decodes to space; $ optional', () => {
  const q = parseQueryOptions(
    "?$filter=accountEnabled+eq+true&$select=id,DisplayName,mail&$top=25&$orderby=displayName desc,createdDateTime&$skiptoken=abc&$count=true&api-version=1",
    user,
  );
  assert.equal(q.filter?.kind, 'compare');
  assert.equal(q.filterText, 'accountEnabled eq true');
  assert.deepEqual(q.select, ['id', 'displayName', 'mail']);
  assert.equal(q.top, 25);
  assert.deepEqual(q.orderby, [
    { path: 'displayName', type: 'string', direction: 'desc' },
    { path: 'createdDateTime', type: 'dateTime', direction: 'asc' },
  ]);
  assert.equal(q.skiptoken, 'abc');
  assert.equal(q.count, true);
  const noDollar = parseQueryOptions(new URLSearchParams({ filter: "userPrincipalName eq 'a@b'", top: '5' }), user);
  assert.equal(noDollar.top, 5);
  assert.equal(noDollar.filter?.kind, 'compare');
  assert.deepEqual(parseQueryOptions('', user), {});
  assert.deepEqual(parseQueryOptions('$select=*', user).select, []);
  const enc = parseQueryOptions(`$filter=${encodeURIComponent("signInEventTypes/any(t: t eq 'nonInteractiveUser')")}`, signIn);
  assert.equal(enc.filter?.kind, 'lambda');
});

test('$top is 1–999 as in Graph', () => {
  assert.equal(parseQueryOptions('$top=1', user).top, 1);
  assert.equal(parseQueryOptions('$top=999', user).top, 999);
  assert.equal(rejects('$top=1000'), "Invalid page size specified: '1000'. Must be between 1 and 999 inclusive.");
  assert.match(rejects('$top=0'), /between 1 and 999/);
  for (const bad of ['-1', '1.5', 'ten', '', '1e3', '99999999999999999999', '0x10']) assert.match(rejects(`$top=${bad}`), /\$top/);
});

test('repeated options are refused, whatever the spelling', () => {
  assert.match(rejects("$filter=mail eq 'a'&$filter=mail eq 'b'"), /'\$filter' was specified more than once/);
  assert.match(rejects('$top=1&top=2'), /'\$top' was specified more than once/);
  assert.match(rejects('$TOP=1&$top=2'), /more than once/);
});

test('unsupported options are refused, never ignored', () => {
  assert.match(rejects('$search="displayName:a"', 'Request_UnsupportedQuery'), /'\$search' is not supported/);
  rejects('$expand=manager', 'Request_UnsupportedQuery');
  rejects('$skip=10', 'Request_UnsupportedQuery');
  assert.match(rejects('$bogus=1'), /'\$bogus'/);
  assert.match(rejects('$count=yes'), /\$count/);
  assert.match(rejects('$skiptoken='), /skiptoken/);
  assert.deepEqual(parseQueryOptions('$search=x', user, { allowSearch: true }), {});
});

test('$select and $orderby validate against the catalogue', () => {
  assert.equal(rejects('$select=id,nosuch'), "Could not find a property named 'nosuch' on type 'microsoft.graph.user'.");
  assert.match(rejects('$select=id,,mail'), /empty property name/);
  assert.match(rejects('$select=signInActivity/lastSignInDateTime'), /Could not find/);
  assert.deepEqual(parseQueryOptions('$select=signInActivity,id,ID', user).select, ['signInActivity', 'id']);
  assert.match(rejects('$orderby=nosuch'), /'nosuch'/);
  assert.match(rejects('$orderby=displayName sideways'), /syntax error/);
  assert.match(rejects('$orderby=displayName,displayName desc'), /more than once/);
  rejects('$orderby=proxyAddresses', 'Request_UnsupportedQuery');
  rejects('$orderby=status', 'Request_UnsupportedQuery', signIn);
  rejects('$orderby=assignedLicenses/skuId', 'Request_UnsupportedQuery');
  assert.deepEqual(parseQueryOptions('$orderby=status/errorCode DESC', signIn).orderby, [
    { path: 'status/errorCode', type: 'int', direction: 'desc' },
  ]);
});
