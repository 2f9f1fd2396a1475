/**
 * The peer rows: the bare node:http limit and panva's oidc-provider, in every group they take part in.
 */
import { fileURLToPath } from 'node:url';
import type { RefreshParams } from '../lib/clients/refresh.ts';
import type { StaticParams } from '../lib/clients/static.ts';
import { basicAuth } from '../lib/clients/static.ts';
import { rssOf, startPeer } from '../lib/proc.ts';
import type { ServerProcess } from '../lib/proc.ts';
import { registerRow } from '../lib/scenarios.ts';
import type { RunContext } from '../lib/scenarios.ts';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));
export const BARE = here('./bare-limit.ts');
export const OIDC_PROVIDER = here('./oidc-provider.ts');
const STATIC_CLIENT = here('../lib/clients/static.ts');
const REFRESH_CLIENT = here('../lib/clients/refresh.ts');

/** Must match bench/peers/oidc-provider.ts. */
const OP_SECRET = 'bench-secret-0123456789abcdef0123456789abcdef';
export const CC_BODY = `grant_type=client_credentials&scope=${encodeURIComponent('https://graph.microsoft.com/.default')}`;

registerRow({
  kind: 'throughput', group: 'client_credentials', id: 'limit', role: 'limit',
  label: 'limit: bare node:http, form parse + 1 ES256 sign',
  async start() {
    const s = await startPeer(BARE);
    const params: StaticParams = { path: '/token', body: CC_BODY, headers: { authorization: basicAuth('bench', 'secret') } };
    return { baseUrl: s.baseUrl, pid: s.pid, stop: s.stop, client: { module: STATIC_CLIENT, params } };
  },
});

registerRow({
  kind: 'throughput', group: 'client_credentials', id: 'oidc-provider', role: 'peer',
  label: 'oidc-provider 9 (client_secret_basic, JWT AT)',
  async start() {
    const s = await startPeer(OIDC_PROVIDER);
    const params: StaticParams = { path: '/token', body: CC_BODY, headers: { authorization: basicAuth('bench-basic', OP_SECRET) } };
    return { baseUrl: s.baseUrl, pid: s.pid, stop: s.stop, client: { module: STATIC_CLIENT, params } };
  },
});

registerRow({
  kind: 'throughput', group: 'refresh_token', id: 'limit', role: 'limit',
  label: 'limit: bare node:http, form parse + 1 ES256 sign',
  async start() {
    const s = await startPeer(BARE);
    const params: RefreshParams = {
      tokenPath: '/token', clientId: 'bench', clientSecret: 'secret', auth: 'basic', source: { kind: 'tokens', tokens: ['opaque-refresh-token'] },
    };
    return { baseUrl: s.baseUrl, pid: s.pid, stop: s.stop, client: { module: REFRESH_CLIENT, params } };
  },
});

registerRow({
  kind: 'throughput', group: 'refresh_token', id: 'oidc-provider', role: 'peer',
  label: 'oidc-provider 9 (rotation, client_secret_basic, JWT AT + ID token)',
  async start() {
    const s = await startPeer(OIDC_PROVIDER);
    const params: RefreshParams = {
      tokenPath: '/token', clientId: 'bench-basic', clientSecret: OP_SECRET, auth: 'basic',
      source: { kind: 'mint', path: '/__bench/mint?client=bench-basic&count=1' },
    };
    return { baseUrl: s.baseUrl, pid: s.pid, stop: s.stop, client: { module: REFRESH_CLIENT, params } };
  },
});

registerRow({
  kind: 'throughput', group: 'bound_refresh', id: 'oidc-provider', role: 'peer',
  label: 'oidc-provider 9 DPoP-bound refresh (public client, proof per request)',
  async start() {
    const s = await startPeer(OIDC_PROVIDER);
    const params: RefreshParams = {
      tokenPath: '/token', clientId: 'bench-public', auth: 'none', dpop: true,
      source: { kind: 'mint', path: '/__bench/mint?client=bench-public&count=1' },
    };
    return { baseUrl: s.baseUrl, pid: s.pid, stop: s.stop, client: { module: REFRESH_CLIENT, params } };
  },
});

interface PeerMemory { rss: number; heapUsed: number; storeEntries?: number }

async function peerMemory(s: ServerProcess): Promise<PeerMemory> {
  const res = await fetch(`${s.baseUrl}/__bench/memory`, { signal: AbortSignal.timeout(30_000) });
  const m = await res.json() as PeerMemory;
  return { ...m, rss: rssOf(s.pid) ?? m.rss };
}

export const MEMORY_TOKENS = 100_000;

registerRow({
  kind: 'custom', group: 'memory', id: 'oidc-provider', role: 'peer',
  label: 'oidc-provider 9, unbounded in-memory adapter (1 Grant + 1 RefreshToken each)',
  async run(ctx: RunContext) {
    const s = await startPeer(OIDC_PROVIDER);
    try {
      const before = await peerMemory(s);
      const batch = 5000;
      const t0 = performance.now();
      for (let done = 0; done < MEMORY_TOKENS; done += batch) {
        const res = await fetch(`${s.baseUrl}/__bench/mint?client=bench-basic&count=${batch}&return=0`, { method: 'POST', signal: AbortSignal.timeout(120_000) });
        if (res.status !== 200) throw new Error(`mint failed: HTTP ${res.status} ${await res.text()}`);
        await res.arrayBuffer();
        if ((done / batch) % 5 === 4) ctx.log(`    minted ${done + batch}`);
      }
      const issueMs = performance.now() - t0;
      const after = await peerMemory(s);
      return {
        tokens: MEMORY_TOKENS,
        issueSeconds: Math.round(issueMs / 100) / 10,
        rssBefore: before.rss, rssAfter: after.rss, heapBefore: before.heapUsed, heapAfter: after.heapUsed,
        rssPer100k: after.rss - before.rss,
        heapPer100k: after.heapUsed - before.heapUsed,
        storeEntries: after.storeEntries,
        method: 'minted through provider.Grant/provider.RefreshToken inside the server process; heap after a forced GC',
      };
    } finally {
      await s.stop();
    }
  },
});
