/**
 * `POST /{tenant}/devices/unregister` (docs/token-protection.md §3.6, §4): a device leaves the
 * directory on its own, like `dsregcmd /leave`. JSON body `{unregister_proof}`: a JWS signed by the
 * registered device key over a fresh server nonce, so only the holder of that key can remove the
 * device. Tessera deletes the device object, revokes every session and refresh token bound to it,
 * and audits the change ("Unregister device") before it answers.
 *
 * The proof, `typ: tessera-device-unregister+jwt`, header `{alg: ES256, typ, kid: <device_id>}`,
 * claims `aud`, `iat`, `exp`, `jti`, `nonce`, `device_id` (= `kid`). Its own `typ` keeps it apart from
 * the device request of the token endpoint (§3.2): neither passes as the other.
 *
 * A disabled device cannot unregister itself (`device_disabled`, AADSTS135011): an administrator
 * disabled it on purpose (a lost laptop), and deleting it would remove the object they act on.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { modified } from '../../admin/validate.ts';
import type { App } from '../../app/app.ts';
import { checkProofClaims, proofError, type ProofClaimOptions } from '../../binding/proof-claims.ts';
import { checkJwsHeader, decodeCompactJws, keyFitsAlgorithm, verifyJwsSignature } from '../../crypto/jwt.ts';
import { PublicKeyCache } from '../../crypto/jwk.ts';
import { InvalidRequest } from '../../errors/oauth.ts';
import { requestInfo, resolveTenant } from '../../server/request.ts';
import type { Device, Tenant } from '../../store/types.ts';
import { proofAudience } from './authority.ts';
import { AADSTS_DEVICE_DISABLED, findDevice } from './device-state.ts';
import { removeDevice } from './device-removal.ts';
import { DRS_APP_ID } from './register.ts';

export const UNREGISTER_PROOF_TYP = 'tessera-device-unregister+jwt';
const MAX_PROOF = 16 * 1024;
const keyCache = new PublicKeyCache(1000);

/**
 * Verify an unregistration proof: the registered key of the device it names signed it, for this
 * tenant, recently, over a server nonce, once. Returns the device (enabled or not: the caller decides).
 */
export async function verifyUnregisterProof(app: App, tenant: Tenant, proof: unknown, opts: Omit<ProofClaimOptions, 'audience'>): Promise<Device> {
  const bad = (d: string, detail?: string) => proofError('registration', 'device_proof_invalid', d, detail);
  let decoded;
  try {
    decoded = decodeCompactJws(proof, MAX_PROOF);
    checkJwsHeader(decoded.header, { algorithms: ['ES256'], typ: UNREGISTER_PROOF_TYP });
  } catch (e) {
    throw bad('unregister proof malformed', (e as Error).message);
  }
  const { header, payload } = decoded;
  const deviceId = typeof header.kid === 'string' && header.kid.length > 0 && header.kid.length <= 128 ? header.kid : undefined;
  if (!deviceId || payload.device_id !== deviceId) throw bad('unregister proof kid must equal device_id');
  const device = await findDevice(app, tenant, deviceId);
  if (!device) throw proofError('registration', 'device_unknown', 'The device is not registered in this tenant.', deviceId);
  let key;
  try {
    key = keyCache.get(device.deviceKeyJwk).key;
  } catch (e) {
    // Devices an administrator created through Graph have no key: nothing can prove to be them.
    throw bad('the device has no registered device key', (e as Error).message);
  }
  if (!keyFitsAlgorithm('ES256', key) || !verifyJwsSignature('ES256', key, decoded.signingInput, decoded.signature)) {
    throw bad('unregister proof signature invalid');
  }
  await checkProofClaims(payload, `unreg:${device.deviceId}`, { ...opts, audience: proofAudience(app, tenant, proof) }, 'registration', 'device_proof_invalid');
  return device;
}

function parseBody(body: unknown): string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new InvalidRequest('The request body must be a JSON object.');
  const b = body as Record<string, unknown>;
  for (const k of Object.keys(b)) if (k !== 'unregister_proof') throw new InvalidRequest(`Unknown parameter '${k.slice(0, 40)}'.`);
  if (typeof b.unregister_proof !== 'string' || !b.unregister_proof) {
    throw new InvalidRequest("The request body must contain 'unregister_proof', a string.", { extra: { suberror: 'device_proof_invalid' } });
  }
  return b.unregister_proof;
}

export function registerDeviceUnregistration(f: FastifyInstance, app: App): void {
  f.post('/:tenant/devices/unregister', async (req: FastifyRequest, reply) => {
    const segment = (req.params as { tenant: string }).tenant;
    const tenant = await resolveTenant(app, segment);
    const http = requestInfo(app, req, `/${segment}/devices/unregister`);
    const proof = parseBody(req.body);
    const device = await verifyUnregisterProof(app, tenant, proof, { nonce: app.deviceNonces, replay: app.dpopReplay, now: Math.floor(Date.now() / 1000) });
    if (!device.accountEnabled) {
      throw new InvalidRequest('The device is disabled; only an administrator can delete it.', { aadsts: AADSTS_DEVICE_DISABLED, extra: { suberror: 'device_disabled' } });
    }
    const { deleted, revokedTokens } = await removeDevice(app, device);
    // Two unregistrations of one device at once: the one whose delete found no row lost.
    if (!deleted) throw proofError('registration', 'device_unknown', 'The device is not registered in this tenant.', device.deviceId);
    await app.audit.record({
      tenantId: tenant.id, category: 'Device', activity: 'Unregister device', correlationId: String(req.id),
      // The device acted through the Device Registration Service; no user was signed in.
      actor: { kind: 'app', id: DRS_APP_ID, appId: DRS_APP_ID, displayName: 'Device Registration Service', ipAddress: http.ip },
      targets: [{ id: device.id, displayName: device.displayName, type: 'Device', modifiedProperties: [modified('DeviceId', device.deviceId, null)] }],
      details: [{ key: 'InitiatedBy', value: 'device key' }, { key: 'RevokedTokens', value: String(revokedTokens) }],
    });
    void reply.header('Cache-Control', 'no-store');
    return { device_id: device.deviceId, status: 'deleted', revoked_tokens: revokedTokens };
  });
}
