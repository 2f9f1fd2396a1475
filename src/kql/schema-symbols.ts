// The Kusto binder's view of Tessera's tables: one DatabaseSymbol built from the generated column
// list, so the binder types every expression (dynamic vs string columns, summarize output names).
import { columnsOf, tableNames } from '../logs/schema.ts';
import type { LogColumnType } from '../logs/tables.generated.ts';
import { Kusto } from './kusto-language.ts';
import type { KNode } from './kusto-language.ts';

const S = Kusto.Symbols;

export function scalarSymbol(t: LogColumnType): KNode {
  switch (t) {
    case 'string': return S.ScalarTypes.String;
    case 'guid': return S.ScalarTypes.Guid;
    case 'datetime': return S.ScalarTypes.DateTime;
    case 'bool': return S.ScalarTypes.Bool;
    case 'int': return S.ScalarTypes.Int;
    case 'long': return S.ScalarTypes.Long;
    case 'real': return S.ScalarTypes.Real;
    case 'dynamic': return S.ScalarTypes.Dynamic;
  }
}

let cached: KNode | undefined;

/** GlobalState whose default database holds every Tessera log table. */
export function tesseraGlobals(): KNode {
  if (cached) return cached;
  const tables = tableNames.map((name) =>
    new S.TableSymbol.$ctor4(name, columnsOf(name).map((c) => new S.ColumnSymbol(c.name, scalarSymbol(c.type), null, null, null, null))),
  );
  const db = new S.DatabaseSymbol.$ctor3('tessera', null, tables, false);
  cached = Kusto.GlobalState.Default.WithDatabase(db);
  return cached;
}
