/**
 * `tessera/resource`: verify Tessera access tokens and DPoP proofs in an API.
 *
 * @example
 * import { createVerifier, nodeHttpGuard } from 'tessera/resource';
 * const verifier = createVerifier({ issuer: 'http://localhost:8080/t1/v2.0', audience: 'api://orders' });
 * const guard = nodeHttpGuard(verifier, { origin: 'https://api.example.com' });
 */
export { createVerifier } from './verifier.ts';
export type { Verifier, VerifierOptions, VerifyRequest } from './verifier.ts';
export type { Principal } from './principal.ts';
export { JwksCache, discoverJwksUri, parseJwks } from './jwks.ts';
export type { JwksCacheOptions } from './jwks.ts';
export { nodeHttpGuard, expressMiddleware, fastifyOnRequest, toHttpError } from './adapters.ts';
export type { AdapterOptions, ExpressLikeRequest, ExpressLikeResponse } from './adapters.ts';
export { MemoryReplayCache } from '../../src/binding/replay-cache.ts';
export { RedisReplayCache } from '../../src/binding/redis-replay-cache.ts';
export type { ReplayCache } from '../../src/binding/replay-cache.ts';
export { createHmacNonceService } from '../../src/binding/nonce.ts';
export type { NonceService } from '../../src/binding/nonce.ts';
export { OAuthError } from '../../src/errors/oauth.ts';
