/**
 * An unbounded in-memory adapter for oidc-provider. The package's own MemoryAdapter is an LRU capped
 * at 1000 entries, which would evict live refresh tokens under load and make the memory figure
 * meaningless; this one keeps everything until it expires (checked lazily on read, swept on write).
 */
type Payload = Record<string, unknown> & { grantId?: string; uid?: string; userCode?: string; jti?: string; consumed?: number };

interface Entry { payload: Payload; expiresAt: number }

const store = new Map<string, Entry>();
const grants = new Map<string, Set<string>>();
const uids = new Map<string, string>();
const userCodes = new Map<string, string>();
const GRANTABLE = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest', 'PreAuthorizedCode']);

let writes = 0;
function sweep(): void {
  // Bounded incremental sweep: at most 64 entries per write, oldest insertion order first.
  const now = Date.now();
  let n = 0;
  for (const [k, e] of store) {
    if (n++ >= 64) break;
    if (e.expiresAt <= now) store.delete(k);
  }
}

export class BenchMemoryAdapter {
  constructor(private readonly model: string) {}

  private key(id: string): string { return `${this.model}:${id}`; }

  private get(key: string): Payload | undefined {
    const e = store.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= Date.now()) { store.delete(key); return undefined; }
    return e.payload;
  }

  async upsert(id: string, payload: Payload, expiresIn?: number): Promise<void> {
    const key = this.key(id);
    store.set(key, { payload, expiresAt: typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : Infinity });
    if (GRANTABLE.has(this.model) && payload.grantId) {
      let set = grants.get(payload.grantId);
      if (!set) { set = new Set(); grants.set(payload.grantId, set); }
      set.add(key);
    }
    if (this.model === 'Session' && payload.uid) uids.set(payload.uid, id);
    if (payload.userCode) userCodes.set(payload.userCode, id);
    if (++writes % 16 === 0) sweep();
  }

  async find(id: string): Promise<Payload | undefined> { return this.get(this.key(id)); }

  async findByUid(uid: string): Promise<Payload | undefined> {
    const id = uids.get(uid);
    return id === undefined ? undefined : this.find(id);
  }

  async findByUserCode(userCode: string): Promise<Payload | undefined> {
    const id = userCodes.get(userCode);
    return id === undefined ? undefined : this.find(id);
  }

  async consume(id: string): Promise<void> {
    const p = this.get(this.key(id));
    if (p) p.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id: string): Promise<void> {
    const key = this.key(id);
    const p = this.get(key);
    store.delete(key);
    if (p?.grantId) grants.get(p.grantId)?.delete(key);
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    const set = grants.get(grantId);
    if (set) for (const key of set) store.delete(key);
    grants.delete(grantId);
  }
}

export function storeSize(): number { return store.size; }
