import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { catalogues } from './catalogues.ts';
import { getPath } from './evaluate.ts';
import { parseFilter } from './filter-parser.ts';
import { runSqlContract, signIns } from './sql-contract.ts';
import { compileFilter, type ColumnMap } from './sql.ts';

/** Native layout: boolean / timestamptz / double columns, JSONB for nested values and collections. */
const nativeColumns: ColumnMap = {
  id: { sql: 's.id' },
  userPrincipalName: { sql: 's.upn' },
  userDisplayName: { sql: 's.display_name' },
  appDisplayName: { sql: 's.app_display_name' },
  isInteractive: { sql: 's.is_interactive' },
  createdDateTime: { sql: 's.created' },
  'status/errorCode': { sql: "(s.status->>'errorCode')::integer" },
  'deviceDetail/operatingSystem': { sql: "(s.device->>'operatingSystem')" },
  'deviceDetail/isCompliant': { sql: "(s.device->>'isCompliant')::boolean" },
  'location/geoCoordinates/latitude': { sql: 's.latitude' },
  riskLevelDuringSignIn: { sql: 's.risk_level' },
  signInEventTypes: { collection: { from: 'jsonb_array_elements_text(s.event_types) AS e(value)', element: 'e.value' } },
  appliedConditionalAccessPolicies: {
    collection: { from: 'jsonb_array_elements(s.policies) AS p(value)', fields: { id: "p.value->>'id'", result: "p.value->>'result'" } },
  },
};

/** The directory store's portable layout (src/store/schema.ts): booleans INTEGER 0/1, instants epoch ms, JSON as text. */
const storeColumns: ColumnMap = {
  ...nativeColumns,
  isInteractive: { sql: 's.is_interactive_01', encoding: 'int01' },
  createdDateTime: { sql: 's.created_ms', encoding: 'epochMs' },
  'deviceDetail/isCompliant': { sql: 's.is_compliant_01', encoding: 'int01' },
  signInEventTypes: { collection: { from: 'json_array_elements_text(s.event_types_text::json) AS e(value)', element: 'e.value' } },
  appliedConditionalAccessPolicies: {
    collection: {
      from: 'json_array_elements(s.policies_text::json) AS p(value)',
      fields: { id: "p.value->>'id'", result: { sql: "p.value->>'result'", type: 'enum' } },
    },
  },
};

const int01 = (v: unknown) => (v === null || v === undefined ? null : v ? 1 : 0);

// A private schema per run, dropped afterwards, so parallel runs and other suites never collide.
const schema = `odata_test_${randomBytes(6).toString('hex')}`;
const client = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' });
let opened: Promise<void> | undefined;

function setUp(): Promise<void> {
  opened ??= (async () => {
    await client.connect();
    await client.query(`CREATE SCHEMA ${schema}`);
    await client.query(`SET search_path TO ${schema}`);
    await client.query(`CREATE TABLE s (id text PRIMARY KEY, upn text, display_name text, app_display_name text, is_interactive boolean,
      created timestamptz, status jsonb, device jsonb, latitude double precision, risk_level text, event_types jsonb, policies jsonb,
      is_interactive_01 integer, created_ms bigint, is_compliant_01 integer, event_types_text text, policies_text text)`);
    for (const r of signIns) {
      await client.query('INSERT INTO s VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)', [
        r['id'], r['userPrincipalName'], r['userDisplayName'], r['appDisplayName'], r['isInteractive'], r['createdDateTime'],
        JSON.stringify(r['status']), JSON.stringify(r['deviceDetail']), getPath(r, 'location/geoCoordinates/latitude'),
        r['riskLevelDuringSignIn'], JSON.stringify(r['signInEventTypes']), JSON.stringify(r['appliedConditionalAccessPolicies']),
        int01(r['isInteractive']), Date.parse(String(r['createdDateTime'])), int01(getPath(r, 'deviceDetail/isCompliant')),
        JSON.stringify(r['signInEventTypes']), JSON.stringify(r['appliedConditionalAccessPolicies']),
      ]);
    }
  })();
  return opened;
}

async function select(where: string, params: unknown[], orderBy: string): Promise<string[]> {
  return (await client.query<{ id: string }>(`SELECT s.id FROM s WHERE ${where} ORDER BY ${orderBy}`, params)).rows.map((r) => r.id);
}

let closes = 0;
async function tearDown(): Promise<void> {
  // Both contract runs share the connection; the last one to finish drops the schema.
  if (++closes < 2) return;
  await client.query(`DROP SCHEMA ${schema} CASCADE`);
  await client.end();
}

runSqlContract('postgres (native types)', async () => {
  await setUp();
  return { dialect: 'postgres', columns: nativeColumns, idColumn: 's.id', select };
}, tearDown);

runSqlContract('postgres (store layout: 0/1, epoch ms, JSON text)', async () => {
  await setUp();
  return { dialect: 'postgres', columns: storeColumns, idColumn: 's.id', select };
}, tearDown);

test('postgres: $n placeholders, typed casts per encoding', () => {
  const text = "isInteractive eq true and status/errorCode gt 1.5 and createdDateTime lt 2024-01-01 and userPrincipalName in ('a','b')";
  const native = compileFilter(parseFilter(text, catalogues.signIn), nativeColumns, 'postgres');
  assert.match(native.sql, /CAST\(\$1 AS boolean\).*CAST\(\$2 AS numeric\).*CAST\(\$3 AS timestamptz\).*\$4.*\$5/);
  assert.deepEqual(native.params, [true, 1.5, '2024-01-01T00:00:00.000Z', 'a', 'b']);
  const store = compileFilter(parseFilter(text, catalogues.signIn), storeColumns, 'postgres');
  assert.match(store.sql, /CAST\(\$1 AS integer\).*CAST\(\$3 AS bigint\)/);
  assert.deepEqual(store.params, [1, 1.5, Date.parse('2024-01-01T00:00:00Z'), 'a', 'b']);
});

test('postgres: paramOffset numbers the filter after the caller\'s own parameters', async () => {
  await setUp();
  const { sql, params } = compileFilter(parseFilter("status/errorCode eq 0 and userPrincipalName ne 'x'", catalogues.signIn), nativeColumns, 'postgres', { paramOffset: 1 });
  assert.match(sql, /\$2\b.*\$3\b/);
  const rows = await client.query<{ id: string }>(`SELECT s.id FROM s WHERE s.id <> $1 AND ${sql} ORDER BY s.id`, ['s1', ...params]);
  assert.deepEqual(rows.rows.map((r) => r.id), ['s3']);
});

test('postgres: a column map that contradicts the catalogue is a programming error, not a 400', () => {
  const wrong: ColumnMap = { ...nativeColumns, userPrincipalName: { sql: 's.upn', type: 'int' } };
  assert.throws(() => compileFilter(parseFilter("userPrincipalName eq 'a'", catalogues.signIn), wrong, 'postgres'), /declared int/);
});
