/**
 * Turns a parsed device filter into a predicate over the registered device, once per snapshot.
 * [E5] semantics: string comparisons are case-insensitive; an absent device (unregistered) or an
 * absent attribute is null, for which positive operators are false and negative operators true.
 */
import type { PolicyDevice } from '../context.ts';
import { negativeOperators, deviceProperties } from './properties.ts';
import { parseDeviceFilter, type FilterNode } from './parse.ts';

export type DevicePredicate = (device: PolicyDevice | null) => boolean;

export function compileDeviceFilter(rule: string): DevicePredicate {
  return compileNode(parseDeviceFilter(rule));
}

function read(device: PolicyDevice | null, property: string): unknown {
  if (device === null) return null;
  if (property.startsWith('extensionAttribute')) return device.extensionAttributes?.[property as keyof NonNullable<PolicyDevice['extensionAttributes']>] ?? null;
  return (device as Record<string, unknown>)[property] ?? null;
}

function compileNode(node: FilterNode): DevicePredicate {
  switch (node.type) {
    case 'and': { const l = compileNode(node.left), r = compileNode(node.right); return (d) => l(d) && r(d); }
    case 'or': { const l = compileNode(node.left), r = compileNode(node.right); return (d) => l(d) || r(d); }
    case 'not': { const o = compileNode(node.operand); return (d) => !o(d); }
    case 'compare': return compileCompare(node);
  }
}

function compileCompare(node: Extract<FilterNode, { type: 'compare' }>): DevicePredicate {
  const { property, operator, value } = node;
  const negative = negativeOperators.has(operator);
  const kind = deviceProperties[property]!.kind;
  if (kind === 'boolean') {
    // `-eq null` asks "is the attribute missing".
    return (d) => {
      const v = read(d, property);
      const actual = typeof v === 'boolean' ? v : typeof v === 'string' ? v.toLowerCase() === 'true' : null;
      if (actual === null) return value === null ? operator === 'eq' : negative;
      return operator === 'eq' ? actual === value : actual !== value;
    };
  }
  const wanted = Array.isArray(value) ? value.map((s) => s.toLowerCase()) : typeof value === 'string' ? value.toLowerCase() : null;
  const test = stringTest(operator, wanted);
  if (kind === 'collection') {
    return (d) => {
      const v = read(d, property);
      if (!Array.isArray(v) || v.length === 0) return value === null ? operator === 'eq' : negative;
      // [E5]: contains on a collection is a whole-element match.
      const any = v.some((x) => typeof x === 'string' && x.toLowerCase() === wanted);
      return negative ? !any : any;
    };
  }
  return (d) => {
    const v = read(d, property);
    if (v === null || v === undefined) return value === null ? operator === 'eq' : negative;
    return test(String(v).toLowerCase());
  };
}

function stringTest(op: string, w: string | string[] | null): (actual: string) => boolean {
  const one = typeof w === 'string' ? w : '';
  const list = Array.isArray(w) ? new Set(w) : new Set<string>();
  switch (op) {
    case 'eq': return (a) => w !== null && a === one;
    case 'ne': return (a) => w === null || a !== one;
    case 'startsWith': return (a) => a.startsWith(one);
    case 'notStartsWith': return (a) => !a.startsWith(one);
    case 'endsWith': return (a) => a.endsWith(one);
    case 'notEndsWith': return (a) => !a.endsWith(one);
    case 'contains': return (a) => a.includes(one);
    case 'notContains': return (a) => !a.includes(one);
    case 'in': return (a) => list.has(a);
    case 'notIn': return (a) => !list.has(a);
    default: return () => false;
  }
}
