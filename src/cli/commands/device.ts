/**
 * `tessera device …` — the device agent (docs/token-protection.md §4): registers this machine,
 * signs a user in through it, gets DPoP-bound access tokens through the device-bound session, and
 * unregisters it (server first, then the local state).
 *
 * State lives in `--state DIR` (default `~/.tessera-device`, mode 0700): `state.json` (0600: the
 * authority, the device id, the session token) and `keys/`, the software key store of
 * `tessera/device` (device, transport, DPoP and session keys encrypted at rest, files 0600). The
 * keys never leave the store, so a copy of `state.json` alone is worthless (test/attacks/).
 */
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { hostname, platform, release } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DeviceClient, DeviceClientError, KeyStoreError, SoftwareKeyStore, type DeviceSession } from '../../../sdk/device/index.ts';
import { brokerClientId } from '../../protocol/device/broker.ts';
import type { CliCommand, CliIO } from '../command.ts';
import { CliUsageError } from '../command.ts';

interface AgentState {
  authority: string;
  deviceId: string;
  clientId: string;
  trustType: string;
  registeredAt: string;
  user?: string;
  session?: DeviceSession;
  /** The last access token per scope, for `fetch`. */
  tokens?: Record<string, { access_token: string; expiresAt: number }>;
}

type Flags = Record<string, { type: 'string' | 'boolean' }>;
const STATE_FLAG: Flags = { state: { type: 'string' } };

function parse(args: string[], options: Flags, positionals = 0): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  let r;
  try {
    r = parseArgs({ args, options: { ...STATE_FLAG, ...options }, strict: true, allowPositionals: positionals > 0 });
  } catch (e) {
    throw new CliUsageError((e as Error).message.split('\n')[0]!);
  }
  if (r.positionals.length > positionals) throw new CliUsageError(`Unexpected argument '${r.positionals[positionals]}'`);
  return r as { values: Record<string, string | boolean | undefined>; positionals: string[] };
}

const str = (v: string | boolean | undefined): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function stateDir(values: Record<string, unknown>, io: CliIO): string {
  const dir = str(values.state as string | undefined);
  if (dir) return dir;
  const home = io.env.HOME ?? io.env.USERPROFILE;
  if (!home) throw new CliUsageError('--state is required when HOME is not set');
  return join(home, '.tessera-device');
}

async function loadState(dir: string): Promise<AgentState | undefined> {
  let raw: string;
  try {
    raw = await readFile(join(dir, 'state.json'), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    const s = JSON.parse(raw) as AgentState;
    if (typeof s.authority !== 'string' || typeof s.deviceId !== 'string' || typeof s.clientId !== 'string') throw new Error('fields missing');
    return s;
  } catch {
    throw new Error(`${join(dir, 'state.json')} is damaged; run 'tessera device unregister --local-only' and register again`);
  }
}

async function requireState(dir: string): Promise<AgentState> {
  const s = await loadState(dir);
  if (!s) throw new Error(`no device registered in ${dir}; run 'tessera device register' first`);
  return s;
}

/** Written to a temporary file (0600) and renamed, so a crash never leaves half a state file. */
async function saveState(dir: string, s: AgentState): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const tmp = join(dir, `state.json.${process.pid}.tmp`);
  await writeFile(tmp, `${JSON.stringify(s, null, 2)}\n`, { mode: 0o600 });
  await rename(tmp, join(dir, 'state.json'));
}

async function clientFor(dir: string, authority: string, clientId: string): Promise<{ client: DeviceClient; store: SoftwareKeyStore }> {
  const store = await SoftwareKeyStore.open({ dir: join(dir, 'keys') });
  return { client: new DeviceClient({ authority, store, clientId }), store };
}

/** Protocol and key-store failures as one line (main prints it and exits 1). */
async function agentCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof DeviceClientError) {
      if (e.error === 'interaction_required') throw new Error('a verification code is required: add --otp CODE');
      throw new Error(e.error === 'network' ? `cannot reach the server: ${e.description}` : `${e.error}${e.suberror ? ` (${e.suberror})` : ''}: ${e.description}`);
    }
    if (e instanceof KeyStoreError) throw new Error(`key store: ${e.message}`);
    throw e;
  }
}

/** `http(s)://HOST[:PORT]/TENANT` and the tenant id behind it (from OpenID discovery), which names the broker client. */
async function resolveAuthority(raw: string): Promise<{ authority: string; tenantId: string }> {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new CliUsageError(`--authority '${raw.slice(0, 100)}' is not a URL (http://HOST:PORT/TENANT)`);
  }
  const segments = u.pathname.split('/').filter(Boolean);
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || segments.length !== 1 || u.search || u.hash) {
    throw new CliUsageError('--authority must look like http://HOST:PORT/TENANT');
  }
  const authority = `${u.origin}/${segments[0]}`;
  let res: Response;
  try {
    res = await fetch(`${authority}/v2.0/.well-known/openid-configuration`, { signal: AbortSignal.timeout(15_000) });
  } catch (e) {
    throw new Error(`cannot reach ${authority}: ${(e as Error).message}`);
  }
  const doc = (await res.json().catch(() => ({}))) as { issuer?: unknown };
  const tenantId = typeof doc.issuer === 'string' ? /\/([0-9a-f-]{36})\/v2\.0$/i.exec(doc.issuer)?.[1] : undefined;
  if (res.status !== 200 || !tenantId) throw new Error(`${authority} is not a Tessera tenant (discovery answered HTTP ${res.status})`);
  return { authority, tenantId };
}

function osName(): string {
  return ({ win32: 'Windows', darwin: 'macOS', linux: 'Linux' } as Record<string, string>)[platform()] ?? platform();
}

const register: CliCommand = {
  path: ['device', 'register'],
  summary: 'Register this device (new device, transport and DPoP keys) with a tenant',
  usage: `tessera device register --authority http://HOST:PORT/TENANT (--user UPN --password P [--otp CODE] | --enrollment-token T)
                        [--join] [--name NAME] [--os OS] [--os-version V] [--state DIR]

Creates the keys in the state directory's key store and the device object in the directory.
With user credentials the device is registered (Workplace) and the user becomes its owner; with an
administrator's enrollment token it can be joined (--join: trustType AzureAD).`,
  async run(args, io) {
    const { values } = parse(args, { authority: { type: 'string' }, user: { type: 'string' }, password: { type: 'string' }, otp: { type: 'string' }, 'enrollment-token': { type: 'string' }, join: { type: 'boolean' }, name: { type: 'string' }, os: { type: 'string' }, 'os-version': { type: 'string' } });
    const rawAuthority = str(values.authority);
    if (!rawAuthority) throw new CliUsageError('--authority is required');
    const token = str(values['enrollment-token']);
    const user = str(values.user);
    const password = str(values.password);
    if (token && (user || password)) throw new CliUsageError('use either --user/--password or --enrollment-token, not both');
    if (!token && (!user || !password)) throw new CliUsageError('--user and --password (or --enrollment-token) are required');
    if (values.join && !token) throw new CliUsageError('--join needs --enrollment-token');
    const dir = stateDir(values, io);
    const existing = await loadState(dir);
    if (existing) throw new Error(`this state directory already holds device ${existing.deviceId}; run 'tessera device unregister' first`);
    const { authority, tenantId } = await resolveAuthority(rawAuthority);
    const clientId = brokerClientId(tenantId);
    const { client } = await clientFor(dir, authority, clientId);
    const device = { displayName: str(values.name) ?? hostname().slice(0, 256), operatingSystem: str(values.os) ?? osName(), operatingSystemVersion: str(values['os-version']) ?? release(), ...(values.join ? { trustType: 'AzureAD' as const } : {}) };
    const reg = await agentCall(() => client.register(token ? { enrollmentToken: token, device } : { username: user!, password: password!, ...(str(values.otp) ? { otp: str(values.otp)! } : {}), device }));
    await saveState(dir, { authority, deviceId: reg.deviceId, clientId, trustType: reg.trustType, registeredAt: new Date().toISOString() });
    io.out(`Registered device ${reg.deviceId} (${reg.trustType}) with ${authority}`);
    return 0;
  },
};

const login: CliCommand = {
  path: ['device', 'login'],
  summary: 'Sign a user in on this device: a device-bound session',
  usage: `tessera device login --user UPN --password P [--otp CODE] [--state DIR]

The request is signed by the device key; the answer is a session token and a session key that only
this device's transport key can open.`,
  async run(args, io) {
    const { values } = parse(args, { user: { type: 'string' }, password: { type: 'string' }, otp: { type: 'string' } });
    const user = str(values.user);
    const password = str(values.password);
    if (!user || !password) throw new CliUsageError('--user and --password are required');
    const dir = stateDir(values, io);
    const s = await requireState(dir);
    const { client, store } = await clientFor(dir, s.authority, s.clientId);
    const session = await agentCall(() => client.login(s.deviceId, { username: user, password, ...(str(values.otp) ? { otp: str(values.otp)! } : {}) }));
    if (s.session && s.session.sessionKeyId !== session.sessionKeyId) await store.delete(`sk-${s.session.sessionKeyId}`).catch(() => false);
    await saveState(dir, { ...s, user, session, tokens: {} });
    io.out(`Signed in ${user} on device ${s.deviceId}; session valid until ${new Date(session.expiresAt * 1000).toISOString()}`);
    return 0;
  },
};

/** The session, renewed first when its renewal time has come (the key rolls with it). */
async function currentSession(dir: string, s: AgentState, client: DeviceClient): Promise<{ s: AgentState; session: DeviceSession }> {
  if (!s.session) throw new Error(`no user signed in on this device; run 'tessera device login' first`);
  const now = Math.floor(Date.now() / 1000);
  if (s.session.expiresAt <= now) throw new Error(`the session expired at ${new Date(s.session.expiresAt * 1000).toISOString()}; run 'tessera device login' again`);
  if (now < s.session.refreshAt) return { s, session: s.session };
  const session = await agentCall(() => client.renew(s.session!));
  const next = { ...s, session };
  await saveState(dir, next);
  return { s: next, session };
}

const token: CliCommand = {
  path: ['device', 'token'],
  summary: 'Print a DPoP-bound access token obtained through the device session',
  usage: `tessera device token --scope SCOPE [--client-id APP_ID] [--state DIR]

Prints {"access_token", "token_type", "expires_in"}. The token is bound to this device's DPoP key
(cnf.jkt): it is useless without a proof made with that key.`,
  async run(args, io) {
    const { values } = parse(args, { scope: { type: 'string' }, 'client-id': { type: 'string' } });
    const scope = str(values.scope);
    if (!scope) throw new CliUsageError('--scope is required');
    const dir = stateDir(values, io);
    const loaded = await requireState(dir);
    const { client } = await clientFor(dir, loaded.authority, loaded.clientId);
    const { s, session } = await currentSession(dir, loaded, client);
    const at = await agentCall(() => client.acquireToken(session, { clientId: str(values['client-id']) ?? s.clientId, scope }));
    await saveState(dir, { ...s, tokens: { ...s.tokens, [scope]: { access_token: at.access_token, expiresAt: Math.floor(Date.now() / 1000) + at.expires_in } } });
    io.out(JSON.stringify({ access_token: at.access_token, token_type: at.token_type, expires_in: at.expires_in }));
    return 0;
  },
};

const fetchCmd: CliCommand = {
  path: ['device', 'fetch'],
  summary: 'Call an API with a bound token and a fresh DPoP proof',
  usage: `tessera device fetch URL [--scope SCOPE] [--method GET] [--data BODY] [--state DIR]

Uses the token for --scope (obtained now if none is cached), or the most recent one from
'tessera device token'. Prints the response body; a non-2xx answer exits 1.`,
  async run(args, io) {
    const { values, positionals } = parse(args, { scope: { type: 'string' }, method: { type: 'string' }, data: { type: 'string' } }, 1);
    const url = positionals[0];
    if (!url) throw new CliUsageError('URL is required');
    if (!/^https?:\/\/[^\s]+$/i.test(url) || !URL.canParse(url)) throw new CliUsageError(`'${url.slice(0, 100)}' is not an http(s) URL`);
    const method = (str(values.method) ?? 'GET').toUpperCase();
    if (!/^[A-Z]{1,16}$/.test(method)) throw new CliUsageError(`--method '${method.slice(0, 20)}' is not an HTTP method`);
    const dir = stateDir(values, io);
    const loaded = await requireState(dir);
    const { client } = await clientFor(dir, loaded.authority, loaded.clientId);
    const now = Math.floor(Date.now() / 1000);
    const scope = str(values.scope);
    let at = scope ? loaded.tokens?.[scope] : Object.values(loaded.tokens ?? {}).sort((a, b) => b.expiresAt - a.expiresAt)[0];
    if (!at || at.expiresAt - 60 <= now) {
      if (!scope) throw new CliUsageError('no usable token cached; give --scope');
      const { s, session } = await currentSession(dir, loaded, client);
      const t = await agentCall(() => client.acquireToken(session, { clientId: s.clientId, scope }));
      at = { access_token: t.access_token, expiresAt: now + t.expires_in };
      await saveState(dir, { ...s, tokens: { ...s.tokens, [scope]: at } });
    }
    const token = at.access_token;
    const data = str(values.data);
    const res = await agentCall(async () => {
      try {
        return await client.fetchWithToken(url, token, { method, ...(data !== undefined ? { body: data } : {}) });
      } catch (e) {
        throw new DeviceClientError('network', (e as Error).message, 0);
      }
    });
    const body = await res.text();
    if (res.status < 200 || res.status > 299) {
      const why = res.headers.get('www-authenticate') ?? body.replace(/\s+/g, ' ').slice(0, 200);
      throw new Error(`HTTP ${res.status}${why ? `: ${why}` : ''}`);
    }
    io.out(body);
    return 0;
  },
};

const status: CliCommand = {
  path: ['device', 'status'],
  summary: "Show this device's registration, session and keys",
  usage: 'tessera device status [--state DIR]\n\nPrints JSON; never prints a token or a key.',
  async run(args, io) {
    const { values } = parse(args, {});
    const dir = stateDir(values, io);
    const s = await loadState(dir);
    if (!s) {
      io.out(JSON.stringify({ registered: false, state: dir }));
      return 0;
    }
    const store = await SoftwareKeyStore.open({ dir: join(dir, 'keys') });
    const keys = (await store.list()).map((k) => ({ name: k.name, alg: k.alg, protection: k.protection, ...(k.jkt ? { jkt: k.jkt } : {}) }));
    const now = Math.floor(Date.now() / 1000);
    io.out(JSON.stringify({
      registered: true, state: dir, authority: s.authority, deviceId: s.deviceId, trustType: s.trustType, registeredAt: s.registeredAt,
      user: s.user ?? null,
      session: s.session ? { expiresAt: new Date(s.session.expiresAt * 1000).toISOString(), renewAt: new Date(s.session.refreshAt * 1000).toISOString(), expired: s.session.expiresAt <= now } : null,
      keys,
    }, null, 2));
    return 0;
  },
};

const unregister: CliCommand = {
  path: ['device', 'unregister'],
  summary: 'Remove this device from the directory (proved with its device key), then delete its keys and session',
  usage: `tessera device unregister [--local-only] [--state DIR]

Asks the server to remove this device: the request is signed by the device key over a fresh server
nonce, and Tessera deletes the device object and revokes its session tokens (a copy of the session
token is worthless from then on). Then the keys and the state file are deleted here.

If the server cannot be reached or refuses (e.g. an administrator disabled the device), nothing is
deleted and the reason is printed. --local-only skips the server: the keys and state are deleted,
and the device object stays until an administrator deletes it (DELETE /v1.0/devices(deviceId='…')).`,
  async run(args, io) {
    const { values } = parse(args, { 'local-only': { type: 'boolean' } });
    const dir = stateDir(values, io);
    const localOnly = values['local-only'] === true;
    let s: AgentState | undefined;
    try {
      s = await loadState(dir);
    } catch {
      if (!localOnly) throw new Error(`${join(dir, 'state.json')} is damaged, so the server cannot be asked to remove the device; add --local-only to delete the local state anyway`);
    }
    let outcome = '';
    if (s && !localOnly) {
      const device = s;
      const { client } = await clientFor(dir, device.authority, device.clientId);
      try {
        const r = await agentCall(async () => {
          try {
            return await client.unregister(device.deviceId);
          } catch (e) {
            // Already gone (an administrator deleted it): what the user asked for has happened.
            if (e instanceof DeviceClientError && e.suberror === 'device_unknown') return undefined;
            throw e;
          }
        });
        outcome = r ? `removed from ${device.authority} (${r.revokedTokens} token${r.revokedTokens === 1 ? '' : 's'} revoked)` : `${device.authority} no longer knows it`;
      } catch (e) {
        throw new Error(`${(e as Error).message}; nothing deleted (add --local-only to delete the local state anyway)`);
      }
    }
    const store = await SoftwareKeyStore.open({ dir: join(dir, 'keys') });
    for (const k of await store.list()) await store.delete(k.name);
    await rm(join(dir, 'keys'), { recursive: true, force: true });
    await rm(join(dir, 'state.json'), { force: true });
    if (!s) io.out(`Nothing registered in ${dir}; keys (if any) deleted`);
    else if (localOnly) io.out(`Unregistered device ${s.deviceId} locally: keys and session deleted from ${dir}; the device object stays in ${s.authority} until an administrator deletes it`);
    else io.out(`Unregistered device ${s.deviceId}: ${outcome}; keys and session deleted from ${dir}`);
    return 0;
  },
};

export const deviceCommands: CliCommand[] = [register, login, token, fetchCmd, status, unregister];
