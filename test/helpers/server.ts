/**
 * Starts a real Tessera (real HTTP on 127.0.0.1, real SQLite and DuckDB files in a temporary folder)
 * for flow tests, with known bootstrap credentials.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.ts';
import { startTessera, type RunningTessera } from '../../src/server/start.ts';

export const ADMIN_USER = 'admin@contoso.test';
export const ADMIN_PASSWORD = 'Correct-Horse-9-Battery';
export const CLIENT_ID = '11111111-2222-4333-8444-555555555555';
export const CLIENT_SECRET = 'bootstrap-secret-0123456789abcdef';

export interface TestServer extends RunningTessera {
  tenantId: string;
  /** `${url}/${tenantId}` */
  authority: string;
  dataDir: string;
  stop(): Promise<void>;
}

export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-test-'));
  const fullEnv: NodeJS.ProcessEnv = {
    TESSERA_TENANT_DOMAIN: 'contoso.test',
    TESSERA_BOOTSTRAP_ADMIN_USER: ADMIN_USER,
    TESSERA_BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD,
    TESSERA_BOOTSTRAP_CLIENT_ID: CLIENT_ID,
    TESSERA_BOOTSTRAP_CLIENT_SECRET: CLIENT_SECRET,
    TESSERA_LOG_LEVEL: 'silent',
    ...env,
  };
  const config = loadConfig(fullEnv, { port: '0', dataDir });
  const running = await startTessera(config, { env: fullEnv });
  const tenantId = running.bootstrap!.tenantId;
  return {
    ...running,
    tenantId,
    authority: `${running.url}/${tenantId}`,
    dataDir,
    async stop() {
      await running.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** An app-only Graph token for the bootstrap automation client (Global Administrator). */
export async function adminToken(s: TestServer): Promise<string> {
  const res = await fetch(`${s.authority}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: CLIENT_SECRET, scope: 'https://graph.microsoft.com/.default' }),
  });
  if (!res.ok) throw new Error(`admin token: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** Calls the Graph-shaped admin API with a token; returns status and parsed JSON (or text). */
export async function graph(s: TestServer, token: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(`${s.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try { parsed = text ? JSON.parse(text) : undefined; } catch { /* not JSON */ }
  return { status: res.status, body: parsed, headers: res.headers };
}
