/**
 * zod schemas of `namedLocation` (graph-shapes §2): IP ranges (v4/v6 CIDR, trusted flag) and
 * countries (ISO 3166 alpha-2, unknown-country switch, lookup method). The subtype is read from
 * `@odata.type`, or inferred from the properties when an export dropped the annotation.
 */
import { z } from 'zod';
import { isIP } from 'node:net';
import { ciEnum, collection } from './coerce.ts';

/** `a.b.c.d/n` or `x::y/n`; graph-shapes §2: prefixes must be longer than /8. */
function cidr(s: string): { family: 4 | 6; prefix: number } | string {
  const slash = s.indexOf('/');
  if (slash < 0) return `'${s}' is not CIDR notation (address/prefix)`;
  const addr = s.slice(0, slash);
  const prefixText = s.slice(slash + 1);
  const family = isIP(addr);
  if (family === 0) return `'${addr}' is not an IP address`;
  if (!/^\d{1,3}$/.test(prefixText)) return `'${prefixText}' is not a prefix length`;
  const prefix = Number(prefixText);
  const max = family === 4 ? 32 : 128;
  if (prefix > max) return `prefix /${prefix} is longer than /${max}`;
  if (prefix <= 8) return `prefix /${prefix} is too broad: Entra requires prefixes longer than /8`;
  return { family: family as 4 | 6, prefix };
}

const ipRange = z.preprocess(
  (v) => (typeof v === 'string' ? { cidrAddress: v } : v),
  z.object({ cidrAddress: z.string() }).transform((r, ctx) => {
    const c = cidr(r.cidrAddress.trim());
    if (typeof c === 'string') {
      ctx.addIssue({ code: 'custom', message: c });
      return z.NEVER;
    }
    return {
      '@odata.type': c.family === 4 ? '#microsoft.graph.iPv4CidrRange' : '#microsoft.graph.iPv6CidrRange',
      cidrAddress: r.cidrAddress.trim(),
    } as const;
  }),
);

const base = {
  id: z.string().optional(),
  displayName: z.string({ error: 'displayName is required (a string)' }).trim().min(1, 'displayName must not be empty'),
  createdDateTime: z.string().nullable().optional(),
  modifiedDateTime: z.string().nullable().optional(),
  deletedDateTime: z.string().nullable().optional(),
};

export const ipNamedLocationSchema = z.object({
  ...base,
  '@odata.type': z.literal('#microsoft.graph.ipNamedLocation'),
  isTrusted: z.boolean({ error: 'isTrusted is required (true or false)' }),
  ipRanges: collection(ipRange).check((ctx) => {
    if (ctx.value.length > 2000) ctx.issues.push({ code: 'custom', message: 'at most 2000 IP ranges per location', input: ctx.value });
  }),
});

export const countryNamedLocationSchema = z.object({
  ...base,
  '@odata.type': z.literal('#microsoft.graph.countryNamedLocation'),
  countriesAndRegions: collection(
    z.string().transform((s, ctx) => {
      const up = s.trim().toUpperCase();
      if (!/^[A-Z]{2}$/.test(up)) {
        ctx.addIssue({ code: 'custom', message: `'${s}' is not a two-letter country code` });
        return z.NEVER;
      }
      return up;
    }),
  ),
  includeUnknownCountriesAndRegions: z.boolean({ error: 'includeUnknownCountriesAndRegions is required (true or false)' }),
  countryLookupMethod: z.preprocess((v) => v ?? 'clientIpAddress', ciEnum(['clientIpAddress', 'authenticatorAppGps', 'unknownFutureValue'] as const)),
});

export const namedLocationSchema = z.discriminatedUnion('@odata.type', [ipNamedLocationSchema, countryNamedLocationSchema]);

export type IpNamedLocation = z.output<typeof ipNamedLocationSchema>;
export type CountryNamedLocation = z.output<typeof countryNamedLocationSchema>;
export type NamedLocation = z.output<typeof namedLocationSchema>;
