/**
 * Token signing keys: ES256 (P-256). One key signs; retired keys stay in the JWKS for an overlap
 * window so tokens they signed still verify, then are deleted. Private keys are stored sealed
 * under the master key (aad = kid), and held in memory as KeyObjects.
 */
import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createEs256Signer, type Es256Signer } from '../crypto/jwt.ts';
import { exportPublicJwk, importPublicJwk } from '../crypto/jwk.ts';
import type { SigningKeyStore } from '../store/types.ts';
import { newSecret } from '../util/ids.ts';
import type { Sealer } from './master-key.ts';

export interface KeyRing {
  /** The signer for new tokens. */
  signer(): Es256Signer;
  /** Public keys to publish (RFC 7517 JWK Set). */
  jwks(): { keys: Record<string, unknown>[] };
  /** Verification key by kid (current or in overlap). */
  publicKey(kid: string): KeyObject | undefined;
  /** Rotates when the active key is older than the rotation period (or when forced); prunes expired keys. */
  maintain(now: number, force?: boolean): Promise<boolean>;
}

export interface KeyRingOptions { rotationDays: number; overlapDays: number }

const DAY = 86_400_000;

export async function openKeyRing(store: SigningKeyStore, sealer: Sealer, opts: KeyRingOptions): Promise<KeyRing> {
  let signer: Es256Signer | undefined;
  let published: Record<string, unknown>[] = [];
  const publicKeys = new Map<string, KeyObject>();

  async function load(): Promise<void> {
    const keys = await store.list();
    const active = keys.filter((k) => k.retiredAt === null).sort((a, b) => b.activatedAt - a.activatedAt)[0];
    publicKeys.clear();
    published = [];
    for (const k of keys) {
      publicKeys.set(k.kid, importPublicJwk(k.publicJwk));
      published.push({ ...k.publicJwk, kid: k.kid, use: 'sig', alg: k.alg });
    }
    if (active) {
      const pem = sealer.unseal(active.privateSealed, active.kid);
      signer = createEs256Signer(createPrivateKey({ key: pem, format: 'pem' }), active.kid);
    } else {
      signer = undefined;
    }
  }

  async function create(now: number): Promise<void> {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const kid = newSecret(16);
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' });
    await store.add({ kid, alg: 'ES256', publicJwk: exportPublicJwk(publicKey), privateSealed: sealer.seal(pem, kid), createdAt: now, activatedAt: now, retiredAt: null });
  }

  const ring: KeyRing = {
    signer() {
      if (!signer) throw new Error('no active signing key');
      return signer;
    },
    jwks: () => ({ keys: published }),
    publicKey: (kid) => publicKeys.get(kid),
    async maintain(now, force = false) {
      const keys = await store.list();
      const active = keys.filter((k) => k.retiredAt === null);
      let changed = false;
      const newest = active.sort((a, b) => b.activatedAt - a.activatedAt)[0];
      if (!newest || force || now - newest.activatedAt >= opts.rotationDays * DAY) {
        await create(now);
        for (const k of active) await store.retire(k.kid, now);
        changed = true;
      }
      for (const k of keys) {
        if (k.retiredAt !== null && now - k.retiredAt >= opts.overlapDays * DAY) {
          await store.delete(k.kid);
          changed = true;
        }
      }
      if (changed || !signer) await load();
      return changed;
    },
  };
  await ring.maintain(Date.now());
  return ring;
}
