/**
 * CSV download of a report (seed 004: "all reports can be downloaded as .CSV"). RFC 4180: CRLF line ends, fields
 * with comma, quote or line break quoted, quotes doubled. Nested values are written as JSON. Cells that a
 * spreadsheet would run as a formula (leading = + - @, tab, CR) get a leading apostrophe (OWASP CSV injection) —
 * report fields such as userDisplayName are attacker-influenced.
 */
export function toCsv(columns: readonly string[], rows: Iterable<Record<string, unknown>>): string {
  const cell = (v: unknown): string => {
    let s = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = [columns.map(cell).join(',')];
  for (const r of rows) lines.push(columns.map((c) => cell(r[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
