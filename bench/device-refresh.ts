/**
 * Refresh through the device-bound session with proof (Tessera's session grant: session proof HS256
 * under the session key + DPoP proof, answered with a DPoP-bound access token), side by side with
 * panva's oidc-provider DPoP-bound `refresh_token` grant (public client, proof per request, rotation).
 * Each server runs in its own process and the load in a third one (bench/lib/load.ts); the two are
 * measured in alternating rounds so load from other processes on the machine hits both alike.
 * Target (issue 3): Tessera ≥ 2x.
 *
 * Run alone: `node --import tsx bench/device-refresh.ts [seconds]`.
 *
 * This file is also the load client module for the Tessera side (`createClient`): every virtual
 * client registers its own device and signs in once (setup, not measured), then loops on the session
 * grant with fresh proofs, as `DeviceClient.acquireToken` does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildSessionProof, createDpopProof, DeviceClient, MemoryKeyStore } from '../sdk/device/index.ts';
import type { ClientFactory, LoadRequest, LoadResult } from './lib/load.ts';
import { runLoadInChild } from './lib/load.ts';
import type { RefreshParams } from './lib/clients/refresh.ts';
import { cpuSecondsOf, startPeer } from './lib/proc.ts';
import type { RunContext } from './lib/scenarios.ts';

const SELF = fileURLToPath(import.meta.url);
const REFRESH_CLIENT = fileURLToPath(new URL('./lib/clients/refresh.ts', import.meta.url));
const OIDC_PROVIDER = fileURLToPath(new URL('./peers/oidc-provider.ts', import.meta.url));
const GRANT_SESSION = 'urn:tessera:params:oauth:grant-type:session';
const SCOPE = 'https://graph.microsoft.com/.default';
const ROUNDS = 3;
// The harness's default for every throughput row. With 8, Tessera's server sat ≈ 57% idle (profiled):
// the figure measured the closed-loop client's latency, not the server.
const CONNECTIONS = 32;
// Each slice warms up its server for a second before measuring (JIT, caches), the same for both sides.
const WARMUP_MS = 1000;

interface SessionParams { authority: string; tokenPath: string; clientId: string; username: string; password: string }

/** Load client for the Tessera side (runs in the load worker process). */
export const createClient: ClientFactory = async (index, params, { baseUrl }) => {
  const p = params as SessionParams;
  const store = new MemoryKeyStore();
  const agent = new DeviceClient({ authority: p.authority, store, clientId: p.clientId });
  const reg = await agent.register({ username: p.username, password: p.password, device: { displayName: `bench-${index}`, operatingSystem: 'Windows', operatingSystemVersion: '10.0.22631' } });
  const session = await agent.login(reg.deviceId, { username: p.username, password: p.password });
  const dpopJkt = (await store.get('dpop'))!.jkt!;
  const htu = `${baseUrl}${p.tokenPath}`;
  let deviceNonce = await agent.nonce();
  let dpopNonce: string | undefined;
  let ok = 0;
  let bound = 0;
  return {
    async next(): Promise<LoadRequest> {
      const proof = await buildSessionProof(store, { audience: p.authority, nonce: deviceNonce, sessionKeyId: session.sessionKeyId, sessionToken: session.sessionToken, clientId: p.clientId, scope: SCOPE, dpopJkt });
      const dpop = await createDpopProof(store, { method: 'POST', url: htu, ...(dpopNonce ? { nonce: dpopNonce } : {}) });
      const body = new URLSearchParams({ grant_type: GRANT_SESSION, client_id: p.clientId, scope: SCOPE, session_token: session.sessionToken, proof }).toString();
      return { method: 'POST', path: p.tokenPath, headers: { 'content-type': 'application/x-www-form-urlencoded', dpop }, body };
    },
    onResponse(status, body, headers) {
      const n = headers['dpop-nonce'];
      if (typeof n === 'string') dpopNonce = n;
      const t = headers['tessera-nonce'];
      if (typeof t === 'string') deviceNonce = t;
      if (status !== 200) return;
      ok++;
      if (body.includes('"token_type":"DPoP"')) bound++;
    },
    counters: () => ({ ok, dpopBound: bound }),
  };
};

async function tesseraSide(ctx: RunContext): Promise<{ baseUrl: string; pid: number; params: SessionParams; stop: () => Promise<void> }> {
  const { startTessera, BOOTSTRAP, TENANT } = await import('./targets/tessera.ts');
  const { brokerClientId } = await import('../src/protocol/device/broker.ts');
  const s = await startTessera(ctx);
  try {
    const doc = await (await fetch(`${s.authority}/v2.0/.well-known/openid-configuration`)).json() as { issuer: string };
    const tenantId = /\/([0-9a-f-]{36})\/v2\.0$/.exec(doc.issuer)![1]!;
    // One registration first: creates the tenant's broker client before the load clients use it.
    await new DeviceClient({ authority: s.authority, store: new MemoryKeyStore(), clientId: brokerClientId(tenantId) }).register({ username: BOOTSTRAP.adminUser, password: BOOTSTRAP.adminPassword });
    return {
      baseUrl: s.baseUrl, pid: s.pid, stop: s.stop,
      params: { authority: `${s.baseUrl}/${TENANT}`, tokenPath: new URL(s.tokenUrl).pathname, clientId: brokerClientId(tenantId), username: BOOTSTRAP.adminUser, password: BOOTSTRAP.adminPassword },
    };
  } catch (e) {
    await s.stop();
    throw e;
  }
}

interface Measured { load: LoadResult; cpuSeconds: number | undefined }

/** One bounded load run, with the server's CPU time over the measured window (req/CPU-s is the fairer figure on a shared machine). */
async function measure(spec: Parameters<typeof runLoadInChild>[0], pid: number, log: (s: string) => void): Promise<Measured> {
  let start: number | undefined;
  let end: number | undefined;
  const load = await runLoadInChild(spec, log, { onMeasureStart: () => { start = cpuSecondsOf(pid); }, onMeasureEnd: () => { end = cpuSecondsOf(pid); } });
  return { load, cpuSeconds: start !== undefined && end !== undefined ? end - start : undefined };
}

const perCpu = (m: Measured): number => (m.cpuSeconds ? m.load.requests / m.cpuSeconds : 0);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const summary = (m: Measured) => ({ reqPerCpuSecond: Math.round(perCpu(m)), ...summaryOf(m.load) });
const summaryOf = (r: LoadResult) => ({ rps: Math.round(r.rps), p50: r.latencyMs.p50, p99: r.latencyMs.p99, requests: r.requests, errors: r.errors, counters: r.counters, ...(r.errorSamples.length ? { errorSamples: r.errorSamples } : {}) });

export async function run(opts: { log: (s: string) => void; duration?: number }): Promise<Record<string, unknown>> {
  const { log } = opts;
  const seconds = Math.min(Math.max(opts.duration ?? 6, 1.5), 120);
  const sliceMs = Math.round((seconds * 1000) / ROUNDS);
  const tmpDir = mkdtempSync(join(process.env.TESSERA_BENCH_TMP ?? tmpdir(), 'tessera-device-refresh-'));
  const ctx: RunContext = { log, durationMs: sliceMs, warmupMs: WARMUP_MS, connections: CONNECTIONS, maxRequests: 1_000_000, tmpDir } as RunContext;
  let tessera: Awaited<ReturnType<typeof tesseraSide>> | undefined;
  let op: Awaited<ReturnType<typeof startPeer>> | undefined;
  try {
    tessera = await tesseraSide(ctx);
    op = await startPeer(OIDC_PROVIDER);
    const opParams: RefreshParams = { tokenPath: '/token', clientId: 'bench-public', auth: 'none', dpop: true, source: { kind: 'mint', path: '/__bench/mint?client=bench-public&count=1' } };
    const rounds: { tessera: Measured; op: Measured }[] = [];
    const bounded = { connections: CONNECTIONS, durationMs: sliceMs, warmupMs: WARMUP_MS, maxRequests: 1_000_000, killAfterMs: sliceMs + 120_000 };
    for (let i = 0; i < ROUNDS; i++) {
      const t = await measure({ ...bounded, baseUrl: tessera.baseUrl, clientModule: SELF, clientParams: tessera.params, setupConcurrency: 4 }, tessera.pid, log);
      const o = await measure({ ...bounded, baseUrl: op.baseUrl, clientModule: REFRESH_CLIENT, clientParams: opParams, setupConcurrency: 4 }, op.pid, log);
      rounds.push({ tessera: t, op: o });
      log(`round ${i + 1}: Tessera session grant ${Math.round(t.load.rps)} req/s, ${Math.round(perCpu(t))} req/CPU-s (${t.load.errors} errors); oidc-provider DPoP refresh ${Math.round(o.load.rps)} req/s, ${Math.round(perCpu(o))} req/CPU-s (${o.load.errors} errors)`);
    }
    const rpsRatio = median(rounds.map((r) => (r.op.load.rps > 0 ? r.tessera.load.rps / r.op.load.rps : 0)));
    const cpuRatio = median(rounds.map((r) => (perCpu(r.op) > 0 ? perCpu(r.tessera) / perCpu(r.op) : 0)));
    return {
      what: 'Tessera session grant (session proof + DPoP proof → DPoP-bound access token) vs oidc-provider 9 DPoP-bound refresh_token grant (rotation)',
      connections: CONNECTIONS, rounds: ROUNDS, secondsPerSlice: sliceMs / 1000, loadAverage: loadavg().map((x) => Math.round(x * 100) / 100),
      tessera: rounds.map((r) => summary(r.tessera)), oidcProvider: rounds.map((r) => summary(r.op)),
      medianRatio: Math.round(rpsRatio * 100) / 100, medianRatioPerCpuSecond: Math.round(cpuRatio * 100) / 100, target: 2, met: rpsRatio >= 2,
    };
  } finally {
    await op?.stop();
    await tessera?.stop();
    rmSync(tmpDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const seconds = Number(process.argv[2] ?? 6);
  run({ log: (s) => console.log(s), duration: Number.isFinite(seconds) ? seconds : 6 }).then((r) => {
    console.log(JSON.stringify(r, null, 2));
    process.exit(0);
  }, (e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
