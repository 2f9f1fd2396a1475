/**
 * One contract every SQL dialect must pass: the compiled filter and ORDER BY select exactly the rows,
 * in exactly the order, that the in-memory evaluator does, over the same sign-in fixture.
 * Used by sql.sqlite.test.ts, sql.postgres.test.ts and sql.duckdb.test.ts.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphError } from '../../errors/graph.ts';
import { catalogues } from './catalogues.ts';
import { matches, sortBy, type Row } from './evaluate.ts';
import { parseFilter } from './filter-parser.ts';
import { parseQueryOptions } from './query-options.ts';
import { compileFilter, compileOrderBy, type ColumnMap, type Dialect } from './sql.ts';

/** Graph-shaped sign-ins; every dialect stores the same data in its own column layout. */
export const signIns: Row[] = [
  {
    id: 's1', userPrincipalName: 'adelev@contoso.com', userDisplayName: 'Adele Vance', appDisplayName: 'Office 365',
    isInteractive: true, createdDateTime: '2024-01-01T10:00:00.000Z', status: { errorCode: 0 },
    deviceDetail: { operatingSystem: 'Windows 10', isCompliant: true }, location: { geoCoordinates: { latitude: 47.6 } },
    riskLevelDuringSignIn: 'none', signInEventTypes: ['interactiveUser'],
    appliedConditionalAccessPolicies: [{ id: 'p1', result: 'success' }, { id: 'p2', result: 'notApplied' }],
  },
  {
    id: 's2', userPrincipalName: 'AlexW@contoso.com', userDisplayName: 'Élodie 50%_off\\', appDisplayName: null,
    isInteractive: false, createdDateTime: '2024-03-01T00:00:00.000Z', status: { errorCode: 50126 },
    deviceDetail: { operatingSystem: 'Windows', isCompliant: false }, location: { geoCoordinates: { latitude: -33.9 } },
    riskLevelDuringSignIn: 'high', signInEventTypes: ['nonInteractiveUser'],
    appliedConditionalAccessPolicies: [{ id: 'p1', result: 'failure' }],
  },
  {
    id: 's3', userPrincipalName: "o'brien@contoso.com", userDisplayName: "élodie O'Brien", appDisplayName: 'Azure Portal',
    isInteractive: false, createdDateTime: '2023-12-31T23:59:59.999Z', status: { errorCode: 0 },
    deviceDetail: { operatingSystem: null, isCompliant: null }, location: { geoCoordinates: { latitude: null } },
    riskLevelDuringSignIn: null, signInEventTypes: ['nonInteractiveUser', 'servicePrincipal'],
    appliedConditionalAccessPolicies: [],
  },
  {
    id: 's4', userPrincipalName: 'zoe@contoso.com', userDisplayName: 'Zoë', appDisplayName: 'office 365',
    isInteractive: true, createdDateTime: '2024-01-01T10:00:00.000Z', status: { errorCode: 700082 },
    deviceDetail: { operatingSystem: 'macOS', isCompliant: true }, location: { geoCoordinates: { latitude: 0 } },
    riskLevelDuringSignIn: 'low', signInEventTypes: [],
    appliedConditionalAccessPolicies: [{ id: 'p2', result: 'notApplied' }],
  },
];

export const filters: readonly string[] = [
  "userPrincipalName eq 'ALEXW@CONTOSO.COM'",
  "userPrincipalName eq 'o''brien@contoso.com'",
  "userDisplayName eq 'ÉLODIE 50%_OFF\\'",
  "startswith(userDisplayName, 'élodie')",
  "contains(userDisplayName, '%_')",
  "contains(userDisplayName, '_')",
  "endswith(userDisplayName, '\\')",
  "startswith(userDisplayName, '')",
  "appDisplayName eq 'OFFICE 365'",
  'appDisplayName eq null',
  'appDisplayName ne null',
  "appDisplayName ne 'Office 365'",
  "not (appDisplayName eq 'Office 365')",
  "appDisplayName gt 'b'",
  "not (appDisplayName lt 'b')",
  "appDisplayName in ('azure portal', null)",
  "userDisplayName in ('zoë', 'ADELE VANCE')",
  'isInteractive eq true',
  'isInteractive ne true',
  'deviceDetail/isCompliant eq false',
  'deviceDetail/isCompliant ne true',
  'deviceDetail/isCompliant eq null',
  'status/errorCode eq 0',
  'status/errorCode ne 0',
  'status/errorCode gt 50126',
  'status/errorCode ge 50126 and status/errorCode le 700082',
  'status/errorCode lt 1.5',
  'location/geoCoordinates/latitude lt 0',
  'location/geoCoordinates/latitude ge -33.9',
  'not (location/geoCoordinates/latitude gt 0)',
  'createdDateTime ge 2024-01-01T00:00:00Z',
  'createdDateTime eq 2024-01-01T11:00:00+01:00',
  'createdDateTime lt 2024-01-01',
  'createdDateTime le 2023-12-31T23:59:59.999Z',
  "riskLevelDuringSignIn eq 'high' or riskLevelDuringSignIn eq 'low'",
  "riskLevelDuringSignIn ne 'none'",
  "deviceDetail/operatingSystem eq 'windows'",
  "startswith(deviceDetail/operatingSystem, 'Windows') and isInteractive eq true",
  "signInEventTypes/any(t: t eq 'nonInteractiveUser')",
  "signInEventTypes/any(t: t eq 'NONINTERACTIVEUSER') and not signInEventTypes/any(t: t eq 'servicePrincipal')",
  "signInEventTypes/all(t: t eq 'nonInteractiveUser')",
  "signInEventTypes/all(t: startswith(t, 'non'))",
  'signInEventTypes/any()',
  'not signInEventTypes/any()',
  "appliedConditionalAccessPolicies/any(p: p/result eq 'failure')",
  "appliedConditionalAccessPolicies/any(p: p/id eq 'p1' and p/result ne 'success')",
  "appliedConditionalAccessPolicies/all(p: p/result eq 'notApplied')",
  "appliedConditionalAccessPolicies/any(p: p/result in ('success', 'failure')) or status/errorCode eq 700082",
  "(status/errorCode eq 0 or isInteractive eq false) and not (userPrincipalName eq 'adelev@contoso.com')",
  "userPrincipalName eq 'x'' OR 1=1 --'",
];

export interface SqlHarness {
  readonly dialect: Dialect;
  readonly columns: ColumnMap;
  /** Ids of the rows matching `where`, ordered by `orderBy`. */
  select(where: string, params: unknown[], orderBy: string): Promise<string[]>;
  /** Tiebreak column for ORDER BY. */
  readonly idColumn: string;
}

/** Registers the contract tests; `open` is called once and its harness shared. */
export function runSqlContract(name: string, open: () => Promise<SqlHarness>, close: () => Promise<void>): void {
  let h: SqlHarness;
  const harness = async () => (h ??= await open());

  test(`${name}: compiled filters select what the evaluator selects`, async (t) => {
    const db = await harness();
    for (const text of filters) {
      const f = parseFilter(text, catalogues.signIn);
      const expected = signIns.filter((r) => matches(r, f)).map((r) => String(r['id'])).sort();
      const { sql, params } = compileFilter(f, db.columns, db.dialect);
      const got = (await db.select(sql, params, db.idColumn)).sort();
      assert.deepEqual(got, expected, `${text}\n  → ${sql}\n  ${JSON.stringify(params)}`);
    }
    t.diagnostic(`${filters.length} filters agree`);
  });

  test(`${name}: spot checks against hand-computed answers`, async () => {
    const db = await harness();
    const run = async (text: string) => {
      const { sql, params } = compileFilter(parseFilter(text, catalogues.signIn), db.columns, db.dialect);
      return (await db.select(sql, params, db.idColumn)).sort();
    };
    assert.deepEqual(await run("signInEventTypes/any(t: t eq 'nonInteractiveUser')"), ['s2', 's3']);
    assert.deepEqual(await run('status/errorCode eq 0'), ['s1', 's3']);
    assert.deepEqual(await run("appDisplayName ne 'Office 365'"), ['s2', 's3']);
    assert.deepEqual(await run("contains(userDisplayName, '%_')"), ['s2']);
    assert.deepEqual(await run("userPrincipalName eq 'x'' OR 1=1 --'"), []);
  });

  test(`${name}: values are bound, never spliced into the SQL`, async () => {
    const db = await harness();
    const { sql, params } = compileFilter(
      parseFilter("userPrincipalName eq 'x''); DROP TABLE s; --' or status/errorCode eq 42", catalogues.signIn), db.columns, db.dialect,
    );
    assert.ok(!sql.includes('DROP') && !sql.includes('42'), sql);
    assert.deepEqual(params.slice(0, 1), ["x'); DROP TABLE s; --"]);
    assert.match(sql, db.dialect === 'postgres' ? /\$1\b.*\$2\b/ : /\?.*\?/);
  });

  test(`${name}: ORDER BY matches sortBy, nulls and case included`, async () => {
    const db = await harness();
    for (const ob of [
      'userDisplayName', 'userDisplayName desc', 'appDisplayName', 'appDisplayName desc,createdDateTime',
      'createdDateTime desc', 'status/errorCode', 'location/geoCoordinates/latitude desc', 'isInteractive,riskLevelDuringSignIn desc',
      'deviceDetail/isCompliant',
    ]) {
      const orderby = parseQueryOptions(`$orderby=${ob}`, catalogues.signIn).orderby!;
      const sql = compileOrderBy(orderby, db.columns, db.dialect, db.idColumn);
      const got = await db.select('1 = 1', [], sql);
      assert.deepEqual(got, sortBy(signIns, orderby).map((r) => r['id']), `${ob} → ${sql}`);
    }
  });

  test(`${name}: properties the column map lacks are Request_UnsupportedQuery`, async () => {
    const db = await harness();
    for (const text of ["correlationId eq 'x'", "authenticationDetails/any(a: a/succeeded eq true)"]) {
      assert.throws(
        () => compileFilter(parseFilter(text, catalogues.signIn), db.columns, db.dialect),
        (e: unknown) => e instanceof GraphError && e.code === 'Request_UnsupportedQuery' && e.status === 400,
      );
    }
  });

  after(async () => {
    if (h) await close();
  });
}
