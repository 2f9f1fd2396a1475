import { test } from 'node:test';
import assert from 'node:assert/strict';
import { catalogues } from './catalogues.ts';
import { applySelect, compareCodePoints, matches, sortBy, type Row } from './evaluate.ts';
import { parseFilter } from './filter-parser.ts';
import { parseQueryOptions } from './query-options.ts';

const { user, signIn } = catalogues;

const users: Row[] = [
  { id: 'u1', displayName: 'Adele Vance', userPrincipalName: 'AdeleV@contoso.com', mail: 'adelev@contoso.com', accountEnabled: true, userType: 'Member', createdDateTime: '2024-01-01T10:00:00Z', proxyAddresses: ['SMTP:adelev@contoso.com', 'smtp:adele@contoso.net'], assignedLicenses: [{ skuId: '184efa21-98c3-4e5d-95ab-d07053a96e67', disabledPlans: [] }] },
  { id: 'u2', displayName: 'alex wilber', userPrincipalName: 'alexw@contoso.com', mail: null, accountEnabled: false, userType: 'Guest', createdDateTime: '2024-03-01T00:00:00.000+01:00', proxyAddresses: [], assignedLicenses: [] },
  { id: 'u3', displayName: "O'Brien", userPrincipalName: 'obrien@contoso.com', accountEnabled: true, userType: 'Member', createdDateTime: new Date('2023-06-01T00:00:00Z') },
];

function ids(filter: string, rows: Row[] = users, catalogue = user): string[] {
  const f = parseFilter(filter, catalogue);
  return rows.filter((r) => matches(r, f)).map((r) => String(r['id']));
}

test('string equality is case-insensitive, as Entra ID compares directory strings', () => {
  assert.deepEqual(ids("userPrincipalName eq 'ADELEV@CONTOSO.COM'"), ['u1']);
  assert.deepEqual(ids("displayName eq 'ALEX WILBER'"), ['u2']);
  assert.deepEqual(ids("userType in ('member')"), ['u1', 'u3']);
  assert.deepEqual(ids("startswith(displayName,'a')"), ['u1', 'u2']);
  assert.deepEqual(ids("endswith(userPrincipalName,'@CONTOSO.com')"), ['u1', 'u2', 'u3']);
  assert.deepEqual(ids("contains(displayName,'''b')"), ['u3']);
  assert.deepEqual(ids("displayName gt 'b'"), ['u3'], "'alex wilber' sorts before 'b' once case is folded");
});

test('null and missing properties: eq/ne two-valued, ordering comparisons false', () => {
  assert.deepEqual(ids('mail eq null'), ['u2', 'u3'], 'missing counts as null');
  assert.deepEqual(ids('mail ne null'), ['u1']);
  assert.deepEqual(ids("mail ne 'adelev@contoso.com'"), ['u2', 'u3'], 'null ne value is true');
  assert.deepEqual(ids("mail eq 'x'"), []);
  assert.deepEqual(ids("mail lt 'zzz'"), ['u1']);
  assert.deepEqual(ids("not (mail lt 'zzz')"), ['u2', 'u3']);
  assert.deepEqual(ids("startswith(mail,'')"), ['u1'], 'functions on null are false');
  assert.deepEqual(ids("mail in ('adelev@contoso.com', null)"), ['u1', 'u2', 'u3']);
});

test('booleans, datetimes as instants (string, Date, offsets)', () => {
  assert.deepEqual(ids('accountEnabled eq true'), ['u1', 'u3']);
  assert.deepEqual(ids('accountEnabled ne true'), ['u2']);
  assert.deepEqual(ids('createdDateTime ge 2024-01-01T00:00:00Z'), ['u1', 'u2']);
  assert.deepEqual(ids('createdDateTime eq 2024-02-29T23:00:00Z'), ['u2'], '+01:00 midnight is 23:00Z the day before');
  assert.deepEqual(ids('createdDateTime lt 2024-01-01'), ['u3']);
});

test('lambdas: any/all over primitive and complex collections; empty and missing collections', () => {
  assert.deepEqual(ids("proxyAddresses/any(p: startswith(p, 'smtp:'))"), ['u1']);
  assert.deepEqual(ids("proxyAddresses/all(p: startswith(p, 'smtp:'))"), ['u1', 'u2', 'u3'], 'all over empty is true');
  assert.deepEqual(ids("proxyAddresses/all(p: p eq 'SMTP:adelev@contoso.com')"), ['u2', 'u3']);
  assert.deepEqual(ids('proxyAddresses/any()'), ['u1']);
  assert.deepEqual(ids('assignedLicenses/any(x:x/skuId eq 184EFA21-98c3-4e5d-95ab-d07053a96e67)'), ['u1']);
  assert.deepEqual(ids('not assignedLicenses/any()'), ['u2', 'u3']);
  const signIns: Row[] = [
    { id: 's1', signInEventTypes: ['interactiveUser'], status: { errorCode: 0 }, deviceDetail: { operatingSystem: 'Windows 10' } },
    { id: 's2', signInEventTypes: ['nonInteractiveUser'], status: { errorCode: 50126 }, deviceDetail: { operatingSystem: 'Windows' } },
    { id: 's3', signInEventTypes: ['nonInteractiveUser', 'servicePrincipal'], status: null, deviceDetail: {} },
  ];
  assert.deepEqual(ids("signInEventTypes/any(t: t eq 'nonInteractiveUser')", signIns, signIn), ['s2', 's3']);
  assert.deepEqual(ids('status/errorCode eq 0', signIns, signIn), ['s1']);
  assert.deepEqual(ids('status/errorCode ne 0', signIns, signIn), ['s2', 's3'], 'a null parent reads as null');
  assert.deepEqual(ids("deviceDetail/operatingSystem eq 'windows'", signIns, signIn), ['s2']);
});

test('values of the wrong runtime type never match (no coercion beyond OData)', () => {
  const rows: Row[] = [{ id: 'a', accountEnabled: 'true', displayName: 42, createdDateTime: 'not a date' }];
  assert.deepEqual(ids('accountEnabled eq true', rows), []);
  assert.deepEqual(ids("displayName eq '42'", rows), []);
  assert.deepEqual(ids('createdDateTime gt 2000-01-01T00:00:00Z', rows), []);
  assert.deepEqual(ids('createdDateTime eq null', rows), ['a']);
});

test('sortBy: case-insensitive text, nulls first ascending and last descending, id tiebreak', () => {
  const rows: Row[] = [
    { id: 'c', displayName: 'bob' }, { id: 'a', displayName: null }, { id: 'b', displayName: 'Alice' },
    { id: 'd', displayName: 'alice' },
  ];
  const asc = parseQueryOptions('$orderby=displayName', user).orderby!;
  assert.deepEqual(sortBy(rows, asc).map((r) => r['id']), ['a', 'b', 'd', 'c']);
  const desc = parseQueryOptions('$orderby=displayName desc', user).orderby!;
  assert.deepEqual(sortBy(rows, desc).map((r) => r['id']), ['c', 'b', 'd', 'a']);
  const dates = parseQueryOptions('$orderby=createdDateTime desc,displayName', user).orderby!;
  const sorted = sortBy(users, dates).map((r) => r['id']);
  assert.deepEqual(sorted, ['u2', 'u1', 'u3']);
});

test('compareCodePoints orders astral characters after the BMP (UTF-8 byte order)', () => {
  assert.ok(compareCodePoints('\uFFFF', '𝒳') < 0);
  assert.ok('\uFFFF' > '𝒳', 'whereas UTF-16 code-unit order disagrees');
  assert.equal(compareCodePoints('ab', 'ab'), 0);
  assert.ok(compareCodePoints('a', 'ab') < 0);
});

test('applySelect keeps selected properties, null for absent ones', () => {
  assert.deepEqual(applySelect(users[2]!, ['displayName', 'mail']), { displayName: "O'Brien", mail: null });
  assert.equal(Object.keys(applySelect(users[0]!, undefined)).length, Object.keys(users[0]!).length);
});
