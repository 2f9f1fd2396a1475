/**
 * The device authorization grant's front half (RFC 8628 §3.1–3.3): POST devicecode hands out a
 * device code and a short user code; the person enters the user code at the verification page,
 * signs in, and the polling client receives tokens. User codes use an alphabet without look-alike
 * characters (RFC 8628 §6.1) and carry ~40 bits of entropy; brute force is bounded by the rate limit
 * and the 15-minute lifetime.
 */
import { randomInt } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../app/app.ts';
import { InvalidClient, UnauthorizedClient } from '../errors/oauth.ts';
import { FormParams } from '../server/form.ts';
import { requireForm, resolveTenant } from '../server/request.ts';
import type { Tenant, User } from '../store/types.ts';
import { newId, newSecret, sha256 } from '../util/ids.ts';
import { authenticateClient } from './client-auth.ts';
import { resolveScopes } from './resources.ts';
import { deviceCodeEntryPage, loginPage, messagePage } from './authorize/pages.ts';
import { sealInteraction, type Interaction } from './authorize/interaction.ts';

const ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ'; // RFC 8628 §6.1: no vowels, no look-alikes

function userCode(): string {
  let s = '';
  for (let i = 0; i < 9; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return s;
}

const normalizeCode = (s: string): string => s.toUpperCase().replace(/[^A-Z]/g, '');

function html(reply: FastifyReply, body: string, status = 200): FastifyReply {
  return reply.status(status).header('Content-Type', 'text/html; charset=utf-8').header('Cache-Control', 'no-store').header('X-Frame-Options', 'DENY').send(body);
}

export async function completeDeviceSignIn(app: App, reply: FastifyReply, tenant: Tenant, i: Extract<Interaction, { kind: 'device' }>, user: User, amr: string[]): Promise<FastifyReply> {
  const ok = await app.store.deviceCodes.decide(i.userCode, { status: 'approved', userId: user.id, sid: newId(), authTime: Date.now(), amr });
  if (!ok) return html(reply, messagePage('Code no longer valid', 'This code was already used or has expired. Start again on your device.'), 400);
  return html(reply, messagePage('You are signed in', `You have signed in as ${user.userPrincipalName}. You can close this window and return to your device.`, true));
}

export function registerDeviceAuthorization(f: FastifyInstance, app: App): void {
  f.post('/:tenant/oauth2/v2.0/devicecode', async (req: FastifyRequest<{ Params: { tenant: string } }>, reply) => {
    requireForm(req);
    const tenant = await resolveTenant(app, req.params.tenant);
    const params = new FormParams(req.body as Record<string, unknown>);
    const url = `${app.baseUrl}/${req.params.tenant}/oauth2/v2.0/devicecode`;
    const auth = req.headers.authorization;
    const { client } = await authenticateClient(app, tenant.id, url, params, typeof auth === 'string' ? auth : undefined).catch((e) => {
      if (e instanceof InvalidClient && e.aadsts === 7000218) throw new UnauthorizedClient('The client must authenticate or be a public client.', { aadsts: 7000218 });
      throw e;
    });
    const scope = params.get('scope') ?? 'openid profile';
    await resolveScopes(app.directory, tenant.id, scope);
    let code = userCode();
    for (let tries = 0; await app.store.deviceCodes.getByUserCode(code); tries++) {
      if (tries > 5) throw new Error('could not allocate a user code');
      code = userCode();
    }
    const deviceCode = newSecret(32);
    const now = Date.now();
    await app.store.deviceCodes.create({
      deviceCodeHash: sha256(deviceCode), userCode: code, tenantId: tenant.id, clientId: client.app.appId, scope, resource: null,
      status: 'pending', userId: null, sid: null, authTime: null, amr: null, expiresAt: now + app.config.deviceCodeTtl * 1000,
      intervalS: app.config.deviceCodeInterval, lastPolledAt: null, createdAt: now,
    });
    const verificationUri = `${app.baseUrl}/${tenant.id}/oauth2/v2.0/deviceauth`;
    void reply.header('Cache-Control', 'no-store');
    return {
      device_code: deviceCode,
      user_code: code,
      verification_uri: verificationUri,
      verification_uri_complete: `${verificationUri}?user_code=${code}`,
      expires_in: app.config.deviceCodeTtl,
      interval: app.config.deviceCodeInterval,
      message: `To sign in, use a web browser to open the page ${verificationUri} and enter the code ${code} to authenticate.`,
    };
  });

  f.get('/:tenant/oauth2/v2.0/deviceauth', async (req: FastifyRequest<{ Params: { tenant: string }; Querystring: Record<string, unknown> }>, reply) => {
    let tenant: Tenant;
    try { tenant = await resolveTenant(app, req.params.tenant); } catch (e) { return html(reply, messagePage('Tenant not found', (e as Error).message), 400); }
    const q = req.query.user_code;
    return html(reply, deviceCodeEntryPage({ action: `/${tenant.id}/oauth2/v2.0/deviceauth`, code: typeof q === 'string' ? q.slice(0, 32) : undefined }));
  });

  f.post('/:tenant/oauth2/v2.0/deviceauth', async (req: FastifyRequest<{ Params: { tenant: string } }>, reply) => {
    let tenant: Tenant;
    try { tenant = await resolveTenant(app, req.params.tenant); } catch (e) { return html(reply, messagePage('Tenant not found', (e as Error).message), 400); }
    const action = `/${tenant.id}/oauth2/v2.0/deviceauth`;
    let entered: string | undefined;
    try { entered = new FormParams(req.body as Record<string, unknown>).get('user_code'); } catch { entered = undefined; }
    const code = normalizeCode(entered ?? '').slice(0, 32);
    const dc = code ? await app.store.deviceCodes.getByUserCode(code) : undefined;
    if (!dc || dc.tenantId !== tenant.id || dc.status !== 'pending' || dc.expiresAt <= Date.now()) {
      return html(reply, deviceCodeEntryPage({ action, code: entered, error: 'That code is not valid or has expired. Check the code and try again.' }), 400);
    }
    const client = await app.directory.client(dc.clientId);
    const interaction = sealInteraction(app, { kind: 'device', tenantId: tenant.id, userCode: dc.userCode, clientId: dc.clientId, correlationId: newId() });
    return html(reply, loginPage({ action: `/${tenant.id}/oauth2/v2.0/login`, interaction, appName: client?.app.displayName ?? 'a device', tenantDomain: tenant.domain }));
  });
}
