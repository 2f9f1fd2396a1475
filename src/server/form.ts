/**
 * application/x-www-form-urlencoded bodies as OAuth reads them. RFC 6749 §3.1: parameters sent
 * without a value are treated as omitted, and no parameter may appear more than once; the repeat
 * is reported by `get`, so endpoints answer `invalid_request` naming it.
 */
import { InvalidRequest } from '../errors/oauth.ts';

export class FormParams {
  private readonly values = new Map<string, string[]>();

  constructor(body: string | URLSearchParams | Record<string, unknown> | undefined | null) {
    if (typeof body === 'string') body = new URLSearchParams(body);
    if (body instanceof URLSearchParams) {
      for (const [k, v] of body) this.add(k, v);
    } else if (body && typeof body === 'object') {
      for (const [k, v] of Object.entries(body)) {
        for (const x of Array.isArray(v) ? v : [v]) if (typeof x === 'string') this.add(k, x);
      }
    }
  }

  private add(k: string, v: string): void {
    if (v === '') return;
    const arr = this.values.get(k);
    if (arr) arr.push(v);
    else this.values.set(k, [v]);
  }

  /** The single value of `name`, or undefined. Repeated parameters are an error. */
  get(name: string): string | undefined {
    const v = this.values.get(name);
    if (!v) return undefined;
    if (v.length > 1) throw new InvalidRequest(`The '${name}' parameter is included more than once.`, { aadsts: 90015 });
    return v[0];
  }

  require(name: string, aadsts = 900144): string {
    const v = this.get(name);
    if (v === undefined) throw new InvalidRequest(`The request body must contain the following parameter: '${name}'.`, { aadsts });
    return v;
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  names(): string[] {
    return [...this.values.keys()];
  }
}
