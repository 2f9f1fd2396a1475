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

export function columnsOf(table: LogTableName): readonly LogColumn[] {
  return logTables[table];
}

/** Double-quoted SQL identifier; column names like `_BilledSize` or `Type` need no special casing. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function createTableSql(table: LogTableName): string {
  const cols = columnsOf(table).map((c) => `${quoteIdent(c.name)} ${duckTypeOf[c.type]}`);
  return `CREATE TABLE IF NOT EXISTS ${quoteIdent(table)} (${cols.join(', ')})`;
}
