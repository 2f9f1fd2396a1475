/**
 * Tokenizer for the device filter rule language (graph-shapes §5, the dynamic-group rule syntax
 * of [E15]): property paths, `-operators` (the dash is optional), quoted strings, bare booleans and
 * `null`, list brackets and parentheses. Every token keeps its 0-based offset so that parse errors
 * can point at the exact character.
 */

export type Token =
  | { kind: 'word'; text: string; pos: number }
  | { kind: 'dashWord'; text: string; pos: number }
  | { kind: 'string'; text: string; pos: number }
  | { kind: 'punct'; text: '(' | ')' | '[' | ']' | ','; pos: number }
  | { kind: 'end'; text: ''; pos: number };

/** A rule that cannot be read, with the 0-based character offset where reading failed. */
export class DeviceFilterSyntaxError extends Error {
  override readonly name = 'DeviceFilterSyntaxError';
  constructor(readonly reason: string, readonly position: number) {
    super(`${reason} (at position ${position + 1})`);
  }
}

/** [E5]: a filter rule is at most 3,072 characters. */
export const MAX_RULE_LENGTH = 3072;

const wordChar = /[A-Za-z0-9_.]/;

export function tokenize(rule: string): Token[] {
  if (rule.length > MAX_RULE_LENGTH) throw new DeviceFilterSyntaxError(`rule is ${rule.length} characters; the limit is ${MAX_RULE_LENGTH}`, MAX_RULE_LENGTH);
  const out: Token[] = [];
  let i = 0;
  while (i < rule.length) {
    const c = rule[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') { i++; continue; }
    if (c === '(' || c === ')' || c === '[' || c === ']' || c === ',') { out.push({ kind: 'punct', text: c, pos: i }); i++; continue; }
    if (c === '"' || c === '\u201c' || c === '\u201d') {
      // Quotes inside a value are escaped with a backtick in the dynamic rule language [E15]; a backslash is accepted too.
      const start = i;
      let text = '';
      i++;
      for (;;) {
        if (i >= rule.length) throw new DeviceFilterSyntaxError('unterminated string: missing closing "', start);
        const d = rule[i]!;
        if ((d === '`' || d === '\\') && rule[i + 1] === '"') { text += '"'; i += 2; continue; }
        if (d === '"' || d === '\u201c' || d === '\u201d') { i++; break; }
        text += d; i++;
      }
      out.push({ kind: 'string', text, pos: start });
      continue;
    }
    if (c === '-' && i + 1 < rule.length && /[A-Za-z]/.test(rule[i + 1]!)) {
      const start = i;
      i++;
      while (i < rule.length && /[A-Za-z]/.test(rule[i]!)) i++;
      out.push({ kind: 'dashWord', text: rule.slice(start + 1, i), pos: start });
      continue;
    }
    if (wordChar.test(c)) {
      const start = i;
      while (i < rule.length && wordChar.test(rule[i]!)) i++;
      out.push({ kind: 'word', text: rule.slice(start, i), pos: start });
      continue;
    }
    throw new DeviceFilterSyntaxError(`unexpected character '${c}'`, i);
  }
  out.push({ kind: 'end', text: '', pos: rule.length });
  return out;
}
