/**
 * The device agent's key store contract. Private and secret key material never crosses this
 * interface: callers name a key and ask the store to sign or decrypt with it. That is what lets a
 * TPM (Windows/Linux), Secure Enclave (macOS/iOS) or Android Keystore implementation replace the
 * software store without any change to the protocol code (docs/token-protection.md §5).
 */

/** `ES256`: device key / DPoP key (signing). `ECDH-ES+A256KW`, `RSA-OAEP-256`: transport key
 * (decryption). `HS256`: session key, only ever imported wrapped (see `importWrappedKey`). */
export type KeyAlgorithm = 'ES256' | 'ECDH-ES+A256KW' | 'RSA-OAEP-256' | 'HS256';
export type GeneratedKeyAlgorithm = Exclude<KeyAlgorithm, 'HS256'>;

export interface KeyInfo {
  name: string;
  alg: KeyAlgorithm;
  /** Public JWK (canonical members only) for asymmetric keys. */
  publicJwk?: Record<string, string>;
  /** RFC 7638 thumbprint of `publicJwk`. */
  jkt?: string;
  /** For imported keys: the `kid` of the wrapped JWK (the session key id). */
  kid?: string;
  createdAt: string;
  /** Where the private half lives. */
  protection: 'software' | 'hardware';
}

export interface KeyStore {
  /** Create a new key pair under `name`; fails if the name is taken. */
  generate(name: string, alg: GeneratedKeyAlgorithm): Promise<KeyInfo>;
  get(name: string): Promise<KeyInfo | undefined>;
  list(): Promise<KeyInfo[]>;
  /**
   * The JWS signature (RFC 7515 §5.1 step 5) over `data` with the key's algorithm: ES256 returns
   * the 64-byte `R || S` form (RFC 7518 §3.4), HS256 the 32-byte MAC.
   */
  sign(name: string, data: Uint8Array): Promise<Uint8Array>;
  /** Decrypt a compact JWE addressed to this key (transport keys only; `enc` A256GCM). */
  decrypt(name: string, jwe: string): Promise<Uint8Array>;
  /**
   * Decrypt a JWE whose plaintext is a symmetric JWK (`cty: jwk+json`, RFC 7517 §7) with the key
   * `wrappingKey`, and keep the result as a new key `name` without ever returning it. A hardware
   * store does the unwrap inside the chip (TPM2_Import).
   */
  importWrappedKey(wrappingKey: string, jwe: string, name: string): Promise<KeyInfo>;
  /** Remove a key; resolves false when it did not exist. */
  delete(name: string): Promise<boolean>;
}

/** Key names are file-name safe: letters, digits, `.`, `_`, `-`, up to 64 characters. */
export const KEY_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export class KeyStoreError extends Error {
  override readonly name = 'KeyStoreError';
  constructor(
    readonly code: 'bad_name' | 'exists' | 'not_found' | 'wrong_alg' | 'decrypt_failed' | 'corrupt' | 'locked',
    message: string,
  ) {
    super(message);
  }
}
