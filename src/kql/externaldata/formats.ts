// The file formats externaldata reads (https://learn.microsoft.com/kusto/ingestion-supported-formats)
// and the conversion of each value to its declared column type. A value that does not convert
// becomes null, as Kusto does; a file that cannot be parsed at all (an unterminated quote, a line
// that is not JSON) fails with the line named.
import { parseCsv } from '../../logs/csv.ts';
import { coerceDatetime } from '../../logs/coerce.ts';
import type { Col, KType } from '../compile/context.ts';
import { parseTimespanLiteral } from '../compile/values.ts';

export type ExternalFormat = 'csv' | 'tsv' | 'psv' | 'scsv' | 'sohsv' | 'txt' | 'json' | 'multijson';

export const externalFormats: readonly ExternalFormat[] = ['csv', 'tsv', 'psv', 'scsv', 'sohsv', 'txt', 'json', 'multijson'];

const separators: Partial<Record<ExternalFormat, string>> = { csv: ',', tsv: '\t', psv: '|', scsv: ';', sohsv: '\x01' };

/** One cell as text for DuckDB to cast (see compile/externaldata.ts), or null. */
export type Cell = string | null;

export class ExternalFormatError extends Error {
  override readonly name = 'ExternalFormatError';
  constructor(readonly line: number, message: string) {
    super(`line ${line}: ${message}`);
  }
}

/** The format Kusto infers from the file name when `with (format=…)` is left out; csv otherwise. */
export function formatFromUrl(url: string): ExternalFormat {
  const path = url.split(/[?#;]/, 1)[0]!.toLowerCase();
  const ext = /\.([a-z]+)$/.exec(path)?.[1];
  return ext && (externalFormats as readonly string[]).includes(ext) ? (ext as ExternalFormat) : 'csv';
}

/** Parses one file into rows of cells typed as `cols` declares. */
export function parseExternal(text: string, format: ExternalFormat, cols: Col[], ignoreFirstRecord: boolean): Cell[][] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const sep = separators[format];
  if (sep !== undefined) {
    const parsed = parseCsv(body, sep);
    if ('error' in parsed) throw new ExternalFormatError(parsed.line, parsed.error);
    const records = parsed.records.filter((r) => !(r.cells.length === 1 && r.cells[0] === ''));
    return records.slice(ignoreFirstRecord ? 1 : 0).map((r) => cols.map((c, i) => fromText(r.cells[i], c.type)));
  }
  if (format === 'txt') {
    // One record per line, its text in the first column (https://learn.microsoft.com/kusto/ingestion-supported-formats: TXT).
    const lines = body.split(/\r?\n/).filter((l) => l !== '');
    return lines.slice(ignoreFirstRecord ? 1 : 0).map((l) => cols.map((c, i) => (i === 0 ? fromText(l, c.type) : null)));
  }
  const values = jsonRecords(body);
  return values.slice(ignoreFirstRecord ? 1 : 0).map(({ line, value }) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ExternalFormatError(line, 'expected a JSON object');
    const obj = value as Record<string, unknown>;
    return cols.map((c) => fromJson(obj[c.name], c.type));
  });
}

/**
 * JSON records: a top-level array of objects, or objects one after another (one per line for `json`,
 * possibly spread over lines for `multijson` — both are accepted). Each record keeps its first line.
 */
function jsonRecords(text: string): { line: number; value: unknown }[] {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('[')) {
    try {
      return (JSON.parse(trimmed) as unknown[]).map((value) => ({ line: 1, value }));
    } catch (e) {
      throw new ExternalFormatError(1, `the JSON array does not parse: ${(e as Error).message}`);
    }
  }
  const out: { line: number; value: unknown }[] = [];
  let line = 1;
  let depth = 0;
  let inString = false;
  let start = -1;
  let startLine = 1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\n') line++;
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (depth === 0) {
      if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n') continue;
      if (ch !== '{') throw new ExternalFormatError(line, `expected a JSON object, found '${ch}'`);
      start = i;
      startLine = line;
    }
    if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') depth++;
    else if (ch === '}' || ch === ']') {
      depth--;
      if (depth === 0) {
        try {
          out.push({ line: startLine, value: JSON.parse(text.slice(start, i + 1)) });
        } catch (e) {
          throw new ExternalFormatError(startLine, `the JSON object does not parse: ${(e as Error).message}`);
        }
      }
    }
  }
  if (depth !== 0 || inString) throw new ExternalFormatError(startLine, 'the JSON object is not closed');
  return out;
}

const guidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A text cell (csv, tsv, txt) as `type`. Kusto: a missing string is "", anything else unconvertible is null. */
export function fromText(raw: string | undefined, type: KType): Cell {
  if (raw === undefined) return type === 'string' ? '' : null;
  if (type === 'string') return raw;
  const v = raw.trim();
  if (v === '') return null;
  switch (type) {
    case 'int': case 'long': {
      if (!/^[+-]?\d+$/.test(v)) return null;
      const big = BigInt(v);
      const limit = type === 'int' ? 2n ** 31n : 2n ** 63n;
      return big >= limit || big < -limit ? null : big.toString();
    }
    case 'real': case 'decimal': {
      if (/^[+-]?(nan|inf|infinity)$/i.test(v)) return null;
      const n = Number(v);
      return Number.isNaN(n) ? null : String(n);
    }
    case 'bool': {
      const b = v.toLowerCase();
      return b === 'true' || b === '1' ? 'true' : b === 'false' || b === '0' ? 'false' : null;
    }
    case 'datetime':
      try {
        return coerceDatetime(v);
      } catch {
        return null;
      }
    case 'timespan': {
      const us = parseTimespanLiteral(v);
      return us === undefined || !Number.isFinite(us) ? null : String(Math.round(us));
    }
    case 'guid':
      return guidPattern.test(v) ? v.toLowerCase() : null;
    case 'dynamic':
      // Kusto parses the cell as JSON; text that is not JSON is kept as a JSON string.
      try {
        return JSON.stringify(JSON.parse(v));
      } catch {
        return JSON.stringify(raw);
      }
  }
}

/** A JSON property as `type`: strings go through the text conversion, other values convert directly. */
export function fromJson(value: unknown, type: KType): Cell {
  if (value === undefined || value === null) return type === 'string' ? '' : null;
  if (type === 'dynamic') return JSON.stringify(value);
  if (typeof value === 'string') return fromText(value, type);
  if (type === 'string') return typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (typeof value === 'boolean') return type === 'bool' ? String(value) : null;
  if (typeof value === 'number') {
    if (type === 'bool') return value === 0 ? 'false' : value === 1 ? 'true' : null;
    if (type === 'int' || type === 'long') return Number.isSafeInteger(value) ? fromText(String(value), type) : null;
    if (type === 'real' || type === 'decimal') return String(value);
    if (type === 'datetime' || type === 'timespan' || type === 'guid') return null;
  }
  return null;
}
