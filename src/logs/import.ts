/**
 * Imports Log Analytics rows (JSON-lines, or CSV as the portal exports it) into one table.
 *
 * All-or-nothing: every line is parsed and coerced before anything is written, every bad line is
 * reported (line number and column name), and if any line is bad nothing is imported. Good rows
 * are then appended in one pass and flushed, so a partial file never lands in the table.
 */
import { readFileSync } from 'node:fs';
import type { AnalyticsStore } from './analytics-store.ts';
import { coerceValue } from './coerce.ts';
import { parseCsv } from './csv.ts';
import { columnsOf } from './schema.ts';
import type { LogTableName } from './tables.generated.ts';

export interface ImportIssue { line: number; column?: string; message: string }

export class ImportError extends Error {
  override readonly name = 'ImportError';
  constructor(readonly issues: ImportIssue[]) {
    const first = issues[0]!;
    super(`line ${first.line}${first.column ? `, column ${first.column}` : ''}: ${first.message}${issues.length > 1 ? ` (and ${issues.length - 1} more bad lines; nothing was imported)` : ' (nothing was imported)'}`);
  }
}

export interface ImportOptions {
  format?: 'jsonl' | 'csv';
  onProgress?: (done: number, total: number) => void;
}

/** Header names like "TimeGenerated [UTC]" (portal CSV exports) name the column TimeGenerated. */
function headerName(h: string): string {
  return h.replace(/^\uFEFF/, '').replace(/\s*\[[^\]]*\]\s*$/, '').trim();
}

export function readRows(text: string, format: 'jsonl' | 'csv'): { line: number; row: Record<string, unknown> }[] | ImportIssue[] {
  const out: { line: number; row: Record<string, unknown> }[] = [];
  const issues: ImportIssue[] = [];
  if (format === 'jsonl') {
    text.split('\n').forEach((l, i) => {
      if (!l.trim()) return;
      try {
        const v = JSON.parse(l) as unknown;
        if (!v || typeof v !== 'object' || Array.isArray(v)) issues.push({ line: i + 1, message: 'expected a JSON object' });
        else out.push({ line: i + 1, row: v as Record<string, unknown> });
      } catch (err) {
        issues.push({ line: i + 1, message: `invalid JSON: ${(err as Error).message}` });
      }
    });
  } else {
    const parsed = parseCsv(text);
    if ('error' in parsed) return [{ line: parsed.line, message: parsed.error }];
    const [header, ...records] = parsed.records;
    if (!header) return [];
    const names = header.cells.map(headerName);
    for (const r of records) {
      if (r.cells.length === 1 && r.cells[0] === '') continue;
      if (r.cells.length !== names.length) {
        issues.push({ line: r.line, message: `expected ${names.length} fields, found ${r.cells.length}` });
        continue;
      }
      out.push({ line: r.line, row: Object.fromEntries(names.map((n, i) => [n, r.cells[i]])) });
    }
  }
  return issues.length ? issues : out;
}

export async function importRows(store: AnalyticsStore, table: LogTableName, text: string, opts: ImportOptions = {}): Promise<number> {
  const format = opts.format ?? (text.trimStart().startsWith('{') ? 'jsonl' : 'csv');
  const rows = readRows(text, format);
  if (rows.length && !('row' in rows[0]!)) throw new ImportError(rows as ImportIssue[]);
  const good = rows as { line: number; row: Record<string, unknown> }[];
  const cols = columnsOf(table);
  const issues: ImportIssue[] = [];
  for (const { line, row } of good) {
    for (const c of cols) {
      try {
        coerceValue(c.type, row[c.name]);
      } catch (err) {
        issues.push({ line, column: c.name, message: (err as Error).message });
      }
    }
  }
  if (issues.length) throw new ImportError(issues);
  const total = good.length;
  const step = 1000;
  for (let i = 0; i < total; i += step) {
    store.append(table, good.slice(i, i + step).map((g) => g.row));
    opts.onProgress?.(Math.min(i + step, total), total);
  }
  await store.flush();
  return total;
}

export async function importFile(store: AnalyticsStore, table: LogTableName, path: string, opts: ImportOptions = {}): Promise<number> {
  const format = opts.format ?? (path.endsWith('.csv') ? 'csv' : 'jsonl');
  return importRows(store, table, readFileSync(path, 'utf8'), { ...opts, format });
}
