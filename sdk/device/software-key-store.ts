/**
 * A software `KeyStore`: keys live in `{dir}/*.key`, each private key encrypted at rest with
 * AES-256-GCM under a key-encryption key derived with scrypt (RFC 7914; N=2^15, r=8, p=1) from
 * either a passphrase or a random 32-byte secret file `{dir}/secret`. Files are created 0600 and the
 * directory 0700 (owner only). The AAD of each file is its key name and algorithm, so a key file
 * renamed to another name does not open.
 *
 * What this protects: a copied backup or a disk image without the secret (passphrase mode), and
 * other local users. What it cannot: malware running as the same user can read the secret file or
 * use the keys through this process; hardware-backed stores are the remedy
 * (docs/token-protection.md §6).
 */
import { Buffer } from 'node:buffer';
import { createCipheriv, createDecipheriv, createHmac, createPrivateKey, createPublicKey, createSecretKey, randomBytes, scrypt, type KeyObject } from 'node:crypto';
import { chmod, link, mkdir, open, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { jwkThumbprint } from '../../src/crypto/jwk.ts';
import { decryptWith, generateFor, parseWrappedSecret, signWith } from './key-ops.ts';
import { KEY_NAME, KeyStoreError, type GeneratedKeyAlgorithm, type KeyAlgorithm, type KeyInfo, type KeyStore } from './key-store.ts';

interface KeyFile {
  v: 1;
  name: string;
  alg: KeyAlgorithm;
  createdAt: string;
  publicJwk?: Record<string, string>;
  kid?: string;
  /** base64url(iv[12] || tag[16] || ciphertext of the private key in PKCS#8 DER, or the raw secret) */
  sealed: string;
}

interface Meta {
  v: 1;
  kdf: 'scrypt';
  N: number;
  r: number;
  p: number;
  salt: string;
  mode: 'secret-file' | 'passphrase';
  /** HMAC of a fixed string under the derived key: detects a wrong passphrase up front. */
  check: string;
}

export interface SoftwareKeyStoreOptions {
  /** State directory (created 0700). */
  dir: string;
  /** Derive the key-encryption key from this passphrase instead of a generated secret file. */
  passphrase?: string;
}

/**
 * Create `path` (mode 0600) with `data` atomically and exclusively: written to a temporary file,
 * then hard-linked into place, so no reader ever sees a half-written file and of two concurrent
 * creators exactly one wins. Resolves false when `path` already exists.
 */
async function createOwnerOnly(path: string, data: string | Uint8Array): Promise<boolean> {
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const fh = await open(tmp, 'wx', 0o600);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await link(tmp, path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    await rm(tmp, { force: true });
  }
}

async function readIfExists(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

function deriveKek(secret: Uint8Array, salt: Buffer, meta: Pick<Meta, 'N' | 'r' | 'p'>): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(secret, salt, 32, { N: meta.N, r: meta.r, p: meta.p, maxmem: 128 * meta.N * meta.r * 2 }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/**
 * @example
 * const store = await SoftwareKeyStore.open({ dir: join(stateDir, 'keys') });
 * const device = await store.generate('device', 'ES256');
 */
export class SoftwareKeyStore implements KeyStore {
  private readonly cache = new Map<string, { info: KeyInfo; key: KeyObject }>();

  private constructor(
    private readonly dir: string,
    private readonly kek: Buffer,
  ) {}

  /** Open (or initialise) a store in `dir`, tightening permissions to owner-only. */
  static async open(opts: SoftwareKeyStoreOptions): Promise<SoftwareKeyStore> {
    await mkdir(opts.dir, { recursive: true, mode: 0o700 });
    await chmod(opts.dir, 0o700);
    const metaPath = join(opts.dir, 'keystore.json');
    const secretPath = join(opts.dir, 'secret');
    const mode: Meta['mode'] = opts.passphrase !== undefined ? 'passphrase' : 'secret-file';
    // Two agents may open a fresh directory at once: whoever links keystore.json first wins and
    // the other reads the winner's parameters on its second pass.
    for (let pass = 0; pass < 2; pass++) {
      const metaRaw = await readIfExists(metaPath);
      if (metaRaw) {
        let meta: Meta;
        try {
          meta = JSON.parse(metaRaw.toString('utf8')) as Meta;
        } catch {
          throw new KeyStoreError('corrupt', 'keystore.json unreadable');
        }
        if (meta.mode !== mode) throw new KeyStoreError('locked', `this key store was created with a ${meta.mode}`);
        const secret = mode === 'passphrase' ? Buffer.from(opts.passphrase!, 'utf8') : await readIfExists(secretPath);
        if (!secret) throw new KeyStoreError('locked', 'key store secret file missing');
        if (mode === 'secret-file') await chmod(secretPath, 0o600);
        const kek = await deriveKek(secret, Buffer.from(meta.salt, 'base64url'), meta);
        if (createHmac('sha256', kek).update('tessera-keystore-check').digest('base64url') !== meta.check) {
          throw new KeyStoreError('locked', 'wrong passphrase or secret for this key store');
        }
        return new SoftwareKeyStore(opts.dir, kek);
      }
      let secret: Buffer;
      if (mode === 'passphrase') secret = Buffer.from(opts.passphrase!, 'utf8');
      else {
        const fresh = randomBytes(32);
        secret = (await createOwnerOnly(secretPath, fresh)) ? fresh : ((await readIfExists(secretPath)) ?? fresh);
      }
      const params = { v: 1 as const, kdf: 'scrypt' as const, N: 2 ** 15, r: 8, p: 1, salt: randomBytes(16).toString('base64url'), mode };
      const kek = await deriveKek(secret, Buffer.from(params.salt, 'base64url'), params);
      const meta: Meta = { ...params, check: createHmac('sha256', kek).update('tessera-keystore-check').digest('base64url') };
      if (await createOwnerOnly(metaPath, JSON.stringify(meta))) return new SoftwareKeyStore(opts.dir, kek);
    }
    throw new KeyStoreError('corrupt', 'key store could not be initialised');
  }

  private path(name: string): string {
    if (typeof name !== 'string' || !KEY_NAME.test(name)) throw new KeyStoreError('bad_name', 'invalid key name');
    return join(this.dir, `${name}.key`);
  }

  private seal(name: string, alg: KeyAlgorithm, plain: Buffer): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.kek, iv);
    c.setAAD(Buffer.from(`${name}\0${alg}`));
    const ct = Buffer.concat([c.update(plain), c.final()]);
    plain.fill(0);
    return Buffer.concat([iv, c.getAuthTag(), ct]).toString('base64url');
  }

  private unseal(file: KeyFile): Buffer {
    const raw = Buffer.from(file.sealed, 'base64url');
    try {
      const d = createDecipheriv('aes-256-gcm', this.kek, raw.subarray(0, 12));
      d.setAAD(Buffer.from(`${file.name}\0${file.alg}`));
      d.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([d.update(raw.subarray(28)), d.final()]);
    } catch {
      throw new KeyStoreError('corrupt', `key ${file.name} does not decrypt`);
    }
  }

  private static info(f: KeyFile): KeyInfo {
    const info: KeyInfo = { name: f.name, alg: f.alg, createdAt: f.createdAt, protection: 'software' };
    if (f.publicJwk) {
      info.publicJwk = f.publicJwk;
      info.jkt = jwkThumbprint(f.publicJwk);
    }
    if (f.kid) info.kid = f.kid;
    return info;
  }

  private async write(file: KeyFile): Promise<KeyInfo> {
    if (!(await createOwnerOnly(this.path(file.name), JSON.stringify(file)))) throw new KeyStoreError('exists', `key ${file.name} exists`);
    return SoftwareKeyStore.info(file);
  }

  private async load(name: string): Promise<{ info: KeyInfo; key: KeyObject } | undefined> {
    const hit = this.cache.get(name);
    if (hit) return hit;
    let file: KeyFile;
    try {
      file = JSON.parse(await readFile(this.path(name), 'utf8')) as KeyFile;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      if (e instanceof KeyStoreError) throw e;
      throw new KeyStoreError('corrupt', `key ${name} unreadable`);
    }
    if (file.v !== 1 || file.name !== name || typeof file.sealed !== 'string') throw new KeyStoreError('corrupt', `key ${name} malformed`);
    const plain = this.unseal(file);
    const key = file.alg === 'HS256' ? createSecretKey(plain) : createPrivateKey({ key: plain, format: 'der', type: 'pkcs8' });
    plain.fill(0);
    const entry = { info: SoftwareKeyStore.info(file), key };
    this.cache.set(name, entry);
    return entry;
  }

  private async need(name: string): Promise<{ info: KeyInfo; key: KeyObject }> {
    const e = await this.load(name);
    if (!e) throw new KeyStoreError('not_found', `no key ${name}`);
    return e;
  }

  async generate(name: string, alg: GeneratedKeyAlgorithm): Promise<KeyInfo> {
    this.path(name);
    const { privateKey, publicJwk } = generateFor(alg);
    const der = privateKey.export({ format: 'der', type: 'pkcs8' });
    return this.write({ v: 1, name, alg, createdAt: new Date().toISOString(), publicJwk, sealed: this.seal(name, alg, der) });
  }

  async get(name: string): Promise<KeyInfo | undefined> {
    return (await this.load(name))?.info;
  }

  async list(): Promise<KeyInfo[]> {
    const names = (await readdir(this.dir)).filter((f) => f.endsWith('.key')).map((f) => f.slice(0, -4)).filter((n) => KEY_NAME.test(n));
    const out: KeyInfo[] = [];
    for (const n of names.sort()) {
      const i = await this.get(n).catch(() => undefined);
      if (i) out.push(i);
    }
    return out;
  }

  async sign(name: string, data: Uint8Array): Promise<Uint8Array> {
    const { info, key } = await this.need(name);
    return signWith(name, info.alg, key, data);
  }

  async decrypt(name: string, jwe: string): Promise<Uint8Array> {
    const { info, key } = await this.need(name);
    return decryptWith(name, info.alg, key, jwe);
  }

  async importWrappedKey(wrappingKey: string, jwe: string, name: string): Promise<KeyInfo> {
    this.path(name);
    const { raw, kid } = parseWrappedSecret(await this.decrypt(wrappingKey, jwe));
    const file: KeyFile = { v: 1, name, alg: 'HS256', createdAt: new Date().toISOString(), sealed: this.seal(name, 'HS256', raw) };
    if (kid !== undefined) file.kid = kid;
    return this.write(file);
  }

  async delete(name: string): Promise<boolean> {
    const p = this.path(name);
    this.cache.delete(name);
    try {
      await stat(p);
    } catch {
      return false;
    }
    await rm(p, { force: true });
    return true;
  }
}

/**
 * Public key of a stored asymmetric key as a KeyObject (for local checks and tests).
 *
 * @example
 * const ok = crypto.verify('sha256', data, { key: publicKeyOf(await store.get('device')), dsaEncoding: 'ieee-p1363' }, sig);
 */
export function publicKeyOf(info: KeyInfo): KeyObject {
  if (!info.publicJwk) throw new KeyStoreError('wrong_alg', `${info.name} has no public key`);
  return createPublicKey({ key: info.publicJwk, format: 'jwk' });
}
