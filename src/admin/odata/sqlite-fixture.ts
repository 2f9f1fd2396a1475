/**
 * The SQLite side of the SQL tests: a sign-in table in a directory-style layout (scalar columns,
 * nested values flattened or JSON, collections as JSON text) and the column map that reads it.
 */
import Database from 'better-sqlite3';
import { getPath, type Row } from './evaluate.ts';
import { signIns } from './sql-contract.ts';
import { installSqliteFunctions, type ColumnMap } from './sql.ts';

/** Directory-style layout: scalar columns, nested values flattened, collections as JSON text. */
export const sqliteColumns: ColumnMap = {
  id: { sql: 's.id', type: 'string' },
  userPrincipalName: { sql: 's.upn', type: 'string' },
  userDisplayName: { sql: 's.display_name', type: 'string' },
  appDisplayName: { sql: 's.app_display_name', type: 'string' },
  isInteractive: { sql: 's.is_interactive', type: 'boolean' },
  createdDateTime: { sql: 's.created', type: 'dateTime' },
  'status/errorCode': { sql: "json_extract(s.status, '$.errorCode')", type: 'int' },
  'deviceDetail/operatingSystem': { sql: 's.os' },
  'deviceDetail/isCompliant': { sql: 's.is_compliant' },
  'location/geoCoordinates/latitude': { sql: 's.latitude' },
  riskLevelDuringSignIn: { sql: 's.risk_level' },
  signInEventTypes: { collection: { from: 'json_each(s.event_types) AS e', element: 'e.value' } },
  appliedConditionalAccessPolicies: {
    collection: {
      from: 'json_each(s.policies) AS p',
      fields: { id: "json_extract(p.value, '$.id')", result: "json_extract(p.value, '$.result')" },
    },
  },
};

/** The store's convention for instants (epoch milliseconds), same table. */
export const sqliteColumnsEpochMs: ColumnMap = {
  ...sqliteColumns,
  createdDateTime: { sql: 's.created_ms', type: 'dateTime', encoding: 'epochMs' },
};

const bool = (v: unknown) => (v === null || v === undefined ? null : v ? 1 : 0);

export function openSqliteSignIns(rows: readonly Row[] = signIns): Database.Database {
  const db = new Database(':memory:');
  installSqliteFunctions(db);
  db.exec(`CREATE TABLE s (id TEXT PRIMARY KEY, upn TEXT, display_name TEXT, app_display_name TEXT, is_interactive INTEGER,
    created TEXT, status TEXT, os TEXT, is_compliant INTEGER, latitude REAL, risk_level TEXT, event_types TEXT, policies TEXT, created_ms INTEGER)`);
  const ins = db.prepare('INSERT INTO s VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  for (const r of rows) {
    ins.run(
      r['id'], r['userPrincipalName'] ?? null, r['userDisplayName'] ?? null, r['appDisplayName'] ?? null, bool(r['isInteractive']),
      r['createdDateTime'] ?? null, JSON.stringify(r['status'] ?? null), getPath(r, 'deviceDetail/operatingSystem'),
      bool(getPath(r, 'deviceDetail/isCompliant')), getPath(r, 'location/geoCoordinates/latitude'), r['riskLevelDuringSignIn'] ?? null,
      JSON.stringify(r['signInEventTypes'] ?? []), JSON.stringify(r['appliedConditionalAccessPolicies'] ?? []),
      typeof r['createdDateTime'] === 'string' ? Date.parse(r['createdDateTime']) : null,
    );
  }
  return db;
}

