/**
 * The Tessera target: starts `node bin/tessera.mjs start` in its own process with a fresh data
 * folder and bootstrap credentials, and registers Tessera's rows and the issue targets.
 *
 * What this assumes of the server (see docs/benchmarks.md, "What the harness expects of Tessera"):
 *  - `tessera start --port N --host 127.0.0.1 --data DIR` with the TESSERA_BOOTSTRAP_* env below;
 *  - ready when `GET /bench.local/v2.0/.well-known/openid-configuration` answers 200;
 *  - token endpoint `/bench.local/oauth2/v2.0/token`, authorize `/bench.local/oauth2/v2.0/authorize`
 *    (both also taken from the discovery document when present);
 *  - a public client for the code flow, created through `POST /v1.0/applications` (+ servicePrincipals);
 *  - optional `GET /metrics` (Prometheus text or JSON) for heap figures.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { RefreshParams } from '../lib/clients/refresh.ts';
import type { StaticParams } from '../lib/clients/static.ts';
import { basicAuth } from '../lib/clients/static.ts';
import { codeFlow } from '../lib/code-flow.ts';
import type { CodeFlowOptions } from '../lib/code-flow.ts';
import { freePort, outputTail, REPO_ROOT, sleep, stopChild } from '../lib/proc.ts';
import { NotAvailable, registerRow, registerTarget } from '../lib/scenarios.ts';
import type { RunContext } from '../lib/scenarios.ts';
import { measureTesseraMemory } from './tessera-memory.ts';

export const TENANT = 'bench.local';
export const BOOTSTRAP = {
  clientId: '6b3f2c1e-9a4d-4e8b-b7c2-5d1f0a9e8c73',
  clientSecret: 'bench-automation-secret-6f1c2d9e8a7b4c3d',
  adminUser: `admin@${TENANT}`,
  adminPassword: 'Bench-Admin-Passw0rd!-7c41',
};
export const REDIRECT_URI = 'http://127.0.0.1/bench/callback';
/** Scopes tried in order for the code flow; the first that yields a refresh token is used. */
export const REFRESH_SCOPES = (process.env.TESSERA_BENCH_SCOPE
  ? [process.env.TESSERA_BENCH_SCOPE]
  : ['openid profile offline_access https://graph.microsoft.com/.default', 'openid profile offline_access']);
/** Extra environment for the server during benchmarks: per-IP rate limit off (all load comes from 127.0.0.1), quiet log. */
export const BENCH_ENV: Record<string, string> = { TESSERA_BENCH: '1', TESSERA_RATE_LIMIT: '0', TESSERA_LOG_LEVEL: 'warn' };

const STATIC_CLIENT = fileURLToPath(new URL('../lib/clients/static.ts', import.meta.url));
const REFRESH_CLIENT = fileURLToPath(new URL('../lib/clients/refresh.ts', import.meta.url));
const SEED = fileURLToPath(new URL('./tessera-seed.ts', import.meta.url));
const PROBE = fileURLToPath(new URL('./memory-probe.mjs', import.meta.url));

export interface TesseraServer {
  baseUrl: string;
  authority: string;
  tokenUrl: string;
  authorizeUrl: string;
  pid: number;
  dataDir: string;
  /** Public client created by the seed step (before start), if it ran and worked. */
  seededClientId?: string;
  seedError?: string;
  /** Heap/RSS of the server after a forced GC, through the preloaded memory probe (SIGUSR2). */
  probeMemory(): Promise<NodeJS.MemoryUsage | undefined>;
  tail(): string;
  stop(): Promise<void>;
}

function serverEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_ENV: 'production',
    TESSERA_BOOTSTRAP_CLIENT_ID: BOOTSTRAP.clientId,
    TESSERA_BOOTSTRAP_CLIENT_SECRET: BOOTSTRAP.clientSecret,
    TESSERA_BOOTSTRAP_ADMIN_USER: BOOTSTRAP.adminUser,
    TESSERA_BOOTSTRAP_ADMIN_PASSWORD: BOOTSTRAP.adminPassword,
    TESSERA_TENANT_DOMAIN: TENANT,
    ...BENCH_ENV,
  };
}

/** Runs tessera-seed.ts on the (empty) data folder: bootstrap + a public code-flow client. */
function seed(dataDir: string): Promise<{ clientId?: string; error?: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', SEED, dataDir, REDIRECT_URI], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: serverEnv() });
  const tail = outputTail(child);
  return new Promise((resolve) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); }, 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const m = /BENCH_SEED (\{.*\})/.exec(tail());
      const clientId = m?.[1] ? (JSON.parse(m[1]) as { clientId?: string }).clientId : undefined;
      resolve(clientId ? { clientId } : { error: `seed exited with ${code}: ${tail().split('\n').slice(-4).join(' | ')}` });
    });
  });
}

/**
 * Starts Tessera; throws NotAvailable (with the server's last output) when it cannot. With `seed`,
 * the data folder is first seeded with a public code-flow client (see tessera-seed.ts).
 */
export async function startTessera(ctx: RunContext, opts: { seed?: boolean } = {}): Promise<TesseraServer> {
  const cli = join(REPO_ROOT, 'src/cli/main.ts');
  if (!existsSync(cli)) throw new NotAvailable('src/cli/main.ts does not exist yet (Tessera server not written)');
  const dataDir = mkdtempSync(join(ctx.tmpDir, 'tessera-'));
  const seeded = opts.seed ? await seed(dataDir) : {};
  if (seeded.error) ctx.log(`  seeding a code-flow client failed (will try the Graph API): ${seeded.error.slice(0, 300)}`);
  const port = await freePort();
  const child = spawn(process.execPath, ['--expose-gc', '--import', pathToFileURL(PROBE).href, 'bin/tessera.mjs', 'start', '--port', String(port), '--host', '127.0.0.1', '--data', dataDir], {
    cwd: REPO_ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...serverEnv(), BENCH_EXIT_ON_STDIN_END: '1' },
  });
  const tail = outputTail(child);
  const baseUrl = `http://127.0.0.1:${port}`;
  const authority = `${baseUrl}/${TENANT}`;
  const discoveryUrl = `${authority}/v2.0/.well-known/openid-configuration`;
  const deadline = Date.now() + 60_000;
  let discovery: Record<string, unknown> | undefined;
  let last = '';
  while (Date.now() < deadline && !discovery) {
    if (child.exitCode !== null) {
      throw new NotAvailable(`tessera start exited with ${child.exitCode}: ${tail().split('\n').slice(-6).join(' | ')}`);
    }
    try {
      const res = await fetch(discoveryUrl, { signal: AbortSignal.timeout(2000) });
      last = `HTTP ${res.status}`;
      if (res.status === 200) discovery = await res.json() as Record<string, unknown>;
      else await res.arrayBuffer();
    } catch (e) {
      last = e instanceof Error ? e.message : String(e);
    }
    if (!discovery) await sleep(250);
  }
  if (!discovery) {
    await stopChild(child);
    throw new NotAvailable(`discovery ${discoveryUrl} not answering 200 within 60 s (last: ${last}): ${tail().split('\n').slice(-6).join(' | ')}`);
  }
  // Endpoints from discovery (issuer host may differ from the loopback address we bound; keep our host).
  const local = (v: unknown, fallback: string): string => {
    if (typeof v !== 'string') return fallback;
    try { const u = new URL(v); return `${baseUrl}${u.pathname}`; } catch { return fallback; }
  };
  return {
    baseUrl, authority, pid: child.pid ?? 0, dataDir, tail,
    ...(seeded.clientId ? { seededClientId: seeded.clientId } : {}),
    ...(seeded.error ? { seedError: seeded.error } : {}),
    tokenUrl: local(discovery.token_endpoint, `${authority}/oauth2/v2.0/token`),
    authorizeUrl: local(discovery.authorization_endpoint, `${authority}/oauth2/v2.0/authorize`),
    stop: async () => {
      if (await stopChild(child, 5000) === 'killed') ctx.log('  note: tessera did not exit within 5 s of SIGTERM; killed');
    },
    probeMemory: () => new Promise((resolve) => {
      let buf = '';
      const onData = (d: Buffer): void => {
        buf += d.toString();
        const m = /BENCH_MEMORY (\{.*\})/.exec(buf);
        if (m?.[1]) { done(); resolve(JSON.parse(m[1]) as NodeJS.MemoryUsage); }
      };
      const done = (): void => { clearTimeout(timer); child.stdout?.off('data', onData); };
      const timer = setTimeout(() => { done(); resolve(undefined); }, 10_000);
      child.stdout?.on('data', onData);
      child.kill('SIGUSR2');
    }),
  };
}

/** An access token for the bootstrap automation client (admin API rights). */
export async function adminToken(s: TesseraServer): Promise<string> {
  const res = await fetch(s.tokenUrl, {
    method: 'POST', body: 'grant_type=client_credentials&scope=' + encodeURIComponent('https://graph.microsoft.com/.default'),
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth(BOOTSTRAP.clientId, BOOTSTRAP.clientSecret) },
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  if (res.status !== 200) throw new NotAvailable(`client_credentials for the bootstrap client failed: HTTP ${res.status} ${text.slice(0, 200)}`);
  const at = (JSON.parse(text) as { access_token?: string }).access_token;
  if (!at) throw new NotAvailable('client_credentials answered without access_token');
  return at;
}

/**
 * A public client with REDIRECT_URI for the code flow: TESSERA_BENCH_CLIENT_ID (+ TESSERA_BENCH_REDIRECT_URI)
 * if set, else the seeded one, else one created through the Graph-shaped admin API.
 */
export async function codeFlowClient(s: TesseraServer): Promise<{ clientId: string; redirectUri: string }> {
  if (process.env.TESSERA_BENCH_CLIENT_ID) {
    return { clientId: process.env.TESSERA_BENCH_CLIENT_ID, redirectUri: process.env.TESSERA_BENCH_REDIRECT_URI ?? REDIRECT_URI };
  }
  if (s.seededClientId) return { clientId: s.seededClientId, redirectUri: REDIRECT_URI };
  const at = await adminToken(s);
  const graph = async (path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> => {
    const res = await fetch(`${s.baseUrl}/v1.0${path}`, {
      method: 'POST', body: JSON.stringify(body), signal: AbortSignal.timeout(15_000),
      headers: { authorization: `Bearer ${at}`, 'content-type': 'application/json' },
    });
    const text = await res.text();
    let json: Record<string, unknown> = {};
    try { json = JSON.parse(text) as Record<string, unknown>; } catch { json = { raw: text.slice(0, 200) }; }
    return { status: res.status, json };
  };
  const app = await graph('/applications', {
    displayName: 'tessera-bench', signInAudience: 'AzureADMyOrg', isFallbackPublicClient: true,
    publicClient: { redirectUris: [REDIRECT_URI] },
  });
  const appId = app.json.appId;
  if (app.status >= 300 || typeof appId !== 'string') {
    throw new NotAvailable(`no code-flow client: seeding failed (${s.seedError ?? 'not run'}) and POST /v1.0/applications answered HTTP ${app.status} ${JSON.stringify(app.json).slice(0, 200)}`);
  }
  // A service principal may already be created with the application; a conflict is fine.
  const sp = await graph('/servicePrincipals', { appId });
  if (sp.status >= 300 && sp.status !== 409 && sp.status !== 400) {
    throw new NotAvailable(`POST /v1.0/servicePrincipals failed: HTTP ${sp.status} ${JSON.stringify(sp.json).slice(0, 200)}`);
  }
  return { clientId: appId, redirectUri: REDIRECT_URI };
}

/** Code-flow options for the admin user, after one probe flow picks a scope that yields a refresh token. */
export async function codeFlowOptions(s: TesseraServer): Promise<Omit<CodeFlowOptions, 'jar' | 'tokenRequestHeaders'>> {
  const { clientId, redirectUri } = await codeFlowClient(s);
  const base = {
    authority: s.authority, authorizeUrl: s.authorizeUrl, tokenUrl: s.tokenUrl, clientId, clientAuth: 'none' as const,
    redirectUri, username: BOOTSTRAP.adminUser, password: BOOTSTRAP.adminPassword,
  };
  const failures: string[] = [];
  for (const scope of REFRESH_SCOPES) {
    try {
      const r = await codeFlow({ ...base, scope });
      if (r.tokens.refresh_token) return { ...base, scope };
      failures.push(`"${scope}": no refresh_token`);
    } catch (e) {
      failures.push(`"${scope}": ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  throw new NotAvailable(`code flow did not yield a refresh token: ${failures.join('; ').slice(0, 600)}`);
}

/** Runs `fn` against a started Tessera and stops it on failure. */
async function withTessera<T>(ctx: RunContext, fn: (s: TesseraServer) => Promise<T>, seedClient = false): Promise<{ s: TesseraServer; value: T }> {
  const s = await startTessera(ctx, { seed: seedClient });
  try {
    return { s, value: await fn(s) };
  } catch (e) {
    await s.stop();
    throw e;
  }
}

registerRow({
  kind: 'throughput', group: 'client_credentials', id: 'tessera', role: 'tessera',
  label: 'Tessera (client_secret_basic, Graph .default)',
  async start(ctx) {
    const { s } = await withTessera(ctx, async (srv) => { await adminToken(srv); });
    const params: StaticParams = {
      path: new URL(s.tokenUrl).pathname,
      body: `grant_type=client_credentials&scope=${encodeURIComponent('https://graph.microsoft.com/.default')}`,
      headers: { authorization: basicAuth(BOOTSTRAP.clientId, BOOTSTRAP.clientSecret) },
    };
    return { baseUrl: s.baseUrl, pid: s.pid, stop: s.stop, client: { module: STATIC_CLIENT, params } };
  },
});

registerRow({
  kind: 'throughput', group: 'refresh_token', id: 'tessera', role: 'tessera',
  label: 'Tessera (rotation + reuse detection, public client from code flow)',
  async start(ctx) {
    const { s, value: flow } = await withTessera(ctx, codeFlowOptions, true);
    const params: RefreshParams = {
      tokenPath: new URL(s.tokenUrl).pathname, clientId: flow.clientId, auth: 'none', source: { kind: 'code-flow', flow },
    };
    return { baseUrl: s.baseUrl, pid: s.pid, stop: s.stop, client: { module: REFRESH_CLIENT, params, setupConcurrency: 4 } };
  },
});

registerRow({
  kind: 'throughput', group: 'bound_refresh', id: 'tessera-dpop', role: 'tessera',
  label: 'Tessera DPoP-bound refresh (public client, proof per request)',
  async start(ctx) {
    const { s, value: flow } = await withTessera(ctx, codeFlowOptions, true);
    const params: RefreshParams = {
      tokenPath: new URL(s.tokenUrl).pathname, clientId: flow.clientId, auth: 'none', dpop: true, source: { kind: 'code-flow', flow },
    };
    return { baseUrl: s.baseUrl, pid: s.pid, stop: s.stop, client: { module: REFRESH_CLIENT, params, setupConcurrency: 4 } };
  },
});

registerRow({
  kind: 'custom', group: 'memory', id: 'tessera', role: 'tessera',
  label: 'Tessera, embedded store (SQLite)',
  async run(ctx) {
    const { s, value: flow } = await withTessera(ctx, codeFlowOptions, true);
    try {
      return await measureTesseraMemory(ctx, s, flow);
    } finally {
      await s.stop();
    }
  },
});

registerTarget({ group: 'client_credentials', row: 'tessera', vs: 'limit', min: 0.7 });
registerTarget({ group: 'client_credentials', row: 'tessera', vs: 'oidc-provider', min: 2.5 });
registerTarget({ group: 'refresh_token', row: 'tessera', vs: 'oidc-provider', min: 2 });
registerTarget({ group: 'bound_refresh', row: 'tessera', vs: 'oidc-provider', min: 2 });
registerTarget({ group: 'bound_refresh', row: 'tessera-dpop', vs: 'oidc-provider', min: 2 });
