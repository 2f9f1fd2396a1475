/**
 * `/users/{id|upn}/authentication/softwareOathMethods` (graph-shapes §9): list, get, delete, and a
 * POST (Tessera's) that registers a TOTP secret for the user. The secret is sealed under the master
 * key with the `totp:{userId}` context the sign-in page unseals it with, and shown once, with its
 * otpauth URI, in the POST response; reads return `secretKey: null` as Graph does.
 */
import * as OTPAuth from 'otpauth';
import { z } from 'zod';
import { Conflict } from '../errors/graph.ts';
import type { User } from '../store/types.ts';
import { nameBasedId } from '../util/ids.ts';
import { findUser } from './users.ts';
import { contextOf, entityContext, jsonBody, listResponse, notFound, type GraphContext, type GraphRouter } from './route.ts';
import { modified, parseBody, text } from './validate.ts';
import type { Catalogue } from './odata/index.ts';

const catalogue: Catalogue = { type: 'softwareOathAuthenticationMethod', entitySet: 'softwareOathMethods', properties: { id: { type: 'string' }, secretKey: { type: 'string' } } };
const postSchema = z.object({ displayName: text(128).optional() });

/** The method id is stable per user (one TOTP method per user in Tessera). */
const methodId = (u: User): string => nameBasedId(u.tenantId, 'softwareOath', u.id);
const shape = (u: User, secretKey: string | null = null) => ({ id: methodId(u), secretKey });

export function registerSoftwareOath(r: GraphRouter): void {
  const { app } = r;
  const base = '/users/:id/authentication/softwareOathMethods';
  const user = (c: GraphContext) => findUser(app, c.caller.tenant.id, c.params.id!);
  const target = (u: User, mods: ReturnType<typeof modified>[]) => ({ id: u.id, displayName: u.displayName, type: 'User', userPrincipalName: u.userPrincipalName, modifiedProperties: mods });

  r.route('GET', base, 'directory.read', async (c) => {
    const u = await user(c);
    return listResponse(c, catalogue, u.totpSecret ? [shape(u)] : [], { entitySet: `users('${u.id}')/authentication/softwareOathMethods` });
  });

  r.route('GET', `${base}/:method`, 'directory.read', async (c) => {
    const u = await user(c);
    if (!u.totpSecret || c.params.method!.toLowerCase() !== methodId(u)) notFound(c.params.method!);
    return { '@odata.context': entityContext(c, `users('${u.id}')/authentication/softwareOathMethods`), ...shape(u) };
  });

  r.route('POST', base, 'users.write', async (c) => {
    const u = await user(c);
    parseBody(postSchema, c.req.body === undefined ? {} : jsonBody(c), 'softwareOathAuthenticationMethod', ['id', 'secretKey']);
    if (u.totpSecret) throw new Conflict('The user already has a software OATH method; delete it before registering another.');
    const secret = new OTPAuth.Secret({ size: 20 }).base32;
    const sealed = app.sealer.seal(secret, `totp:${u.id}`);
    await app.store.users.update({ ...u, totpSecret: sealed, updatedAt: Date.now() });
    await c.audit({ category: 'UserManagement', activity: 'Admin registered security info', targets: [target(u, [modified('StrongAuthenticationMethod', null, 'SoftwareOath')])] });
    app.directory.invalidate();
    const otpauthUri = new OTPAuth.TOTP({ issuer: 'Tessera', label: u.userPrincipalName, secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' }).toString();
    return { status: 201, body: { '@odata.context': contextOf(c, `users('${u.id}')/authentication/softwareOathMethods/$entity`), ...shape(u, secret), otpauthUri } };
  });

  r.route('DELETE', `${base}/:method`, 'users.write', async (c) => {
    const u = await user(c);
    if (!u.totpSecret || c.params.method!.toLowerCase() !== methodId(u)) notFound(c.params.method!);
    await app.store.users.update({ ...u, totpSecret: null, updatedAt: Date.now() });
    await c.audit({ category: 'UserManagement', activity: 'Admin deleted security info', targets: [target(u, [modified('StrongAuthenticationMethod', 'SoftwareOath', null)])] });
    app.directory.invalidate();
    return undefined;
  });
}
