/**
 * IP address parsing without allocation-heavy libraries: IPv4 as an unsigned 32-bit number, IPv6 as two unsigned
 * 64-bit halves. Used for range lookups (ASN table, operator lists), subnet keys for baselines and the
 * "not routable → unknown location" rule.
 */

export type ParsedIp =
  | { readonly version: 4; readonly v4: number }
  | { readonly version: 6; readonly hi: bigint; readonly lo: bigint };

const V4_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function parseIpv4(s: string): number | undefined {
  const m = V4_RE.exec(s);
  if (!m) return undefined;
  let n = 0;
  for (let i = 1; i <= 4; i++) {
    const part = m[i]!;
    if (part.length > 1 && part[0] === '0') return undefined; // RFC 6943 §3.1.1: reject ambiguous octal forms
    const o = Number(part);
    if (o > 255) return undefined;
    n = n * 256 + o;
  }
  return n;
}

/** Parse an IPv6 address (RFC 4291 §2.2 text forms incl. `::` and an embedded IPv4 tail); zone ids are dropped. */
export function parseIpv6(input: string): { hi: bigint; lo: bigint } | undefined {
  let s = input;
  const pct = s.indexOf('%');
  if (pct >= 0) s = s.slice(0, pct);
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  if (!s.includes(':')) return undefined;
  const dbl = s.indexOf('::');
  if (dbl >= 0 && s.indexOf('::', dbl + 1) >= 0) return undefined;
  const head = dbl >= 0 ? s.slice(0, dbl) : s;
  const tail = dbl >= 0 ? s.slice(dbl + 2) : '';
  const toGroups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const pieces = part.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const p = pieces[i]!;
      if (i === pieces.length - 1 && p.includes('.')) {
        const v4 = parseIpv4(p);
        if (v4 === undefined) return undefined;
        out.push(v4 >>> 16, v4 & 0xffff);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return undefined;
        out.push(parseInt(p, 16));
      }
    }
    return out;
  };
  const h = toGroups(head);
  const t = toGroups(tail);
  if (!h || !t) return undefined;
  let groups: number[];
  if (dbl >= 0) {
    if (h.length + t.length > 7) return undefined;
    groups = [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
  } else {
    if (h.length !== 8) return undefined;
    groups = h;
  }
  let hi = 0n;
  let lo = 0n;
  for (let i = 0; i < 4; i++) hi = (hi << 16n) | BigInt(groups[i]!);
  for (let i = 4; i < 8; i++) lo = (lo << 16n) | BigInt(groups[i]!);
  return { hi, lo };
}

export function parseIp(s: string): ParsedIp | undefined {
  const v4 = parseIpv4(s);
  if (v4 !== undefined) return { version: 4, v4 };
  const v6 = parseIpv6(s);
  if (!v6) return undefined;
  // IPv4-mapped IPv6 (::ffff:a.b.c.d, RFC 4291 §2.5.5.2) is treated as the IPv4 address it carries.
  if (v6.hi === 0n && v6.lo >> 32n === 0xffffn) return { version: 4, v4: Number(v6.lo & 0xffffffffn) };
  return { version: 6, hi: v6.hi, lo: v6.lo };
}

const v4Cidr = (a: number, b: number, c: number, d: number, len: number): [number, number] => {
  const start = ((a << 24) >>> 0) + (b << 16) + (c << 8) + d;
  return [start, start + 2 ** (32 - len) - 1];
};

/** IANA special-purpose IPv4 ranges (RFC 6890 and successors) that carry no public location. */
const V4_SPECIAL: ReadonlyArray<[number, number]> = [
  v4Cidr(0, 0, 0, 0, 8), v4Cidr(10, 0, 0, 0, 8), v4Cidr(100, 64, 0, 0, 10), v4Cidr(127, 0, 0, 0, 8),
  v4Cidr(169, 254, 0, 0, 16), v4Cidr(172, 16, 0, 0, 12), v4Cidr(192, 0, 0, 0, 24), v4Cidr(192, 0, 2, 0, 24),
  v4Cidr(192, 168, 0, 0, 16), v4Cidr(198, 18, 0, 0, 15), v4Cidr(198, 51, 100, 0, 24), v4Cidr(203, 0, 113, 0, 24),
  v4Cidr(224, 0, 0, 0, 4), v4Cidr(240, 0, 0, 0, 4),
];

/** True for private, loopback, link-local, CGNAT, documentation, multicast and reserved addresses. */
export function isNonPublic(ip: ParsedIp): boolean {
  if (ip.version === 4) return V4_SPECIAL.some(([s, e]) => ip.v4 >= s && ip.v4 <= e);
  const top16 = Number(ip.hi >> 48n);
  if (ip.hi === 0n) return true; // ::, ::1, IPv4-compatible
  if ((top16 & 0xfe00) === 0xfc00) return true; // fc00::/7 unique local (RFC 4193)
  if ((top16 & 0xffc0) === 0xfe80) return true; // fe80::/10 link-local
  if ((top16 & 0xff00) === 0xff00) return true; // ff00::/8 multicast
  if (ip.hi >> 32n === 0x20010db8n) return true; // 2001:db8::/32 documentation (RFC 3849)
  // Only 2000::/3 is allocated global unicast (RFC 4291 §2.4).
  return (top16 & 0xe000) !== 0x2000;
}

/**
 * A key for the address's network: /24 for IPv4 and /48 for IPv6. A /48 is the usual site assignment
 * (RFC 6177) — an IPv6 host's /64 rotates with privacy extensions (RFC 8981), so /64 would look "new" daily.
 */
export function subnetKey(ip: ParsedIp): string {
  if (ip.version === 4) return `4:${ip.v4 >>> 8}`;
  return `6:${(ip.hi >> 16n).toString(16)}`;
}

/** A stable key for the address itself; IPv6 keys use the /64 (privacy addresses change the interface id). */
export function addressKey(ip: ParsedIp): string {
  if (ip.version === 4) return `4:${ip.v4}`;
  return `6:${ip.hi.toString(16)}`;
}

export function formatIpv4(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}
