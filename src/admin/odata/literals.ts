/**
 * Converting `$filter` literals to the type of the property they are compared with, with only the
 * promotions OData allows (integer → double, date → DateTimeOffset at midnight UTC, string ↔ guid/enum
 * as Graph accepts quoted ids and enum members).
 */
import { BadRequest } from '../../errors/graph.ts';
import type { Token } from './lexer.ts';
import { edmName, type LiteralValue, type PropertyDef, type ScalarType } from './types.ts';

const GUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** EDM type of a literal token as written, for error messages. */
function literalEdm(tok: Token): string {
  switch (tok.kind) {
    case 'string': return 'Edm.String';
    case 'number': return /[.eE]/.test(tok.text) ? 'Edm.Double' : 'Edm.Int32';
    case 'guid': return 'Edm.Guid';
    case 'dateTime': return 'Edm.DateTimeOffset';
    case 'date': return 'Edm.Date';
    case 'enum': return tok.enumType ?? 'Edm.Enum';
    case 'ident': return tok.text === 'null' ? 'null' : 'Edm.Boolean';
    default: return tok.kind;
  }
}

const opKind: Record<string, string> = {
  eq: 'Equal', ne: 'NotEqual', gt: 'GreaterThan', ge: 'GreaterThanOrEqual', lt: 'LessThan', le: 'LessThanOrEqual',
  in: 'In', startswith: 'StartsWith', endswith: 'EndsWith', contains: 'Contains',
};

function incompatible(type: ScalarType, tok: Token, op: string): never {
  throw new BadRequest(
    `A binary operator with incompatible types was detected. Found operand types '${edmName(type)}' and '${literalEdm(tok)}' for operator kind '${opKind[op] ?? op}'.`,
  );
}

/** True for the tokens that can start a literal. */
export function isLiteralToken(tok: Token): boolean {
  return (
    tok.kind === 'string' || tok.kind === 'number' || tok.kind === 'guid' || tok.kind === 'dateTime' ||
    tok.kind === 'date' || tok.kind === 'enum' ||
    (tok.kind === 'ident' && (tok.text === 'true' || tok.text === 'false' || tok.text === 'null'))
  );
}

const DTO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:[Zz]|[+-](\d{2}):(\d{2}))$/;

/** Validates every field (Date.parse rolls 2024-02-30 over to March) and normalises to UTC with milliseconds. */
function toIsoUtc(text: string): string | undefined {
  const m = DTO.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, sec, oh, om] = m.slice(1).map((x) => (x === undefined ? 0 : Number(x))) as number[];
  const daysInMonth = new Date(Date.UTC(y!, mo!, 0)).getUTCDate();
  if (mo! < 1 || mo! > 12 || d! < 1 || d! > daysInMonth || h! > 23 || mi! > 59 || sec! > 59 || oh! > 23 || om! > 59) return undefined;
  const ms = Date.parse(text);
  if (!Number.isFinite(ms)) return undefined;
  // An offset can push 9999-12-31 into year 10000, whose ISO form (+010000-…) no longer sorts as text.
  const year = new Date(ms).getUTCFullYear();
  return year >= 0 && year <= 9999 ? new Date(ms).toISOString() : undefined;
}

/**
 * Converts one literal token for comparison with a property of type `def`.
 * @param op the operator or function, for error messages
 */
export function convertLiteral(tok: Token, type: ScalarType, def: PropertyDef, op: string, path: string): LiteralValue {
  if (tok.kind === 'ident' && tok.text === 'null') return null;
  switch (type) {
    case 'string':
      if (tok.kind === 'string') return tok.text;
      return incompatible(type, tok, op);
    case 'guid':
      if ((tok.kind === 'guid' || tok.kind === 'string') && GUID_RE.test(tok.text)) return tok.text.toLowerCase();
      if (tok.kind === 'string') throw new BadRequest(`Invalid GUID literal '${tok.text}' for property '${path}'.`);
      return incompatible(type, tok, op);
    case 'enum': {
      if (tok.kind !== 'string' && tok.kind !== 'enum') return incompatible(type, tok, op);
      const members = def.members;
      if (members && !members.includes(tok.text)) {
        const folded = members.find((m) => m.toLowerCase() === tok.text.toLowerCase());
        if (folded === undefined) {
          throw new BadRequest(`The string '${tok.text}' is not a valid enumeration value for property '${path}'.`);
        }
        return folded;
      }
      return tok.text;
    }
    case 'boolean':
      if (tok.kind === 'ident' && (tok.text === 'true' || tok.text === 'false')) return tok.text === 'true';
      return incompatible(type, tok, op);
    case 'int':
    case 'double': {
      if (tok.kind !== 'number') return incompatible(type, tok, op);
      const n = Number(tok.text);
      if (!Number.isFinite(n)) throw new BadRequest(`Numeric literal '${tok.text}' is out of range.`);
      if (type === 'int' && !Number.isInteger(n)) {
        // OData promotes the integer property to double for the comparison; keep the fractional value.
        return n;
      }
      if (type === 'int' && !Number.isSafeInteger(n)) throw new BadRequest(`Numeric literal '${tok.text}' is out of range.`);
      return n;
    }
    case 'dateTime': {
      if (tok.kind !== 'dateTime' && tok.kind !== 'date') return incompatible(type, tok, op);
      const iso = toIsoUtc(tok.kind === 'date' ? `${tok.text}T00:00:00Z` : tok.text);
      if (iso === undefined) throw new BadRequest(`Invalid DateTimeOffset literal '${tok.text}'.`);
      return iso;
    }
  }
}
