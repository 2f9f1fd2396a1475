/**
 * zod building blocks that accept what real exports contain (graph-shapes §1 "[C1]" notes):
 * `[]` where an object or null belongs, `null` where a collection belongs, a bare string where
 * PowerShell's ConvertTo-Json collapsed a one-element array, flag enums as comma strings or
 * arrays, and enum members in any letter case. Each block normalises to the one Graph form.
 */
import { z } from 'zod';

/** An enum member compared case-insensitively and returned in its declared spelling. */
export function ciEnum<const T extends readonly [string, ...string[]]>(values: T, aliases: Record<string, T[number]> = {}) {
  const byLower = new Map<string, T[number]>(values.map((v) => [v.toLowerCase(), v]));
  for (const [k, v] of Object.entries(aliases)) byLower.set(k.toLowerCase(), v);
  return z.string().transform((s, ctx) => {
    const hit = byLower.get(s.trim().toLowerCase());
    if (hit === undefined) {
      ctx.addIssue({ code: 'custom', message: `'${s}' is not one of ${values.join(', ')}` });
      return z.NEVER;
    }
    return hit;
  });
}

/** A string collection (never null in Graph): `null`/missing → `[]`, `"x"` → `["x"]`. */
export function collection<T extends z.ZodType>(item: T) {
  return z.preprocess(
    (v) => (v === null || v === undefined ? [] : typeof v === 'string' ? [v] : v),
    z.array(item, { error: (iss) => (iss.code === 'invalid_type' ? 'expected a list of values' : undefined) }),
  );
}

export const idList = collection(z.string({ error: 'expected a string id' }));

/** An optional complex property: `[]` (seen in exports) or missing → `null`. */
export function optionalObject<T extends z.ZodType>(schema: T) {
  return z.preprocess((v) => (v === undefined || (Array.isArray(v) && v.length === 0) ? null : v), schema.nullable());
}

/**
 * A flags enum (graph-shapes §0 ⚑): accepts `"a,b"`, `"a, b"` or `["a","b"]`, validates each
 * member, and returns the canonical comma string, or null when empty.
 */
export function flags<const T extends readonly [string, ...string[]]>(values: T) {
  const member = ciEnum(values);
  return z.preprocess(
    (v) => {
      if (v === undefined || v === null) return null;
      if (Array.isArray(v)) return v.length ? v.map(String).join(',') : null;
      return v;
    },
    z
      .string()
      .nullable()
      .transform((s, ctx) => {
        if (s === null || s.trim() === '') return null;
        const out: string[] = [];
        for (const part of s.split(',')) {
          const r = member.safeParse(part.trim());
          if (!r.success) {
            ctx.addIssue({ code: 'custom', message: `flag '${part.trim()}' is not one of ${values.join(', ')}` });
            return z.NEVER;
          }
          if (!out.includes(r.data)) out.push(r.data);
        }
        return out.join(',');
      }),
  );
}

/** Splits a canonical flags string back into members. */
export function flagList(s: string | null | undefined): string[] {
  return s ? s.split(',') : [];
}
