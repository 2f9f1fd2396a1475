/**
 * `POST /{tenant}/devices/nonce` (docs/token-protection.md §2, §4): a server nonce for device-protocol
 * proofs. Stateless (HMAC over the time bucket, label `device`), so any node answers and nothing is
 * stored per request.
 */
import type { FastifyInstance } from 'fastify';
import type { App } from '../../app/app.ts';
import { resolveTenant } from '../../server/request.ts';

/** A nonce lives between one and two periods of 300 s; promise the lower bound. */
const NONCE_LIFETIME_SEC = 300;

export function registerDeviceNonce(f: FastifyInstance, app: App): void {
  f.post('/:tenant/devices/nonce', async (req, reply) => {
    await resolveTenant(app, (req.params as { tenant: string }).tenant);
    const nonce = app.deviceNonces.current(Math.floor(Date.now() / 1000));
    void reply.header('Cache-Control', 'no-store').header('Tessera-Nonce', nonce);
    return { nonce, expires_in: NONCE_LIFETIME_SEC };
  });
}
