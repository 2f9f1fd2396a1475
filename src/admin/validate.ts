/**
 * Request body validation with zod, reported the way Graph reports it: an unknown property, a
 * read-only property, or a value of the wrong type is a 400 that names the property.
 */
import { z } from 'zod';
import { BadRequest } from '../errors/graph.ts';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Printable text: no control characters, no lone surrogates, bounded length. */
export function text(max = 256) {
  return z.string().max(max, `must be at most ${max} characters`).refine((s) => !LONE_SURROGATE.test(s) && !/[\u0000-\u001f\u007f]/.test(s), 'contains control characters or invalid unicode');
}

export const nonEmpty = (max = 256) => text(max).refine((s) => s.trim() !== '', 'must not be empty');
export const guid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'must be a GUID').transform((s) => s.toLowerCase());
export const stringList = (max = 256, items = 100) => z.array(text(max)).max(items, `must have at most ${items} items`);

/**
 * Parses `body` with a strict object schema. Properties in `readOnly` get Graph's read-only message;
 * `@odata.type` annotations are accepted and ignored.
 */
export function parseBody<T extends z.ZodRawShape>(schema: z.ZodObject<T>, body: Record<string, unknown>, typeName: string, readOnly: readonly string[] = []): z.infer<z.ZodObject<T>> {
  const clean: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) {
    if (k === '@odata.type') continue;
    if (readOnly.includes(k)) throw new BadRequest(`Property '${k}' is read-only and cannot be set.`);
    if (!Object.hasOwn(schema.shape, k)) throw new BadRequest(`Property '${k.slice(0, 100)}' does not exist as a declared property or extension property of type 'microsoft.graph.${typeName}'.`);
    clean[k] = v;
  }
  const r = schema.strict().safeParse(clean);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') throw new BadRequest(`Property '${String(issue.keys[0]).slice(0, 100)}' does not exist as a declared property or extension property.`);
  const path = issue.path.join('.') || '(body)';
  if (issue.code === 'invalid_type') {
    const value = valueAt(clean, issue.path);
    if (value === undefined) throw new BadRequest(`Property '${path}' is required.`);
    throw new BadRequest(`Invalid value for property '${path}': expected ${issue.expected}, got ${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value}.`);
  }
  throw new BadRequest(`Invalid value for property '${path}': ${issue.message}.`);
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur = root;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[k];
  }
  return cur;
}

/** A modifiedProperties entry for an audit record, values as JSON text as Entra writes them. */
export function modified(displayName: string, oldValue: unknown, newValue: unknown): { displayName: string; oldValue: string | null; newValue: string | null } {
  return { displayName, oldValue: oldValue === undefined ? null : JSON.stringify(oldValue), newValue: newValue === undefined ? null : JSON.stringify(newValue) };
}

/** modifiedProperties for every key of `patch` whose value differs from `before`. */
export function changes(before: Record<string, unknown>, patch: Record<string, unknown>): { displayName: string; oldValue: string | null; newValue: string | null }[] {
  return Object.entries(patch)
    .filter(([k, v]) => v !== undefined && JSON.stringify(before[k]) !== JSON.stringify(v))
    .map(([k, v]) => modified(k.charAt(0).toUpperCase() + k.slice(1), before[k] ?? null, v));
}
