import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { catalogues } from './catalogues.ts';
import { getPath } from './evaluate.ts';
import { parseFilter } from './filter-parser.ts';
import { runSqlContract, signIns } from './sql-contract.ts';
import { compileFilter, type ColumnMap } from './sql.ts';

/** PostgreSQL layout: native boolean/timestamptz/double columns, JSONB for nested values and collections. */
const columns: ColumnMap = {
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

// A private schema per run, dropped afterwards, so parallel runs and other suites never collide.
const schema = `odata_test_${randomBytes(6).toString('hex')}`;
const client = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' });

runSqlContract(
  'postgres',
  async () => {
    await client.connect();
    await client.query(`CREATE SCHEMA ${schema}`);
    await client.query(`SET search_path TO ${schema}`);
    await client.query(`CREATE TABLE s (id text PRIMARY KEY, upn text, display_name text, app_display_name text, is_interactive boolean,
      created timestamptz, status jsonb, device jsonb, latitude double precision, risk_level text, event_types jsonb, policies jsonb)`);
    for (const r of signIns) {
      await client.query('INSERT INTO s VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)', [
        r['id'], r['userPrincipalName'], r['userDisplayName'], r['appDisplayName'], r['isInteractive'], r['createdDateTime'],
        JSON.stringify(r['status']), JSON.stringify(r['deviceDetail']), getPath(r, 'location/geoCoordinates/latitude'),
        r['riskLevelDuringSignIn'], JSON.stringify(r['signInEventTypes']), JSON.stringify(r['appliedConditionalAccessPolicies']),
      ]);
    }
    return {
      dialect: 'postgres',
      columns,
      idColumn: 's.id',
      select: async (where, params, orderBy) =>
        (await client.query<{ id: string }>(`SELECT s.id FROM s WHERE ${where} ORDER BY ${orderBy}`, params)).rows.map((r) => r.id),
    };
  },
  async () => {
    await client.query(`DROP SCHEMA ${schema} CASCADE`);
    await client.end();
  },
);

test('postgres: $n placeholders, typed casts', () => {
  const { sql, params } = compileFilter(
    parseFilter("isInteractive eq true and status/errorCode gt 1.5 and createdDateTime lt 2024-01-01 and userPrincipalName in ('a','b')", catalogues.signIn),
    columns, 'postgres',
  );
  assert.match(sql, /CAST\(\$1 AS BOOLEAN\).*CAST\(\$2 AS numeric\).*CAST\(\$3 AS TIMESTAMPTZ\).*\$4.*\$5/);
  assert.deepEqual(params, [true, 1.5, '2024-01-01T00:00:00.000Z', 'a', 'b']);
});
