/**
 * `POST /{tenant}/devices/register` (docs/token-protection.md §3.1, §4): creates the Graph `device`
 * for a key pair the caller proves it holds. JSON body `{registration_proof, username, password,
 * otp?}` (a user registers their device: trustType `Workplace`, the user becomes its registered
 * owner) or `{registration_proof, enrollment_token}` (an admin-issued token: trustType, profileType,
 * systemLabels and enrollmentProfileName from the token, no owner; the token must not be revoked or
 * used up, and each registration counts one use). The proof is checked first
 * (signature by the device key over a server nonce), then the credentials, with the sign-in page's
 * checks and one sign-in record to the Device Registration Service.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { App } from '../../app/app.ts';
import type { Actor } from '../../app/audit.ts';
import { verifyRegistrationProof, type RegistrationProofResult } from '../../binding/device-proof.ts';
import { InvalidRequest, OAuthError } from '../../errors/oauth.ts';
import { blankSignIn } from '../../signin/event.ts';
import { parseUserAgent } from '../../signin/user-agent.ts';
import { requestInfo, resolveTenant } from '../../server/request.ts';
import type { Device, Tenant } from '../../store/types.ts';
import { newId } from '../../util/ids.ts';
import { proofAudience } from './authority.ts';
import { ensureBrokerApp } from './broker.ts';
import { verifyUserCredentials } from './credentials.ts';
import { openEnrollmentToken, useEnrollmentToken, type EnrollmentGrant } from './enrollment-token.ts';

/** Entra's first-party Device Registration Service: the "app" of registration sign-ins. */
export const DRS_APP_ID = '01cb2876-7ebd-4aa4-9cc9-d28bd4d359a9';
const FIELDS = new Set(['registration_proof', 'username', 'password', 'otp', 'enrollment_token']);

interface RegisterBody { registration_proof: string; username?: string; password?: string; otp?: string; enrollment_token?: string }

function parseBody(body: unknown): RegisterBody {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new InvalidRequest('The request body must be a JSON object.');
  const b = body as Record<string, unknown>;
  for (const k of Object.keys(b)) if (!FIELDS.has(k)) throw new InvalidRequest(`Unknown parameter '${k.slice(0, 40)}'.`);
  for (const k of FIELDS) if (b[k] !== undefined && b[k] !== null && typeof b[k] !== 'string') throw new InvalidRequest(`'${k}' must be a string.`);
  if (typeof b.registration_proof !== 'string' || !b.registration_proof) throw new InvalidRequest("The request body must contain 'registration_proof'.", { extra: { suberror: 'device_proof_invalid' } });
  const byToken = typeof b.enrollment_token === 'string';
  const byUser = typeof b.username === 'string' || typeof b.password === 'string';
  if (byToken === byUser) throw new InvalidRequest('Register with either username and password, or an enrollment_token.');
  return b as unknown as RegisterBody;
}

function newDevice(tenant: Tenant, reg: RegistrationProofResult, kind: 'userCredentials' | 'enrollmentToken', g: EnrollmentGrant | undefined): Device {
  const deviceId = newId();
  return {
    id: newId(), tenantId: tenant.id, deviceId, displayName: reg.device.displayName ?? `Device ${deviceId.slice(0, 8)}`, accountEnabled: true,
    operatingSystem: reg.device.operatingSystem ?? null, operatingSystemVersion: reg.device.operatingSystemVersion ?? null,
    // Graph spells the joined type `AzureAd`.
    trustType: g ? g.trustType : 'Workplace', isCompliant: null, isManaged: g ? true : null,
    profileType: g?.profileType ?? 'RegisteredDevice', systemLabels: g?.systemLabels ?? [], enrollmentProfileName: g?.enrollmentProfileName ?? null,
    registrationKind: kind, deviceKeyJwk: reg.deviceJwk, transportKeyJwk: { ...reg.transportJwk, alg: reg.transportAlg },
    registeredAt: Date.now(), lastSignInAt: null,
    extra: { alternativeSecurityIds: [{ type: 2, identityProvider: null, key: Buffer.from(`tessera-device-key:${reg.deviceKeyJkt}`).toString('base64') }] },
  };
}

export function registerDeviceRegistration(f: FastifyInstance, app: App): void {
  f.post('/:tenant/devices/register', async (req: FastifyRequest, reply) => {
    const segment = (req.params as { tenant: string }).tenant;
    const tenant = await resolveTenant(app, segment);
    const http = requestInfo(app, req, `/${segment}/devices/register`);
    const body = parseBody(req.body);
    const reg = await verifyRegistrationProof(body.registration_proof, { audience: proofAudience(app, tenant, body.registration_proof), nonce: app.deviceNonces, replay: app.dpopReplay, now: Math.floor(Date.now() / 1000) });
    if (reg.device.trustType === 'AzureAD' && !body.enrollment_token) {
      throw new InvalidRequest('Joining a device (trustType AzureAD) needs an enrollment token from an administrator; register it (Workplace) with user credentials instead.', { extra: { suberror: 'device_proof_invalid' } });
    }
    let device: Device;
    let owners: string[] = [];
    let actor: Actor;
    let enrollmentTokenId: string | undefined;
    if (body.enrollment_token !== undefined) {
      const g = openEnrollmentToken(app, tenant.id, body.enrollment_token, Math.floor(Date.now() / 1000));
      actor = { kind: 'app', id: g.issuedBy, displayName: 'Device enrollment token', appId: DRS_APP_ID, ipAddress: http.ip };
      // After the proof (a bad proof burns no use), before the device exists.
      await useEnrollmentToken(app, tenant, g, { actor, correlationId: String(req.id) });
      enrollmentTokenId = g.jti;
      device = newDevice(tenant, reg, 'enrollmentToken', g);
    } else {
      const agent = parseUserAgent(http.userAgent);
      const e = blankSignIn({
        id: newId(), correlationId: String(req.headers['client-request-id'] ?? req.id).slice(0, 64), tenantId: tenant.id, eventType: 'interactiveUser',
        ipAddress: http.ip, userAgent: http.userAgent, appId: DRS_APP_ID, appDisplayName: 'Device Registration Service', authenticationProtocol: 'ropc',
        resourceId: DRS_APP_ID, resourceDisplayName: 'Device Registration Service',
        deviceDetail: { deviceId: '', displayName: reg.device.displayName ?? '', operatingSystem: reg.device.operatingSystem ?? agent.operatingSystem, browser: agent.browser, isCompliant: null, isManaged: null, trustType: '' },
        // Registration is the step before a device state exists.
        tokenProtectionStatusDetails: { signInSessionStatus: 'unbound', signInSessionStatusCode: 1002 },
      });
      const started = performance.now();
      try {
        const { user, amr } = await verifyUserCredentials(app, tenant, http.ip, { username: body.username, password: body.password, otp: body.otp }, e);
        device = newDevice(tenant, reg, 'userCredentials', undefined);
        owners = [user.id];
        actor = { kind: 'user', id: user.id, displayName: user.displayName, userPrincipalName: user.userPrincipalName, ipAddress: http.ip };
        e.authenticationRequirement = amr.includes('mfa') ? 'multiFactorAuthentication' : 'singleFactorAuthentication';
        e.deviceDetail = { ...e.deviceDetail, deviceId: device.deviceId, trustType: device.trustType ?? '' };
      } catch (err) {
        e.status = err instanceof OAuthError
          ? { errorCode: err.aadsts ?? 90000, failureReason: err.description, additionalDetails: err.detail ?? null }
          : { errorCode: 90000, failureReason: 'The server could not complete the request.', additionalDetails: null };
        throw err;
      } finally {
        e.processingTimeInMilliseconds = Math.round(performance.now() - started);
        app.signIns.record(e);
      }
    }
    await app.store.devices.create(device, owners);
    const brokerClientId = await ensureBrokerApp(app, tenant.id);
    await app.audit.record({
      tenantId: tenant.id, actor, category: 'Device', activity: 'Register device', correlationId: String(req.id),
      targets: [{ id: device.id, displayName: device.displayName, type: 'Device', modifiedProperties: [{ displayName: 'DeviceTrustType', oldValue: null, newValue: device.trustType }, { displayName: 'RegistrationKind', oldValue: null, newValue: device.registrationKind }] }],
      ...(enrollmentTokenId ? { details: [{ key: 'EnrollmentTokenId', value: enrollmentTokenId }] } : {}),
    });
    app.directory.invalidate();
    void reply.status(201).header('Cache-Control', 'no-store');
    return { device_id: device.deviceId, device_key_jkt: reg.deviceKeyJkt, transport_key_jkt: reg.transportKeyJkt, trust_type: device.trustType, broker_client_id: brokerClientId };
  });
}
