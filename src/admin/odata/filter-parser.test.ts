import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { GraphError } from '../../errors/graph.ts';
import { catalogues } from './catalogues.ts';
import { parseFilter } from './filter-parser.ts';
import type { FilterExpr } from './types.ts';

const { user, signIn, device, directoryAudit } = catalogues;

function rejects(text: string, catalogue = user, code = 'BadRequest'): GraphError {
  try {
    parseFilter(text, catalogue);
  } catch (e) {
    assert.ok(e instanceof GraphError, `expected GraphError, got ${String(e)}`);
    assert.equal(e.code, code, `${text}: ${e.message}`);
    assert.equal(e.status, 400);
    return e;
  }
  assert.fail(`expected '${text}' to be rejected`);
}

test('comparison operators bind property, type and converted literal', () => {
  assert.deepEqual(parseFilter("displayName eq 'Adele'", user), {
    kind: 'compare', op: 'eq', target: { kind: 'property', path: 'displayName', type: 'string' }, value: 'Adele',
  });
  for (const op of ['eq', 'ne', 'gt', 'ge', 'lt', 'le']) {
    const e = parseFilter(`createdDateTime ${op} 2024-01-01T02:00:00+02:00`, user);
    assert.equal(e.kind, 'compare');
    if (e.kind === 'compare') {
      assert.equal(e.op, op);
      assert.equal(e.value, '2024-01-01T00:00:00.000Z', 'offsets are normalised to UTC');
    }
  }
});

test('string literals unescape doubled quotes, and unicode passes through', () => {
  const e = parseFilter("displayName eq 'O''Brien ☃ 𝒳'", user);
  assert.ok(e.kind === 'compare' && e.value === "O'Brien ☃ 𝒳");
  const empty = parseFilter("displayName eq ''", user);
  assert.ok(empty.kind === 'compare' && empty.value === '');
});

test('and binds tighter than or; not and parentheses', () => {
  const e = parseFilter("accountEnabled eq true or givenName eq 'a' and surname eq 'b'", user);
  assert.equal(e.kind, 'or');
  assert.ok(e.kind === 'or' && e.right.kind === 'and');
  const p = parseFilter("(accountEnabled eq true or givenName eq 'a') and not(surname eq 'b')", user);
  assert.ok(p.kind === 'and' && p.left.kind === 'or' && p.right.kind === 'not');
  const n = parseFilter("NOT startswith(displayName,'x')", user);
  assert.ok(n.kind === 'not' && n.operand.kind === 'function');
});

test('in, functions, null, booleans, numbers, guids, enums', () => {
  const i = parseFilter("userType in ('Member', 'Guest')", user);
  assert.ok(i.kind === 'in' && i.values.length === 2);
  assert.ok(parseFilter("mail in ['a@x.y']", user).kind === 'in');
  for (const f of ['startswith', 'endswith', 'contains', 'startsWith']) {
    const e = parseFilter(`${f}(mail,'adele')`, user);
    assert.ok(e.kind === 'function' && e.name === f.toLowerCase());
  }
  const sw = parseFilter("startswith(mail,'a') eq false", user);
  assert.ok(sw.kind === 'not');
  const nul = parseFilter('mail eq null', user);
  assert.ok(nul.kind === 'compare' && nul.value === null);
  const b = parseFilter('accountEnabled eq false', user);
  assert.ok(b.kind === 'compare' && b.value === false);
  const n = parseFilter('status/errorCode ne -50126', signIn);
  assert.ok(n.kind === 'compare' && n.value === -50126 && n.target.path === 'status/errorCode');
  const d = parseFilter('location/geoCoordinates/latitude gt 1.5e1', signIn);
  assert.ok(d.kind === 'compare' && d.value === 15);
  const g = parseFilter("id eq 'ABC'", user);
  assert.ok(g.kind === 'compare' && g.value === 'ABC', 'id is Edm.String in Graph');
  const r = parseFilter("riskLevelDuringSignIn eq 'HIGH'", signIn);
  assert.ok(r.kind === 'compare' && r.value === 'high', 'enum members resolve to their declared spelling');
  const q = parseFilter("riskState eq microsoft.graph.riskState'atRisk'", signIn);
  assert.ok(q.kind === 'compare' && q.value === 'atRisk');
  const leap = parseFilter('createdDateTime ge 2024-02-29T23:59:59.9999999-05:30', user);
  assert.ok(leap.kind === 'compare' && leap.value === '2024-03-01T05:29:59.999Z', '7 fractional digits as Graph emits them');
  const dt = parseFilter('createdDateTime ge 2024-01-01', user);
  assert.ok(dt.kind === 'compare' && dt.value === '2024-01-01T00:00:00.000Z');
});

test('lambdas over primitive and complex collections', () => {
  const a = parseFilter("signInEventTypes/any(t: t eq 'nonInteractiveUser')", signIn);
  assert.deepEqual(a, {
    kind: 'lambda', op: 'any', collection: 'signInEventTypes',
    predicate: { kind: 'compare', op: 'eq', target: { kind: 'element', path: 'signInEventTypes', type: 'string' }, value: 'nonInteractiveUser' },
  });
  const l = parseFilter('assignedLicenses/any(x:x/skuId eq 184EFA21-98C3-4E5D-95AB-D07053A96E67)', user) as FilterExpr;
  assert.ok(l.kind === 'lambda' && l.predicate?.kind === 'compare');
  if (l.kind === 'lambda' && l.predicate?.kind === 'compare') {
    assert.equal(l.predicate.value, '184efa21-98c3-4e5d-95ab-d07053a96e67');
    assert.deepEqual(l.predicate.target, { kind: 'element', path: 'assignedLicenses/skuId', field: 'skuId', type: 'guid' });
  }
  const all = parseFilter("appliedConditionalAccessPolicies/all(p: p/result eq 'notApplied' or p/result eq 'notEnabled')", signIn);
  assert.ok(all.kind === 'lambda' && all.op === 'all' && all.predicate?.kind === 'or');
  const nonEmpty = parseFilter('proxyAddresses/any()', user);
  assert.ok(nonEmpty.kind === 'lambda' && nonEmpty.predicate === null);
  const fn = parseFilter("proxyAddresses/any(p: startswith(p, 'smtp:'))", user);
  assert.ok(fn.kind === 'lambda' && fn.predicate?.kind === 'function');
  assert.ok(parseFilter("targetResources/any(t: t/userPrincipalName eq 'a@b')", directoryAudit).kind === 'lambda');
});

test('filters from the Graph documentation parse', () => {
  const examples: [string, typeof user][] = [
    ["identities/any(c:c/issuerAssignedId eq 'j.smith@yahoo.com' and c/issuer eq 'contoso.onmicrosoft.com')", user],
    ['signInActivity/lastSignInDateTime le 2019-06-01T00:00:00Z', user],
    ["startswith(displayName,'a') or startswith(givenName,'a')", user],
    ["userType eq 'Guest' and accountEnabled eq false", user],
    ["NOT groupTypes/any(c:c eq 'Unified')", catalogues.group],
    ['mailEnabled eq false and securityEnabled eq true', catalogues.group],
    ["extensionAttributes/extensionAttribute1 eq 'BYOD-Device'", device],
    ["physicalIds/any(p:p eq '[ZTDId]:abc')", device],
    ['appRoleAssignmentRequired eq true', catalogues.servicePrincipal],
    ["servicePrincipalNames/any(n: n eq 'https://graph.microsoft.com')", catalogues.servicePrincipal],
    ["signInAudience eq 'AzureADMyOrg'", catalogues.application],
    ["roleTemplateId eq '62e90394-69f5-4237-9190-012177145e10'", catalogues.directoryRole],
    ["startswith(appDisplayName,'Graph')", signIn],
    ['createdDateTime ge 2024-07-01T00:00:00Z and createdDateTime le 2024-07-14T23:59:59Z', signIn],
    ["riskState eq 'atRisk' and riskLevelDuringSignIn eq 'high'", signIn],
    ["appliedConditionalAccessPolicies/any(x: x/result eq 'failure')", signIn],
    ["tokenProtectionStatusDetails/signInSessionStatus eq 'unbound'", signIn],
    ["loggedByService eq 'Core Directory' and activityDateTime ge 2018-01-24", directoryAudit],
    ["initiatedBy/user/userPrincipalName eq 'admin@contoso.com'", directoryAudit],
    ["targetResources/any(t: t/displayName eq 'MFA')", directoryAudit],
    ["result eq 'failure'", directoryAudit],
  ];
  for (const [text, catalogue] of examples) assert.ok(parseFilter(text, catalogue), text);
});

test('property names resolve case-insensitively to their canonical spelling', () => {
  const e = parseFilter("DisplayName eq 'x' and DEVICEDETAIL/operatingSystem eq 'Windows'", { ...signIn, properties: { ...signIn.properties, DisplayName: { type: 'string' } } });
  assert.ok(e.kind === 'and' && e.right.kind === 'compare' && e.right.target.path === 'deviceDetail/operatingSystem');
  const d = parseFilter("trusttype eq 'AzureAd'", device);
  assert.ok(d.kind === 'compare' && d.target.path === 'trustType');
});

test('syntax errors name the position and the filter, in Graph (ODL) style', () => {
  // ODL reports a misplaced token at the offset just past it: Graph answers
  // "Invalid filter clause: Syntax error at position 13 in 'iswhatever 12'."
  assert.equal(rejects('mail 12').message, "Invalid filter clause: Syntax error at position 7 in 'mail 12'.");
  assert.equal(rejects("displayName eqq 'x'").message, "Invalid filter clause: Syntax error at position 15 in 'displayName eqq 'x''.");
  const cases: [string, number][] = [
    ["(displayName eq 'x'", 19], // unbalanced (: the end is reached inside the group
    ["displayName eq 'x')", 19], // unbalanced )
    ["displayName eq 'x' and", 22],
    ['displayName eq', 14],
    ["displayName eq 'a' 'b'", 22],
    ["userType in ('a',)", 18],
    ["userType in ('a' 'b')", 20],
    ['()', 2],
    ['eq', 2],
    ['startswith(mail, 1)', 18],
    ["mail eq 'a' or or mail eq 'b'", 17],
    ['mail eq 1x', 9],
  ];
  for (const [text, pos] of cases) {
    assert.equal(rejects(text).message, `Invalid filter clause: Syntax error at position ${pos} in '${text}'.`, text);
  }
  assert.equal(rejects("displayName eq 'x").message, "Invalid filter clause: There is an unterminated string literal at position 15 in 'displayName eq 'x'.");
  const chars: [string, string, number][] = [
    ["displayName § 'x'", '§', 12],
    ["displayName\u00a0eq 'x'", 'U+00A0', 11], // no-break space is not whitespace in OData
    ['𝒳 eq 1', '𝒳', 0],
    ["mail eq 'a\u0000'", 'U+0000', 10], // PostgreSQL text cannot hold NUL
    ["mail eq 'a\uDC00'", 'U+DC00', 10], // a lone surrogate has no UTF-8 encoding
  ];
  for (const [text, ch, pos] of chars) {
    assert.equal(rejects(text).message, `Invalid filter clause: Syntax error: character '${ch}' is not valid at position ${pos} in '${text}'.`);
  }
});

test('unknown properties and type mismatches are 400s that name the problem', () => {
  assert.equal(rejects('nosuch eq 1').message, "Could not find a property named 'nosuch' on type 'microsoft.graph.user'.");
  assert.match(rejects("deviceDetail/nosuch eq 'x'", signIn).message, /'deviceDetail\/nosuch'/);
  assert.match(rejects("signInEventTypes/any(t: t/nosuch eq 'x')", signIn).message, /'nosuch'/);
  assert.match(rejects("accountEnabled eq 'true'").message, /incompatible types.*'Edm.Boolean' and 'Edm.String'.*'Equal'/);
  assert.match(rejects('displayName eq 1').message, /'Edm.String' and 'Edm.Int32'/);
  assert.match(rejects("createdDateTime gt '2024-01-01'").message, /Edm.DateTimeOffset/);
  for (const bad of ['2024-13-45T00:00:00Z', '2024-02-30T00:00:00Z', '2023-02-29', '2024-01-01T24:00:00Z', '2024-01-01T00:60Z', '2024-01-01T00:00:00+24:00', '9999-12-31T23:30:00-01:00']) {
    assert.match(rejects(`createdDateTime gt ${bad}`).message, /Invalid DateTimeOffset/, bad);
  }
  assert.match(rejects("riskState eq 'nope'", signIn).message, /not a valid enumeration value/);
  assert.match(rejects("assignedLicenses/any(x: x/skuId eq 'not-a-guid')").message, /Invalid GUID/);
  assert.match(rejects("proxyAddresses eq 'x'").message, /collection/);
  assert.match(rejects("assignedLicenses/skuId eq 184efa21-98c3-4e5d-95ab-d07053a96e67").message, /collection/);
  assert.match(rejects("displayName/any(x: x eq 'a')").message, /not a collection/);
  assert.match(rejects('mail gt null').message, /null/);
  assert.match(rejects("startswith(accountEnabled,'t')").message, /string property/);
  rejects("status eq 'x'", signIn, 'Request_UnsupportedQuery');
  rejects('accountEnabled gt false', user, 'Request_UnsupportedQuery');
  rejects("riskLevelDuringSignIn ge 'medium'", signIn, 'Request_UnsupportedQuery');
  rejects("proxyAddresses/any(p: p eq 'a' and mail eq 'b')", user, 'Request_UnsupportedQuery');
  rejects("tolower(mail) eq 'a'", user, 'Request_UnsupportedQuery');
  rejects("userType has 'Member'", user, 'Request_UnsupportedQuery');
});

test('limits: length, depth, clause count, in-list size', () => {
  assert.match(rejects(`displayName eq '${'a'.repeat(5000)}'`).message, /longer than 4096/);
  assert.match(rejects(`${'('.repeat(40)}mail eq 'a'${')'.repeat(40)}`).message, /nesting depth/);
  assert.match(rejects(`${'not '.repeat(40)}mail eq 'a'`).message, /nesting depth/);
  const many = Array.from({ length: 300 }, (_, i) => `mail eq '${i}'`).join(' or ');
  assert.match(parseFilterError(many, { maxFilterLength: 100_000, maxDepth: 32, maxNodes: 256, maxInValues: 256 }), /more than 256 clauses/);
  const bigIn = `mail in (${Array.from({ length: 300 }, (_, i) => `'${i}'`).join(',')})`;
  assert.match(parseFilterError(bigIn, { maxFilterLength: 100_000, maxDepth: 32, maxNodes: 256, maxInValues: 256 }), /at most 256 values/);
  assert.match(rejects('').message, /empty/);
  assert.match(rejects('   ').message, /empty/);
  // Within the limits a long flat chain parses (no recursion per clause).
  const ok = Array.from({ length: 200 }, (_, i) => `mail eq '${i}'`).join(' or ');
  assert.equal(parseFilter(ok, user, { maxFilterLength: 100_000, maxDepth: 32, maxNodes: 256, maxInValues: 256 }).kind, 'or');
});

function parseFilterError(text: string, limits: Parameters<typeof parseFilter>[2]): string {
  try {
    parseFilter(text, user, limits);
  } catch (e) {
    assert.ok(e instanceof GraphError && e.status === 400);
    return e.message;
  }
  return assert.fail('expected an error');
}

test('garbage never escapes as anything but a GraphError 400', () => {
  const garbage = [
    "'", "''", '(', ')', ')(', '/', ':', ',', 'a/', '/a', 'mail/any(', 'mail eq \u0000', "mail eq '\u0000'",
    'signInEventTypes/any(t t eq 1)', 'signInEventTypes/any(t: )', 'signInEventTypes/all()', '1 eq 1',
    "'a' eq mail", 'true', 'null', 'not', 'not not', 'and or', 'mail eq 1e999', 'mail eq --1', '-',
    '00000000-0000-0000-0000-00000000000g eq 1', 'createdDateTime eq 2024-01-01T', '\uFEFFmail eq 1', '\uD800', "mail eq 'a\uDC00'",
    "mail eq 'a''", 'mail in ()', 'mail in (null', 'any(x: x eq 1)', 'signInEventTypes/any(and: and eq 1)',
  ];
  for (const g of garbage) {
    try {
      parseFilter(g, g.startsWith('signIn') ? signIn : user);
    } catch (e) {
      assert.ok(e instanceof GraphError, `${JSON.stringify(g)} threw ${String(e)}`);
      assert.equal(e.status, 400, g);
      continue;
    }
    assert.fail(`${JSON.stringify(g)} was accepted`);
  }
});

test('fuzz: arbitrary text and mangled valid filters either parse or fail with a GraphError 400', () => {
  const valid = [
    "signInEventTypes/any(t: t eq 'nonInteractiveUser') and status/errorCode eq 0",
    "(deviceDetail/operatingSystem eq 'Windows' or not startswith(userPrincipalName,'a''b')) and createdDateTime ge 2024-01-01T00:00:00Z",
    "appliedConditionalAccessPolicies/all(p: p/result in ('success','failure'))",
  ];
  const mangled = fc.tuple(fc.constantFrom(...valid), fc.nat(), fc.nat({ max: 8 }), fc.string({ maxLength: 4, unit: 'binary' }))
    .map(([v, at, del, ins]) => { const i = at % (v.length + 1); return v.slice(0, i) + ins + v.slice(i + del); });
  fc.assert(
    fc.property(fc.oneof(fc.string({ maxLength: 60, unit: 'binary' }), mangled), (text) => {
      try {
        parseFilter(text, signIn);
      } catch (e) {
        assert.ok(e instanceof GraphError && e.status === 400, `${JSON.stringify(text)} threw ${String(e)}`);
      }
    }),
    { numRuns: 2000 },
  );
});
