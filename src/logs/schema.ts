// DuckDB DDL for the Log Analytics identity tables, derived from the generated column list.
// Type mapping (Log Analytics → DuckDB): string/guid → VARCHAR, datetime → TIMESTAMP (UTC, no zone
// arithmetic), bool → BOOLEAN, int → INTEGER, long → BIGINT, real → DOUBLE, dynamic → JSON.
import { logTables } from './tables.generated.ts';
import type { LogColumn, LogColumnType, LogTableName } from './tables.generated.ts';

export const duckTypeOf: Record<LogColumnType, string> = {
  string: 'VARCHAR',
  guid: 'VARCHAR',
  datetime: 'TIMESTAMP',
  bool: 'BOOLEAN',
  int: 'INTEGER',
  long: 'BIGINT',
  real: 'DOUBLE',
  dynamic: 'JSON',
};

export const tableNames = Object.keys(logTables) as LogTableName[];

export function isLogTableName(name: string): name is LogTableName {
  return Object.prototype.hasOwnProperty.call(logTables, name);
}

/**
 * Standard columns every Log Analytics workspace table has
 * (https://learn.microsoft.com/azure/azure-monitor/logs/log-standard-columns), added where the
 * per-table reference leaves them out: `TenantId` (the workspace id) is missing from the
 * SigninLogs and AuditLogs pages but Sentinel queries project it from those tables.
 */
const standardColumns: readonly LogColumn[] = [{ name: 'TenantId', type: 'string' }];

const withStandard = new Map<LogTableName, readonly LogColumn[]>();

export function columnsOf(table: LogTableName): readonly LogColumn[] {
  let cols = withStandard.get(table);
  if (!cols) {
    const own: readonly LogColumn[] = logTables[table];
    cols = [...own, ...standardColumns.filter((s) => !own.some((c) => c.name === s.name))];
    withStandard.set(table, cols);
  }
  return cols;
}

/** Columns added to the schema since a store file was created, to add on open. */
export function addMissingColumnsSql(table: LogTableName): string[] {
  return columnsOf(table).map((c) => `ALTER TABLE ${quoteIdent(table)} ADD COLUMN IF NOT EXISTS ${quoteIdent(c.name)} ${duckTypeOf[c.type]}`);
}

/** Double-quoted SQL identifier; column names like `_BilledSize` or `Type` need no special casing. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function createTableSql(table: LogTableName): string {
  const cols = columnsOf(table).map((c) => `${quoteIdent(c.name)} ${duckTypeOf[c.type]}`);
  return `CREATE TABLE IF NOT EXISTS ${quoteIdent(table)} (${cols.join(', ')})`;
}
