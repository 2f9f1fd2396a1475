/**
 * `tessera/device`: the device agent's key store and its halves of the token-protection protocol.
 *
 * @example
 * import { SoftwareKeyStore, DeviceClient } from 'tessera/device';
 * const store = await SoftwareKeyStore.open({ dir: `${stateDir}/keys` });
 * const client = new DeviceClient({ authority: 'http://localhost:8080/t1', store, clientId: BROKER_APP_ID });
 */
export type { KeyStore, KeyInfo, KeyAlgorithm, GeneratedKeyAlgorithm } from './key-store.ts';
export { KeyStoreError, KEY_NAME } from './key-store.ts';
export { SoftwareKeyStore, publicKeyOf } from './software-key-store.ts';
export { MemoryKeyStore } from './memory-key-store.ts';
export type { SoftwareKeyStoreOptions } from './software-key-store.ts';
export {
  acceptSessionKey,
  buildDeviceRequest,
  buildRegistrationProof,
  buildSessionProof,
  buildUnregisterProof,
  sessionKeyName,
  signWithKeyStore,
  DEVICE_REQUEST_TYP,
  REGISTRATION_PROOF_TYP,
  SESSION_PROOF_TYP,
  UNREGISTER_PROOF_TYP,
} from './proofs.ts';
export type { DeviceRequestInput, RegistrationProofInput, SessionProofInput, UnregisterProofInput } from './proofs.ts';
export { createDpopProof, createDpopProofWithKey } from './dpop.ts';
export type { DpopProofInput } from './dpop.ts';
export { DeviceClient, DeviceClientError, GRANT_DEVICE_REQUEST, GRANT_SESSION } from './client.ts';
export type { DeviceClientOptions, DeviceRegistration, DeviceSession, DeviceUnregistration, TokenResponse } from './client.ts';
