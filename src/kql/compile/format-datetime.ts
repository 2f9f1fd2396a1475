// format_datetime(): Kusto's .NET-style specifiers (https://learn.microsoft.com/kusto/query/format-datetime-function)
// translated to DuckDB strftime. Unknown letters are kept literally.
import { sqlString } from './context.ts';

const tokens: [RegExp, string][] = [
  [/^yyyy/, '%Y'], [/^yy/, '%y'], [/^MM/, '%m'], [/^M/, '%-m'], [/^dd/, '%d'], [/^d/, '%-d'],
  [/^HH/, '%H'], [/^H/, '%-H'], [/^hh/, '%I'], [/^h/, '%-I'], [/^mm/, '%M'], [/^m/, '%-M'],
  [/^ss/, '%S'], [/^s/, '%-S'], [/^tt/, '%p'], [/^fffffff|^ffffff/, '%f'], [/^fff/, '%g'],
];

export function formatDatetimeSql(value: string, format: string): string {
  let out = '';
  let rest = format;
  let tail = '';
  while (rest.length) {
    const hit = tokens.find(([re]) => re.test(rest));
    if (hit) {
      const m = hit[0].exec(rest)![0];
      out += hit[1];
      if (m === 'fffffff') tail = "|| '0'";
      rest = rest.slice(m.length);
    } else {
      out += rest[0] === '%' ? '%%' : rest[0];
      rest = rest.slice(1);
    }
  }
  return `COALESCE(strftime(${value}, ${sqlString(out)}) ${tail}, '')`;
}
