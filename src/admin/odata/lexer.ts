/**
 * Tokeniser for `$filter` (OData 4.01 ABNF subset Graph accepts). Positions are 0-based offsets
 * into the filter text, in UTF-16 code units. Error wording and positions follow ODL, the parser
 * behind Graph: a misplaced token is reported at the offset just after it, e.g. Graph answers
 * `Invalid filter clause: Syntax error at position 13 in 'iswhatever 12'.`
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
  /** Offset just past the token. */
  readonly end: number;
  /** For `enum`: the qualified type name before the quote. */
  readonly enumType?: string;
}

/** A token that does not fit the grammar; `pos` is where ODL reports it (just past the token). */
export function syntaxError(filter: string, pos: number): never {
  throw new BadRequest(`Invalid filter clause: Syntax error at position ${pos} in '${filter}'.`);
}

function invalidCharacter(filter: string, pos: number): never {
  const cp = filter.codePointAt(pos) ?? 0xfffd;
  const raw = String.fromCodePoint(cp);
  // Spaces, controls, format characters and lone surrogates would be invisible or unencodable in the message.
  const ch = /[\p{White_Space}\p{Cc}\p{Cf}\p{Cs}]/u.test(raw) ? `U+${cp.toString(16).toUpperCase().padStart(4, '0')}` : raw;
  throw new BadRequest(`Invalid filter clause: Syntax error: character '${ch}' is not valid at position ${pos} in '${filter}'.`);
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
    if (q < 0) {
      throw new BadRequest(`Invalid filter clause: There is an unterminated string literal at position ${at} in '${filter}'.`);
    }
    const chunk = filter.slice(i, q);
    // NUL cannot be stored in PostgreSQL text and lone surrogates cannot be encoded as UTF-8: neither can match.
    const bad = chunk.search(/\u0000/);
    if (bad >= 0) invalidCharacter(filter, i + bad);
    const lone = chunk.search(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
    if (lone >= 0) invalidCharacter(filter, i + lone);
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
      tokens.push({ kind: c as TokenKind, text: c, pos: i, end: i + 1 });
      i++;
      continue;
    }
    if (c === "'") {
      const { value, end } = readQuoted(filter, i);
      tokens.push({ kind: 'string', text: value, pos: i, end });
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
      tokens.push({ kind: special.kind, text: special.text, pos: i, end: i + special.text.length });
      i += special.text.length;
      continue;
    }
    if (/[0-9-]/.test(c)) {
      const n = sticky(NUMBER, filter, i);
      if (n === undefined) invalidCharacter(filter, i);
      if (/[A-Za-z_]/.test(filter[i + n.length] ?? '')) syntaxError(filter, i + n.length);
      tokens.push({ kind: 'number', text: n, pos: i, end: i + n.length });
      i += n.length;
      continue;
    }
    const id = sticky(IDENT, filter, i);
    if (id !== undefined) {
      if (filter[i + id.length] === "'" && id.includes('.')) {
        // Qualified enum literal: microsoft.graph.riskLevel'high'
        const { value, end } = readQuoted(filter, i + id.length);
        tokens.push({ kind: 'enum', text: value, pos: i, end, enumType: id });
        i = end;
        continue;
      }
      tokens.push({ kind: 'ident', text: id, pos: i, end: i + id.length });
      i += id.length;
      continue;
    }
    invalidCharacter(filter, i);
  }
  tokens.push({ kind: 'end', text: '', pos: filter.length, end: filter.length });
  return tokens;
}
