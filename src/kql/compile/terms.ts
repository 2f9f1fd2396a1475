// `has`: the right side must occur as whole term(s) of the left. Kusto breaks strings into maximal
// runs of ASCII alphanumerics (https://learn.microsoft.com/kusto/query/datatypes-string-operators,
// "What is a term?"), so a match needs a non-alphanumeric (or the string edge) on each side where
// the needle itself starts or ends with an alphanumeric.
import { sqlString } from './context.ts';
import { asString } from './values.ts';
import type { Sql } from './values.ts';

const alnum = /[0-9A-Za-z]/;

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function termPattern(needle: string): string {
  const first = needle[0] ?? '';
  const last = needle[needle.length - 1] ?? '';
  const pre = alnum.test(first) ? '(^|[^0-9A-Za-z])' : '';
  const post = alnum.test(last) ? '([^0-9A-Za-z]|$)' : '';
  return `${pre}${escapeRe(needle)}${post}`;
}

/** SQL boolean: does `lhs` (a non-null VARCHAR expression) have the term(s) `rhs`? */
export function hasTerm(lhs: string, rhs: Sql, caseInsensitive: boolean): string {
  const flags = caseInsensitive ? ", 'i'" : '';
  const lit = /^'((?:[^']|'')*)'$/.exec(rhs.sql);
  if (lit) {
    const needle = lit[1]!.replaceAll("''", "'");
    if (needle === '') return 'true';
    // A cheap substring test first lets DuckDB skip the regex for most rows.
    const sub = caseInsensitive ? `contains(lower(${lhs}), ${sqlString(needle.toLowerCase())})` : `contains(${lhs}, ${sqlString(needle)})`;
    return `(${sub} AND regexp_matches(${lhs}, ${sqlString(termPattern(needle))}${flags}))`;
  }
  const r = asString(rhs);
  return `regexp_matches(${lhs}, '(^|[^0-9A-Za-z])' || regexp_escape(${r}) || '([^0-9A-Za-z]|$)'${flags})`;
}
