/**
 * A `KeyStore` that keeps keys in process memory only: for ephemeral agents (CI jobs, containers
 * that re-register on start) and tests. Nothing touches the disk; everything is lost on exit.
 */
import type { KeyObject } from 'node:crypto';
import { createSecretKey } from 'node:crypto';
import { jwkThumbprint } from '../../src/crypto/jwk.ts';
import { KEY_NAME, KeyStoreError, type GeneratedKeyAlgorithm, type KeyInfo, type KeyStore } from './key-store.ts';
import { decryptWith, generateFor, parseWrappedSecret, signWith } from './key-ops.ts';

/**
 * @example
 * const store = new MemoryKeyStore();
 * await store.generate('dpop', 'ES256');
 */
export class MemoryKeyStore implements KeyStore {
  private readonly keys = new Map<string, { info: KeyInfo; key: KeyObject }>();

  private check(name: string): void {
    if (typeof name !== 'string' || !KEY_NAME.test(name)) throw new KeyStoreError('bad_name', 'invalid key name');
  }

  private need(name: string): { info: KeyInfo; key: KeyObject } {
    this.check(name);
    const e = this.keys.get(name);
    if (!e) throw new KeyStoreError('not_found', `no key ${name}`);
    return e;
  }

  private put(name: string, info: KeyInfo, key: KeyObject): KeyInfo {
    if (this.keys.has(name)) throw new KeyStoreError('exists', `key ${name} exists`);
    this.keys.set(name, { info, key });
    return info;
  }

  async generate(name: string, alg: GeneratedKeyAlgorithm): Promise<KeyInfo> {
    this.check(name);
    if (this.keys.has(name)) throw new KeyStoreError('exists', `key ${name} exists`);
    const { privateKey, publicJwk } = generateFor(alg);
    return this.put(name, { name, alg, publicJwk, jkt: jwkThumbprint(publicJwk), createdAt: new Date().toISOString(), protection: 'software' }, privateKey);
  }

  async get(name: string): Promise<KeyInfo | undefined> {
    this.check(name);
    return this.keys.get(name)?.info;
  }

  async list(): Promise<KeyInfo[]> {
    return [...this.keys.values()].map((e) => e.info).sort((a, b) => a.name.localeCompare(b.name));
  }

  async sign(name: string, data: Uint8Array): Promise<Uint8Array> {
    const { info, key } = this.need(name);
    return signWith(name, info.alg, key, data);
  }

  async decrypt(name: string, jwe: string): Promise<Uint8Array> {
    const { info, key } = this.need(name);
    return decryptWith(name, info.alg, key, jwe);
  }

  async importWrappedKey(wrappingKey: string, jwe: string, name: string): Promise<KeyInfo> {
    this.check(name);
    if (this.keys.has(name)) throw new KeyStoreError('exists', `key ${name} exists`);
    const { raw, kid } = parseWrappedSecret(await this.decrypt(wrappingKey, jwe));
    const key = createSecretKey(raw);
    raw.fill(0);
    const info: KeyInfo = { name, alg: 'HS256', createdAt: new Date().toISOString(), protection: 'software' };
    if (kid !== undefined) info.kid = kid;
    return this.put(name, info, key);
  }

  async delete(name: string): Promise<boolean> {
    this.check(name);
    return this.keys.delete(name);
  }
}
