/**
 * The client address that logs, risk and location conditions see. Only when the socket peer is a
 * trusted proxy (TESSERA_TRUSTED_PROXIES) are `Forwarded` (RFC 7239) or `X-Forwarded-For` believed,
 * walking right to left past trusted hops, so a client cannot spoof its address by sending the header.
 */
import { BlockList, isIP } from 'node:net';

export type TrustCheck = (ip: string) => boolean;

export function trustedProxies(cidrs: readonly string[]): TrustCheck {
  if (cidrs.length === 0) return () => false;
  const list = new BlockList();
  for (const c of cidrs) {
    const [addr, bits] = c.split('/');
    const family = isIP(addr ?? '');
    if (!family) throw new Error(`TESSERA_TRUSTED_PROXIES: '${c}' is not an address or CIDR`);
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(addr!, type);
    else {
      const n = Number(bits);
      if (!Number.isInteger(n) || n < 0 || n > (family === 6 ? 128 : 32)) throw new Error(`TESSERA_TRUSTED_PROXIES: bad prefix in '${c}'`);
      list.addSubnet(addr!, n, type);
    }
  }
  return (ip) => {
    const f = isIP(ip);
    if (!f) return false;
    return list.check(ip, f === 6 ? 'ipv6' : 'ipv4') || (ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 && list.check(ip.slice(7), 'ipv4'));
  };
}

function clean(ip: string): string {
  let s = ip.trim();
  if (s.startsWith('"') && s.endsWith('"')) s = s.slice(1, -1);
  if (s.startsWith('[')) s = s.slice(1, s.indexOf(']'));
  else if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(s)) s = s.slice(0, s.lastIndexOf(':'));
  if (s.startsWith('::ffff:') && isIP(s.slice(7)) === 4) s = s.slice(7);
  return s;
}

function forwardedChain(headers: Record<string, string | string[] | undefined>): string[] | undefined {
  const fwd = headers.forwarded;
  if (fwd) {
    const chain: string[] = [];
    for (const part of (Array.isArray(fwd) ? fwd.join(',') : fwd).split(',')) {
      const m = /(?:^|;)\s*for=("[^"]*"|[^;,\s]+)/i.exec(part);
      if (m?.[1]) chain.push(clean(m[1]));
    }
    if (chain.length) return chain;
  }
  const xff = headers['x-forwarded-for'];
  if (xff) return (Array.isArray(xff) ? xff.join(',') : xff).split(',').map(clean).filter(Boolean);
  return undefined;
}

export function clientIp(peer: string | undefined, headers: Record<string, string | string[] | undefined>, trusted: TrustCheck): string {
  let ip = clean(peer ?? '');
  if (!trusted(ip)) return ip;
  const chain = forwardedChain(headers);
  if (!chain) return ip;
  for (let i = chain.length - 1; i >= 0; i--) {
    const hop = chain[i]!;
    if (!isIP(hop)) return ip; // an obfuscated or garbage hop: stop at the last address we can vouch for
    ip = hop;
    if (!trusted(hop)) return hop;
  }
  return ip;
}
