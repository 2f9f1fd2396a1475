/**
 * Recursive-descent parser for device filter rules (graph-shapes §5). Precedence, high to low:
 * comparison, `-not`, `-and`, `-or` [E15]. `device.` before a property is optional (Microsoft's
 * own guidance writes `systemLabels -eq "CloudPC"`, seed 003). Logical words may be written with
 * or without the dash. Every error names what was expected and where.
 */
import { DeviceFilterSyntaxError, tokenize, type Token } from './tokenize.ts';
import { deviceProperties, operators, type Operator } from './properties.ts';

export type FilterValue = string | boolean | null | string[];

export type FilterNode =
  | { type: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { type: 'not'; operand: FilterNode }
  | { type: 'compare'; property: string; operator: Operator; value: FilterValue; pos: number };

const opByLower = new Map(operators.map((o) => [o.toLowerCase(), o]));

export function parseDeviceFilter(rule: string): FilterNode {
  if (rule.trim() === '') throw new DeviceFilterSyntaxError('rule is empty', 0);
  const tokens = tokenize(rule);
  let i = 0;
  const peek = (): Token => tokens[i]!;
  const next = (): Token => tokens[i++]!;
  const isLogical = (t: Token, word: string): boolean =>
    (t.kind === 'dashWord' || t.kind === 'word') && t.text.toLowerCase() === word;

  function parseOr(): FilterNode {
    let left = parseAnd();
    while (isLogical(peek(), 'or')) { next(); left = { type: 'or', left, right: parseAnd() }; }
    return left;
  }
  function parseAnd(): FilterNode {
    let left = parseNot();
    while (isLogical(peek(), 'and')) { next(); left = { type: 'and', left, right: parseNot() }; }
    return left;
  }
  function parseNot(): FilterNode {
    if (isLogical(peek(), 'not')) { next(); return { type: 'not', operand: parseNot() }; }
    return parsePrimary();
  }
  function parsePrimary(): FilterNode {
    const t = peek();
    if (t.kind === 'punct' && t.text === '(') {
      next();
      const inner = parseOr();
      const close = next();
      if (close.kind !== 'punct' || close.text !== ')') throw new DeviceFilterSyntaxError(`expected ')' to close the '(' at position ${t.pos + 1}, found ${describe(close)}`, close.pos);
      return inner;
    }
    return parseComparison();
  }
  function parseComparison(): FilterNode {
    const t = next();
    if (t.kind !== 'word') throw new DeviceFilterSyntaxError(`expected a device property such as device.trustType, found ${describe(t)}`, t.pos);
    const property = t.text.startsWith('device.') ? t.text.slice(7) : t.text;
    const spec = deviceProperties[property];
    if (!spec) throw new DeviceFilterSyntaxError(`unknown device property '${t.text}' (property names are case-sensitive)`, t.pos);
    const o = next();
    const operator = o.kind === 'dashWord' || o.kind === 'word' ? opByLower.get(o.text.toLowerCase()) : undefined;
    if (!operator) throw new DeviceFilterSyntaxError(`expected an operator (-eq, -ne, -startsWith, -contains, -in, …) after '${t.text}', found ${describe(o)}`, o.pos);
    if (!spec.ops.includes(operator)) throw new DeviceFilterSyntaxError(`operator -${operator} is not allowed on ${property}; allowed: ${spec.ops.map((x) => '-' + x).join(', ')}`, o.pos);
    const vpos = peek().pos;
    const value = parseValue();
    if (operator === 'in' || operator === 'notIn') {
      if (!Array.isArray(value)) throw new DeviceFilterSyntaxError(`-${operator} needs a list such as ["a","b"]`, vpos);
    } else if (Array.isArray(value)) {
      throw new DeviceFilterSyntaxError(`-${operator} compares with one value, not a list`, vpos);
    } else if (spec.kind === 'boolean') {
      if (typeof value !== 'boolean' && value !== null) throw new DeviceFilterSyntaxError(`${property} is compared with True or False, found "${value}"`, vpos);
    } else if (typeof value === 'boolean') {
      throw new DeviceFilterSyntaxError(`${property} is a string property; quote the value`, vpos);
    }
    return { type: 'compare', property, operator, value, pos: t.pos };
  }
  function parseValue(): FilterValue {
    const t = next();
    if (t.kind === 'string') return booleanText(t.text) ?? t.text;
    if (t.kind === 'word') {
      const b = booleanText(t.text);
      if (b !== undefined) return b;
      if (t.text.toLowerCase() === 'null') return null;
      throw new DeviceFilterSyntaxError(`expected a quoted value, True, False or a list, found ${describe(t)}`, t.pos);
    }
    if (t.kind === 'punct' && t.text === '[') {
      const items: string[] = [];
      if (peek().kind === 'punct' && peek().text === ']') { next(); return items; }
      for (;;) {
        const v = next();
        if (v.kind !== 'string') throw new DeviceFilterSyntaxError(`expected a quoted list item, found ${describe(v)}`, v.pos);
        items.push(v.text);
        const sep = next();
        if (sep.kind === 'punct' && sep.text === ']') return items;
        if (!(sep.kind === 'punct' && sep.text === ',')) throw new DeviceFilterSyntaxError(`expected ',' or ']' in list, found ${describe(sep)}`, sep.pos);
      }
    }
    throw new DeviceFilterSyntaxError(`expected a value, found ${describe(t)}`, t.pos);
  }

  const tree = parseOr();
  const rest = peek();
  if (rest.kind !== 'end') throw new DeviceFilterSyntaxError(`expected -and, -or or the end of the rule, found ${describe(rest)}`, rest.pos);
  return tree;
}

function booleanText(s: string): boolean | undefined {
  const l = s.toLowerCase();
  return l === 'true' ? true : l === 'false' ? false : undefined;
}

function describe(t: Token): string {
  if (t.kind === 'end') return 'the end of the rule';
  if (t.kind === 'string') return `"${t.text}"`;
  if (t.kind === 'dashWord') return `'-${t.text}'`;
  return `'${t.text}'`;
}
