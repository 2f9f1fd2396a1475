/**
 * Tokeniser for `$filter` (OData 4.01 ABNF subset Graph accepts). Positions are 0-based offsets
 * into the filter text, in UTF-16 code units, and are what syntax errors report.
 */
import { BadRequest } from '../../errors/graph.ts';

export type TokenKind =
  | 'ident' // property names, keywords (eq, and, any…), function names, `microsoft.graph.riskLevel` before an enum quote
  | 'string'
  | 'number'
  | 'guid'
  | 'dateTime'
  | 'date'
  | 'enum' // Namespace.Type'member'
  | '(' | ')' | ',' | '/' | ':' | '[' | ']'
  | 'end';

export interface Token {
  readonly kind: TokenKind;
  /** Source text of the token; for strings and enums the decoded value. */
  readonly text: string;
  readonly pos: number;
  /** For `enum`: the qualified type name before the quote. */
  readonly enumType?: string;
}

export function syntaxError(filter: string, pos: number): never {
  throw new BadRequest(`Invalid filter clause: syntax error at position ${pos} in '${filter}'.`);
}

const GUID = /[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/y;
// DateTimeOffset per OData ABNF: date "T" hour ":" minute [ ":" second [ "." fractionalSeconds ] ] ( "Z" / sign hour ":" minute )
const DATETIME = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,12})?)?(?:Z|z|[+-]\d{2}:\d{2})/y;
const DATE = /\d{4}-\d{2}-\d{2}/y;
const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const IDENT = /[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*/y;
const PUNCT = new Set(['(', ')', ',', '/', ':', '[', ']']);

function isIdentChar(c: string | undefined): boolean {
  return c !== undefined && /[A-Za-z0-9_.-]/.test(c);
}

function sticky(re: RegExp, s: string, at: number): string | undefined {
  re.lastIndex = at;
  const m = re.exec(s);
  return m ? m[0] : undefined;
}

/** Reads a `'…'` literal starting at `at` (the quote); `''` is an escaped quote. Returns value and end offset. */
function readQuoted(filter: string, at: number): { value: string; end: number } {
  let out = '';
  let i = at + 1;
  for (;;) {
    const q = filter.indexOf("'", i);
    if (q < 0) syntaxError(filter, at); // unterminated string literal
    const chunk = filter.slice(i, q);
    // NUL cannot be stored in PostgreSQL text and lone surrogates cannot be encoded as UTF-8: neither can match.
    const bad = chunk.search(/\u0000/);
    if (bad >= 0) syntaxError(filter, i + bad);
    const lone = chunk.search(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
    if (lone >= 0) syntaxError(filter, i + lone);
    out += chunk;
    if (filter[q + 1] === "'") {
      out += "'";
      i = q + 2;
      continue;
    }
    return { value: out, end: q + 1 };
  }
}

export function tokenize(filter: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < filter.length) {
    const c = filter[i]!;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      i++;
      continue;
    }
    if (PUNCT.has(c)) {
      tokens.push({ kind: c as TokenKind, text: c, pos: i });
      i++;
      continue;
    }
    if (c === "'") {
      const { value, end } = readQuoted(filter, i);
      tokens.push({ kind: 'string', text: value, pos: i });
      i = end;
      continue;
    }
    // GUIDs and dates may start with a letter or digit, so try them before identifiers and numbers,
    // and only accept them when they are not the prefix of a longer word.
    const special =
      ([['guid', GUID], ['dateTime', DATETIME], ['date', DATE]] as const)
        .map(([kind, re]) => ({ kind, text: sticky(re, filter, i) }))
        .find((m) => m.text !== undefined && !isIdentChar(filter[i + m.text.length]));
    if (special?.text !== undefined) {
      tokens.push({ kind: special.kind, text: special.text, pos: i });
      i += special.text.length;
      continue;
    }
    if (/[0-9-]/.test(c)) {
      const n = sticky(NUMBER, filter, i);
      if (n === undefined || /[A-Za-z_]/.test(filter[i + n.length] ?? '')) syntaxError(filter, i);
      tokens.push({ kind: 'number', text: n, pos: i });
      i += n.length;
      continue;
    }
    const id = sticky(IDENT, filter, i);
    if (id !== undefined) {
      if (filter[i + id.length] === "'" && id.includes('.')) {
        // Qualified enum literal: microsoft.graph.riskLevel'high'
        const { value, end } = readQuoted(filter, i + id.length);
        tokens.push({ kind: 'enum', text: value, pos: i, enumType: id });
        i = end;
        continue;
      }
      tokens.push({ kind: 'ident', text: id, pos: i });
      i += id.length;
      continue;
    }
    syntaxError(filter, i);
  }
  tokens.push({ kind: 'end', text: '', pos: filter.length });
  return tokens;
}
