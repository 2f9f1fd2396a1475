import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { catalogues } from './catalogues.ts';
import { getPath } from './evaluate.ts';
import { parseFilter } from './filter-parser.ts';
import { runSqlContract, signIns } from './sql-contract.ts';
import { compileFilter, type ColumnMap } from './sql.ts';

/**
 * Sign-in log layout as the logs store keeps it (src/logs/schema.ts): UTC datetimes as TIMESTAMP, dynamic
 * values as JSON; plus a STRUCT and LISTs. The column map turns Graph paths into JSON extraction or
 * struct access, and `any`/`all` into `unnest`.
 */
const columns: ColumnMap = {
  id: { sql: 's.id' },
  userPrincipalName: { sql: 's.upn' },
  userDisplayName: { sql: 's.display_name' },
  appDisplayName: { sql: 's.app_display_name' },
  isInteractive: { sql: 's.is_interactive' },
  createdDateTime: { sql: 's.created' },
  'status/errorCode': { sql: "CAST(json_extract(s.status, '$.errorCode') AS INTEGER)" },
  'deviceDetail/operatingSystem': { sql: "json_extract_string(s.device, '$.operatingSystem')" },
  'deviceDetail/isCompliant': { sql: "CAST(json_extract(s.device, '$.isCompliant') AS BOOLEAN)" },
  'location/geoCoordinates/latitude': { sql: 's.location.geoCoordinates.latitude' },
  riskLevelDuringSignIn: { sql: 's.risk_level' },
  signInEventTypes: { collection: { from: 'unnest(s.event_types) AS e(value)', element: 'e.value' } },
  appliedConditionalAccessPolicies: {
    collection: { from: 'unnest(s.policies) AS p(value)', fields: { id: 'p.value.id', result: 'p.value.result' } },
  },
};

let conn: DuckDBConnection;
runSqlContract(
  'duckdb',
  async () => {
    const instance = await DuckDBInstance.create(':memory:');
    conn = await instance.connect();
    await conn.run(`CREATE TABLE s (id VARCHAR, upn VARCHAR, display_name VARCHAR, app_display_name VARCHAR, is_interactive BOOLEAN,
      created TIMESTAMP, status JSON, device JSON,
      location STRUCT(geoCoordinates STRUCT(latitude DOUBLE)), risk_level VARCHAR, event_types VARCHAR[],
      policies STRUCT(id VARCHAR, result VARCHAR)[])`);
    for (const r of signIns) {
      await conn.run(
        `INSERT INTO s VALUES (?, ?, ?, CAST(? AS VARCHAR), CAST(? AS BOOLEAN), CAST(CAST(? AS TIMESTAMPTZ) AT TIME ZONE 'UTC' AS TIMESTAMP),
          ?, ?, {'geoCoordinates': {'latitude': CAST(? AS DOUBLE)}},
          CAST(? AS VARCHAR), from_json(?, '["VARCHAR"]'), from_json(?, '[{"id":"VARCHAR","result":"VARCHAR"}]'))`,
        [
          r['id'], r['userPrincipalName'], r['userDisplayName'], r['appDisplayName'], r['isInteractive'], r['createdDateTime'],
          JSON.stringify(r['status']), JSON.stringify(r['deviceDetail']),
          getPath(r, 'location/geoCoordinates/latitude'), r['riskLevelDuringSignIn'], JSON.stringify(r['signInEventTypes']),
          JSON.stringify(r['appliedConditionalAccessPolicies']),
        ] as never,
      );
    }
    return {
      dialect: 'duckdb',
      columns,
      idColumn: 's.id',
      select: async (where, params, orderBy) =>
        (await conn.runAndReadAll(`SELECT s.id FROM s WHERE ${where} ORDER BY ${orderBy}`, params as never)).getRowObjects().map((r) => String(r['id'])),
    };
  },
  async () => {
    conn.closeSync();
  },
);

test('duckdb: ? placeholders with typed casts', () => {
  const { sql, params } = compileFilter(
    parseFilter("createdDateTime ge 2024-01-01T00:00:00Z and userPrincipalName eq 'A'", catalogues.signIn), columns, 'duckdb',
  );
  assert.equal(sql, "((s.created IS NOT NULL AND s.created >= CAST(? AS TIMESTAMP)) AND (lower(s.upn) IS NOT NULL AND lower(s.upn) = lower(CAST(? AS VARCHAR))))");
  assert.deepEqual(params, ['2024-01-01 00:00:00.000', 'A'], 'naive UTC, as the logs store keeps datetimes');
});

test('duckdb: TIMESTAMPTZ columns compare as instants whatever the session time zone', async () => {
  const instance = await DuckDBInstance.create(':memory:');
  const c = await instance.connect();
  try {
    await c.run("SET TimeZone = 'America/New_York'");
    await c.run("CREATE TABLE t (id VARCHAR, created TIMESTAMPTZ); INSERT INTO t VALUES ('a', '2024-01-01T00:30:00Z'), ('b', '2023-12-31T23:30:00Z')");
    const cols: ColumnMap = { createdDateTime: { sql: 't.created', encoding: 'timestamptz' } };
    const { sql, params } = compileFilter(parseFilter('createdDateTime ge 2024-01-01T01:00:00+01:00', catalogues.signIn), cols, 'duckdb');
    const rows = (await c.runAndReadAll(`SELECT id FROM t WHERE ${sql} ORDER BY id`, params as never)).getRowObjects();
    assert.deepEqual(rows.map((r) => r['id']), ['a']);
  } finally {
    c.closeSync();
  }
});
