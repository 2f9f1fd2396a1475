/**
 * `$filter` parser: recursive descent over the tokens, binding property paths against a resource
 * catalogue as it goes, so the result is a typed tree (`FilterExpr`) or a Graph-style 400.
 *
 * Grammar (precedence low → high; `not` is accepted before any comparison, as Graph users write it):
 *   or      := and ( 'or' and )*
 *   and     := unary ( 'and' unary )*
 *   unary   := 'not' unary | primary
 *   primary := '(' or ')' | func '(' path ',' literal ')' | path '/' ('any'|'all') '(' [ var ':' or ] ')'
 *            | operand ( cmpop literal | 'in' ( '(' | '[' ) literal (',' literal)* ( ')' | ']' ) )
 *   operand := path | var [ '/' field ]
 */
import { BadRequest, UnsupportedQuery } from '../../errors/graph.ts';
import { syntaxError, tokenize, type Token } from './lexer.ts';
import { convertLiteral, isLiteralToken } from './literals.ts';
import { enclosingCollection, resolveProperty, unknownProperty, unsupportedFilter } from './properties.ts';
import {
  defaultLimits, isTextual,
  type Catalogue, type CompareOp, type FilterExpr, type Limits, type PropertyDef, type StringFunction, type Target,
} from './types.ts';

const COMPARE: ReadonlySet<string> = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const FUNCTIONS: ReadonlySet<string> = new Set(['startswith', 'endswith', 'contains']);
const KEYWORDS: ReadonlySet<string> = new Set(['and', 'or', 'not', 'in', 'has', ...COMPARE]);

interface LambdaScope {
  readonly variable: string;
  /** Catalogue key of the collection. */
  readonly collection: string;
  readonly def: PropertyDef;
}

class FilterParser {
  private readonly tokens: Token[];
  private i = 0;
  private depth = 0;
  private nodes = 0;
  private scope: LambdaScope | undefined;

  constructor(
    private readonly text: string,
    private readonly catalogue: Catalogue,
    private readonly limits: Limits,
  ) {
    this.tokens = tokenize(text);
  }

  parse(): FilterExpr {
    const expr = this.parseOr();
    if (this.peek().kind !== 'end') this.fail();
    return expr;
  }

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.i + offset, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'end') this.i++;
    return t;
  }

  private fail(tok: Token = this.peek()): never {
    return syntaxError(this.text, tok.end);
  }

  private expect(kind: Token['kind']): Token {
    const t = this.peek();
    if (t.kind !== kind) this.fail(t);
    return this.next();
  }

  private isKeyword(word: string, tok: Token = this.peek()): boolean {
    // OData keywords are case-sensitive lower-case; Graph also accepts `NOT`, `AND`, `OR` in upper case.
    return tok.kind === 'ident' && tok.text.toLowerCase() === word;
  }

  private enter(): void {
    if (++this.depth > this.limits.maxDepth) {
      throw new BadRequest(`Invalid filter clause: the query exceeds the maximum nesting depth of ${this.limits.maxDepth}.`);
    }
  }

  private count(): void {
    if (++this.nodes > this.limits.maxNodes) {
      throw new BadRequest(`Invalid filter clause: the query has more than ${this.limits.maxNodes} clauses.`);
    }
  }

  private parseOr(): FilterExpr {
    this.enter();
    let left = this.parseAnd();
    while (this.isKeyword('or')) {
      this.next();
      left = { kind: 'or', left, right: this.parseAnd() };
    }
    this.depth--;
    return left;
  }

  private parseAnd(): FilterExpr {
    let left = this.parseUnary();
    while (this.isKeyword('and')) {
      this.next();
      left = { kind: 'and', left, right: this.parseUnary() };
    }
    return left;
  }

  private parseUnary(): FilterExpr {
    if (this.isKeyword('not')) {
      this.next();
      this.enter();
      const operand = this.parseUnary();
      this.depth--;
      return { kind: 'not', operand };
    }
    return this.parsePrimary();
  }

  private parsePrimary(): FilterExpr {
    const t = this.peek();
    if (t.kind === '(') {
      this.next();
      const inner = this.parseOr();
      this.expect(')');
      return inner;
    }
    if (t.kind !== 'ident' || KEYWORDS.has(t.text.toLowerCase()) || isLiteralToken(t)) this.fail(t);
    if (FUNCTIONS.has(t.text.toLowerCase()) && this.peek(1).kind === '(') return this.parseFunction();
    if (this.peek(1).kind === '(') {
      throw new UnsupportedQuery(`Invalid filter clause: unsupported function '${t.text}' at position ${t.pos}.`);
    }
    const lambda = this.tryLambda();
    if (lambda) return lambda;
    const target = this.parseOperand();
    return this.parseComparison(target);
  }

  /** `prop/any(x: …)`: a path whose last segment is any/all followed by `(`. */
  private tryLambda(): FilterExpr | undefined {
    const segs: Token[] = [this.peek()];
    let k = 1;
    while (this.peek(k).kind === '/' && this.peek(k + 1).kind === 'ident') {
      segs.push(this.peek(k + 1));
      k += 2;
    }
    const last = segs[segs.length - 1]!;
    const op = last.text.toLowerCase();
    if (segs.length < 2 || (op !== 'any' && op !== 'all') || this.peek(k).kind !== '(') return undefined;
    if (this.scope) {
      throw new UnsupportedQuery(`Invalid filter clause: nested lambda expressions are not supported (position ${last.pos}).`);
    }
    const pathToks = segs.slice(0, -1);
    const raw = pathToks.map((s) => s.text).join('/');
    const resolved = resolveProperty(this.catalogue, raw);
    if (!resolved) return unknownProperty(this.catalogue, raw);
    if (!resolved.def.collection || enclosingCollection(this.catalogue, resolved.path) !== undefined) {
      throw new BadRequest(`Invalid filter clause: '${raw}' is not a collection; '${last.text}' needs one (position ${last.pos}).`);
    }
    if (resolved.def.filterable === false) return unsupportedFilter(this.catalogue, resolved.path);
    this.count();
    this.i += k; // past path and any/all
    this.expect('(');
    if (this.peek().kind === ')') {
      const close = this.next();
      if (op === 'all') this.fail(close); // all() has no meaning without a predicate
      return { kind: 'lambda', op, collection: resolved.path, predicate: null };
    }
    const v = this.expect('ident');
    if (KEYWORDS.has(v.text.toLowerCase()) || v.text.includes('.')) this.fail(v);
    this.expect(':');
    this.scope = { variable: v.text, collection: resolved.path, def: resolved.def };
    const predicate = this.parseOr();
    this.scope = undefined;
    this.expect(')');
    return { kind: 'lambda', op, collection: resolved.path, predicate };
  }

  /** A property path, or inside a lambda the range variable / one of its fields. */
  private parseOperand(): Target {
    const first = this.expect('ident');
    const segs = [first.text];
    while (this.peek().kind === '/') {
      this.next();
      segs.push(this.expect('ident').text);
    }
    const scope = this.scope;
    if (scope && segs[0] === scope.variable) {
      if (segs.length === 1) {
        if (scope.def.type === 'complex') {
          throw new BadRequest(`Invalid filter clause: '${scope.variable}' is a complex value; compare one of its properties (position ${first.pos}).`);
        }
        return { kind: 'element', path: scope.collection, type: scope.def.type };
      }
      const field = segs.slice(1).join('/');
      const resolved = resolveProperty(this.catalogue, `${scope.collection}/${field}`);
      if (!resolved || resolved.def.type === 'complex') return unknownProperty(this.catalogue, field);
      if (resolved.def.filterable === false) return unsupportedFilter(this.catalogue, resolved.path);
      return { kind: 'element', path: resolved.path, field: resolved.path.slice(scope.collection.length + 1), type: resolved.def.type };
    }
    const raw = segs.join('/');
    const resolved = resolveProperty(this.catalogue, raw);
    if (!resolved) return unknownProperty(this.catalogue, raw);
    if (scope) {
      throw new UnsupportedQuery(`Invalid filter clause: inside '${scope.collection}/any' only the range variable '${scope.variable}' can be used (position ${first.pos}).`);
    }
    const { def, path } = resolved;
    if (def.filterable === false || def.type === 'complex') return unsupportedFilter(this.catalogue, path);
    const coll = def.collection ? path : enclosingCollection(this.catalogue, path);
    if (coll !== undefined) {
      throw new BadRequest(`Invalid filter clause: '${coll}' is a collection; use '${coll}/any(…)' (position ${first.pos}).`);
    }
    return { kind: 'property', path, type: def.type };
  }

  private defOf(target: Target): PropertyDef {
    return this.catalogue.properties[target.path]!;
  }

  private parseComparison(target: Target): FilterExpr {
    const opTok = this.peek();
    const op = opTok.kind === 'ident' ? opTok.text.toLowerCase() : '';
    this.count();
    if (COMPARE.has(op)) {
      this.next();
      const lit = this.next();
      if (!isLiteralToken(lit)) this.fail(lit);
      const value = convertLiteral(lit, target.type, this.defOf(target), op, target.path);
      if (value === null && op !== 'eq' && op !== 'ne') {
        throw new BadRequest(`Invalid filter clause: '${op}' cannot compare with null (position ${lit.pos}).`);
      }
      // Enums order by member value in OData, not alphabetically; rather than answer wrongly, refuse.
      if ((target.type === 'boolean' || target.type === 'enum') && op !== 'eq' && op !== 'ne') {
        throw new UnsupportedQuery(`Invalid filter clause: operator '${op}' is not supported on ${target.type} property '${target.path}'.`);
      }
      return { kind: 'compare', op: op as CompareOp, target, value };
    }
    if (op === 'in') {
      this.next();
      const open = this.next();
      if (open.kind !== '(' && open.kind !== '[') this.fail(open);
      const values = [];
      for (;;) {
        const lit = this.next();
        if (!isLiteralToken(lit)) this.fail(lit);
        values.push(convertLiteral(lit, target.type, this.defOf(target), 'in', target.path));
        if (values.length > this.limits.maxInValues) {
          throw new BadRequest(`Invalid filter clause: 'in' accepts at most ${this.limits.maxInValues} values.`);
        }
        const sep = this.next();
        if (sep.kind === ',') continue;
        if (sep.kind === (open.kind === '(' ? ')' : ']')) break;
        this.fail(sep);
      }
      return { kind: 'in', target, values };
    }
    if (op === 'has') {
      throw new UnsupportedQuery(`Invalid filter clause: operator 'has' is not supported (position ${opTok.pos}).`);
    }
    return this.fail(opTok);
  }

  private parseFunction(): FilterExpr {
    const nameTok = this.next();
    const name = nameTok.text.toLowerCase() as StringFunction;
    this.count();
    this.expect('(');
    const target = this.parseOperand();
    if (!isTextual(target.type) || target.type === 'guid') {
      throw new BadRequest(`Invalid filter clause: '${name}' needs a string property, '${target.path}' is not one.`);
    }
    this.expect(',');
    const lit = this.next();
    if (lit.kind !== 'string') this.fail(lit);
    this.expect(')');
    // `startswith(x,'a') eq true` is how some clients write it.
    if (this.isKeyword('eq') || this.isKeyword('ne')) {
      const negate = this.next().text.toLowerCase() === 'ne';
      const b = this.next();
      if (!(b.kind === 'ident' && (b.text === 'true' || b.text === 'false'))) this.fail(b);
      const expr: FilterExpr = { kind: 'function', name, target, value: lit.text };
      return (b.text === 'true') !== negate ? expr : { kind: 'not', operand: expr };
    }
    return { kind: 'function', name, target, value: lit.text };
  }
}

/**
 * Parses a `$filter` value against a resource catalogue.
 * @throws GraphError `BadRequest` for syntax, unknown properties and type errors; `Request_UnsupportedQuery` for
 *   valid OData Tessera does not implement (`has`, nested lambdas, non-filterable properties).
 * @example parseFilter("signInEventTypes/any(t: t eq 'nonInteractiveUser')", catalogues.signIn)
 */
export function parseFilter(text: string, catalogue: Catalogue, limits: Limits = defaultLimits): FilterExpr {
  if (text.length > limits.maxFilterLength) {
    throw new BadRequest(`Invalid filter clause: the filter is longer than ${limits.maxFilterLength} characters.`);
  }
  if (text.trim() === '') throw new BadRequest(`Invalid filter clause: the filter is empty.`);
  return new FilterParser(text, catalogue, limits).parse();
}
