import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { catalogues } from './catalogues.ts';
import { getPath } from './evaluate.ts';
import { parseFilter } from './filter-parser.ts';
import { runSqlContract, signIns } from './sql-contract.ts';
import { compileFilter, type ColumnMap } from './sql.ts';

/**
 * Sign-in log layout: nested values as STRUCTs or JSON text (status), collections as LISTs; the column
 * map turns Graph paths into struct access / JSON extraction, and `any`/`all` into `unnest`.
 */
const columns: ColumnMap = {
  id: { sql: 's.id' },
  userPrincipalName: { sql: 's.upn' },
  userDisplayName: { sql: 's.display_name' },
  appDisplayName: { sql: 's.app_display_name' },
  isInteractive: { sql: 's.is_interactive' },
  createdDateTime: { sql: 's.created' },
  'status/errorCode': { sql: "CAST(json_extract(s.status, '$.errorCode') AS INTEGER)" },
  'deviceDetail/operatingSystem': { sql: 's.device.operatingSystem' },
  'deviceDetail/isCompliant': { sql: 's.device.isCompliant' },
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
      created TIMESTAMPTZ, status VARCHAR, device STRUCT(operatingSystem VARCHAR, isCompliant BOOLEAN),
      location STRUCT(geoCoordinates STRUCT(latitude DOUBLE)), risk_level VARCHAR, event_types VARCHAR[],
      policies STRUCT(id VARCHAR, result VARCHAR)[])`);
    for (const r of signIns) {
      await conn.run(
        `INSERT INTO s VALUES (?, ?, ?, CAST(? AS VARCHAR), CAST(? AS BOOLEAN), CAST(? AS TIMESTAMPTZ), ?,
          {'operatingSystem': CAST(? AS VARCHAR), 'isCompliant': CAST(? AS BOOLEAN)}, {'geoCoordinates': {'latitude': CAST(? AS DOUBLE)}},
          CAST(? AS VARCHAR), from_json(?, '["VARCHAR"]'), from_json(?, '[{"id":"VARCHAR","result":"VARCHAR"}]'))`,
        [
          r['id'], r['userPrincipalName'], r['userDisplayName'], r['appDisplayName'], r['isInteractive'], r['createdDateTime'],
          JSON.stringify(r['status']), getPath(r, 'deviceDetail/operatingSystem'), getPath(r, 'deviceDetail/isCompliant'),
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
  assert.equal(sql, "((s.created IS NOT NULL AND s.created >= CAST(? AS TIMESTAMPTZ)) AND (lower(s.upn) IS NOT NULL AND lower(s.upn) = lower(CAST(? AS VARCHAR))))");
  assert.deepEqual(params, ['2024-01-01T00:00:00.000Z', 'A']);
});
