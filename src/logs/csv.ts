// RFC 4180 CSV: quoted fields may hold commas, doubled quotes and newlines (Log Analytics exports
// put multi-line JSON in quoted cells). Each record carries the line it starts on. The separator may
// be another character for the tab-, pipe- and semicolon-separated variants (KQL externaldata).
export interface CsvRecord { line: number; cells: string[] }

export function parseCsv(text: string, sep = ','): { records: CsvRecord[] } | { error: string; line: number } {
  const records: CsvRecord[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') { cell += '"'; i++; } else quoted = false;
      } else {
        if (ch === '\n') line++;
        cell += ch;
      }
      continue;
    }
    if (ch === '"' && cell === '') quoted = true;
    else if (ch === sep) { cells.push(cell); cell = ''; }
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      cells.push(cell);
      records.push({ line: start, cells });
      cells = []; cell = '';
      line++; start = line;
    } else cell += ch;
  }
  if (quoted) return { error: 'unterminated quoted field', line: start };
  if (cell !== '' || cells.length) { cells.push(cell); records.push({ line: start, cells }); }
  return { records };
}
