/**
 * `/users`: list, get (by id or userPrincipalName), create with a passwordProfile, update, delete,
 * `/me`, `memberOf`, and `revokeSignInSessions` (graph-shapes §9), which moves
 * signInSessionsValidFromDateTime to now and revokes the user's refresh tokens and browser sessions.
 */
import { z } from 'zod';
import type { App } from '../app/app.ts';
import { BadRequest } from '../errors/graph.ts';
import { checkPasswordPolicy, hashPassword, PasswordPolicyError } from '../directory/passwords.ts';
import { StoreConflict, type Tenant, type User } from '../store/types.ts';
import { newId } from '../util/ids.ts';
import { catalogues } from './odata/index.ts';
import { contextOf, entityContext, jsonBody, listResponse, notFound, requireRoleManagerFor, selectOne, type GraphContext, type GraphRouter } from './route.ts';
import { changes, modified, nonEmpty, parseBody, stringList, text } from './validate.ts';
import { directoryRoleObject } from './directory-roles.ts';
import { toGraphDevice } from './devices.ts';

/** Optional profile properties kept in `user.extra`, as Graph names them. */
const PROFILE = {
  mailNickname: text(64), jobTitle: text(128), department: text(64), officeLocation: text(128), mobilePhone: text(64),
  businessPhones: stringList(64, 10), usageLocation: text(2), employeeId: text(16), companyName: text(64), city: text(128),
  country: text(128), state: text(128), postalCode: text(40), streetAddress: text(1024), preferredLanguage: text(16), passwordPolicies: text(256),
};

const passwordProfile = z.object({
  password: z.string().max(256, 'must be at most 256 characters'),
  forceChangePasswordNextSignIn: z.boolean().optional(),
  forceChangePasswordNextSignInWithMfa: z.boolean().optional(),
}).strict();

const editable = {
  accountEnabled: z.boolean(), displayName: nonEmpty(256), userPrincipalName: nonEmpty(113), givenName: text(64).nullable(), surname: text(64).nullable(),
  mail: text(256).nullable(), userType: z.enum(['Member', 'Guest']), passwordProfile,
  ...Object.fromEntries(Object.entries(PROFILE).map(([k, v]) => [k, v.nullable()])),
};
const createSchema = z.object({ ...editable }).partial().required({ accountEnabled: true, displayName: true, userPrincipalName: true, passwordProfile: true });
const patchSchema = z.object({ ...editable }).partial();
const READ_ONLY = ['id', 'createdDateTime', 'signInSessionsValidFromDateTime', 'deletedDateTime', 'lastPasswordChangeDateTime', 'creationType', 'securityIdentifier', 'onPremisesSyncEnabled'];

export function toGraphUser(u: User): Record<string, unknown> {
  const x = u.extra;
  return {
    id: u.id, businessPhones: x.businessPhones ?? [], displayName: u.displayName, givenName: u.givenName, jobTitle: x.jobTitle ?? null,
    mail: u.mail, mobilePhone: x.mobilePhone ?? null, officeLocation: x.officeLocation ?? null, preferredLanguage: x.preferredLanguage ?? null,
    surname: u.surname, userPrincipalName: u.userPrincipalName, accountEnabled: u.accountEnabled, userType: u.userType,
    mailNickname: x.mailNickname ?? u.userPrincipalName.split('@')[0], department: x.department ?? null, companyName: x.companyName ?? null,
    employeeId: x.employeeId ?? null, usageLocation: x.usageLocation ?? null, city: x.city ?? null, state: x.state ?? null, country: x.country ?? null,
    postalCode: x.postalCode ?? null, streetAddress: x.streetAddress ?? null, passwordPolicies: x.passwordPolicies ?? null,
    createdDateTime: new Date(u.createdAt).toISOString(),
    signInSessionsValidFromDateTime: new Date(u.signInSessionsValidFrom || u.createdAt).toISOString(),
    lastPasswordChangeDateTime: typeof x.lastPasswordChangeAt === 'number' ? new Date(x.lastPasswordChangeAt).toISOString() : null,
    creationType: null, identities: [{ signInType: 'userPrincipalName', issuer: u.userPrincipalName.split('@')[1] ?? '', issuerAssignedId: u.userPrincipalName }],
  };
}

/** A user by object id or userPrincipalName; 404 otherwise. */
export async function findUser(app: App, tenantId: string, idOrUpn: string): Promise<User> {
  if (idOrUpn.length > 256) notFound(idOrUpn);
  const key = idOrUpn; // Fastify has already percent-decoded path parameters
  const u = key.includes('@') ? await app.store.users.getByUpn(tenantId, key.toLowerCase()) : await app.store.users.get(tenantId, key.toLowerCase());
  return u ?? notFound(key);
}

function checkUpn(tenant: Tenant, upn: string): string {
  const m = /^([^@\s]+)@([^@\s]+)$/.exec(upn);
  if (!m) throw new BadRequest("Invalid value specified for property 'userPrincipalName' of resource 'User'.");
  if (m[2]!.toLowerCase() !== tenant.domain.toLowerCase()) {
    throw new BadRequest('The domain portion of the userPrincipalName property is invalid. You must use one of the verified domain names in your organization.');
  }
  return upn.toLowerCase();
}

async function passwordHashOf(pw: string): Promise<string> {
  try {
    checkPasswordPolicy(pw);
  } catch (e) {
    if (e instanceof PasswordPolicyError) throw new BadRequest(`The specified password does not comply with password complexity requirements. ${e.message}`);
    throw e;
  }
  return hashPassword(pw);
}

function profileOf(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(PROFILE).filter((k) => body[k] !== undefined).map((k) => [k, body[k]]));
}

const target = (u: User, modifiedProperties: ReturnType<typeof changes> = []) => ({ id: u.id, displayName: u.displayName, type: 'User', userPrincipalName: u.userPrincipalName, modifiedProperties });

export async function revokeSessions(c: GraphContext, user: User): Promise<void> {
  const { app } = c;
  // Whole seconds: access tokens carry `iat` in seconds, so one issued later in the same second stays valid.
  const at = Math.floor(Date.now() / 1000) * 1000;
  const before = user.signInSessionsValidFrom;
  await app.store.users.update({ ...user, signInSessionsValidFrom: at, updatedAt: Date.now() });
  await app.store.refreshTokens.revokeForUser(user.tenantId, user.id);
  await app.store.sessions.revokeForUser(user.tenantId, user.id);
  // Entra's activity name for revokeSignInSessions (and Revoke-AzureADUserAllRefreshToken).
  await c.audit({
    category: 'UserManagement', activity: 'Invalidate all refresh tokens for user',
    targets: [target(user, [modified('StsRefreshTokensValidFrom', before ? new Date(before).toISOString() : null, new Date(at).toISOString())])],
  });
  app.directory.invalidate();
}

export function registerUsers(r: GraphRouter): void {
  const { app } = r;
  const me = async (c: GraphContext): Promise<User> => {
    if (c.caller.kind !== 'user') throw new BadRequest('/me request is only valid with delegated authentication flow.');
    return findUser(app, c.caller.tenant.id, c.caller.principalId);
  };

  r.route('GET', '/users', 'directory.read', async (c) => {
    const users = await app.store.users.list(c.caller.tenant.id);
    return listResponse(c, catalogues.user, users.map(toGraphUser));
  });

  r.route('GET', '/users/:id', 'directory.read', async (c) => {
    const u = await findUser(app, c.caller.tenant.id, c.params.id!);
    return selectOne(c, catalogues.user, toGraphUser(u));
  });

  r.route('GET', '/me', 'self', async (c) => selectOne(c, catalogues.user, toGraphUser(await me(c))));

  r.route('POST', '/users', 'users.write', async (c) => {
    const body = parseBody(createSchema, jsonBody(c), 'user', READ_ONLY);
    const upn = checkUpn(c.caller.tenant, body.userPrincipalName);
    const now = Date.now();
    const user: User = {
      id: newId(), tenantId: c.caller.tenant.id, userPrincipalName: upn, displayName: body.displayName, givenName: body.givenName ?? null,
      surname: body.surname ?? null, mail: body.mail ?? null, accountEnabled: body.accountEnabled, userType: body.userType ?? 'Member',
      passwordHash: await passwordHashOf(body.passwordProfile.password), totpSecret: null, signInSessionsValidFrom: 0, createdAt: now, updatedAt: now,
      extra: { ...profileOf(body), lastPasswordChangeAt: now, forceChangePasswordNextSignIn: body.passwordProfile.forceChangePasswordNextSignIn ?? false },
    };
    try {
      await app.store.users.create(user);
    } catch (e) {
      if (e instanceof StoreConflict) throw new BadRequest('Another object with the same value for property userPrincipalName already exists.');
      throw e;
    }
    await c.audit({ category: 'UserManagement', activity: 'Add user', targets: [target(user, [modified('AccountEnabled', null, user.accountEnabled), modified('DisplayName', null, user.displayName), modified('UserPrincipalName', null, upn)])] });
    app.directory.invalidate();
    return { status: 201, body: { '@odata.context': entityContext(c, 'users'), ...toGraphUser(user) } };
  });

  r.route('PATCH', '/users/:id', 'users.write', async (c) => {
    const user = await findUser(app, c.caller.tenant.id, c.params.id!);
    const body = parseBody(patchSchema, jsonBody(c), 'user', READ_ONLY);
    if (body.passwordProfile || body.accountEnabled === false || body.userPrincipalName !== undefined) await requireRoleManagerFor(c, user.id);
    const next: User = { ...user, extra: { ...user.extra, ...profileOf(body) }, updatedAt: Date.now() };
    if (body.userPrincipalName !== undefined) next.userPrincipalName = checkUpn(c.caller.tenant, body.userPrincipalName);
    if (body.displayName !== undefined) next.displayName = body.displayName;
    if (body.givenName !== undefined) next.givenName = body.givenName;
    if (body.surname !== undefined) next.surname = body.surname;
    if (body.mail !== undefined) next.mail = body.mail;
    if (body.accountEnabled !== undefined) next.accountEnabled = body.accountEnabled;
    if (body.userType !== undefined) next.userType = body.userType;
    if (body.passwordProfile) {
      next.passwordHash = await passwordHashOf(body.passwordProfile.password);
      next.extra = { ...next.extra, lastPasswordChangeAt: Date.now(), forceChangePasswordNextSignIn: body.passwordProfile.forceChangePasswordNextSignIn ?? false };
    }
    if (next.userPrincipalName !== user.userPrincipalName && (await app.store.users.getByUpn(user.tenantId, next.userPrincipalName))) {
      throw new BadRequest('Another object with the same value for property userPrincipalName already exists.');
    }
    const { passwordProfile, ...visible } = body;
    const mods = changes(toGraphUser(user), visible);
    if (passwordProfile) mods.push({ displayName: 'PasswordProfile', oldValue: null, newValue: null });
    await app.store.users.update(next);
    if (user.accountEnabled && !next.accountEnabled) {
      // A disabled account keeps no refresh tokens or browser sessions.
      await app.store.refreshTokens.revokeForUser(user.tenantId, user.id);
      await app.store.sessions.revokeForUser(user.tenantId, user.id);
    }
    await c.audit({ category: 'UserManagement', activity: passwordProfile && Object.keys(visible).length === 0 ? 'Reset user password' : 'Update user', targets: [target(next, mods)] });
    app.directory.invalidate();
    return undefined;
  });

  r.route('DELETE', '/users/:id', 'users.write', async (c) => {
    const user = await findUser(app, c.caller.tenant.id, c.params.id!);
    if (c.caller.kind === 'user' && c.caller.principalId === user.id) throw new BadRequest('You cannot delete your own account.');
    await requireRoleManagerFor(c, user.id);
    const tenantId = user.tenantId;
    await app.store.refreshTokens.revokeForUser(tenantId, user.id);
    await app.store.sessions.revokeForUser(tenantId, user.id);
    for (const role of await app.store.roles.rolesOf(tenantId, user.id)) await app.store.roles.unassign(tenantId, role, user.id);
    for (const g of await app.store.groups.list(tenantId)) await app.store.groups.removeMember(tenantId, g.id, user.id);
    await app.store.users.delete(tenantId, user.id);
    await c.audit({ category: 'UserManagement', activity: 'Delete user', targets: [target(user)] });
    app.directory.invalidate();
    return undefined;
  });

  const revoke = async (c: GraphContext, user: User) => {
    await revokeSessions(c, user);
    return { '@odata.context': contextOf(c, 'Edm.Boolean'), value: true };
  };
  r.route('POST', '/users/:id/revokeSignInSessions', 'sessions.revoke', async (c) => revoke(c, await findUser(app, c.caller.tenant.id, c.params.id!)));
  // A user may always revoke their own sessions (Graph allows /me/revokeSignInSessions with User.ReadWrite).
  r.route('POST', '/me/revokeSignInSessions', 'self', async (c) => revoke(c, await me(c)));

  const memberOf = async (c: GraphContext, user: User) => {
    const tenantId = user.tenantId;
    const rows: Record<string, unknown>[] = [];
    for (const g of await app.store.groups.list(tenantId)) {
      if ((await app.store.groups.members(tenantId, g.id)).some((m) => m.id === user.id)) {
        rows.push({ '@odata.type': '#microsoft.graph.group', id: g.id, displayName: g.displayName, description: g.description, mailEnabled: g.mailEnabled, securityEnabled: g.securityEnabled, mailNickname: g.mailNickname });
      }
    }
    for (const t of await app.store.roles.rolesOf(tenantId, user.id)) {
      const role = directoryRoleObject(tenantId, t);
      if (role) rows.push({ '@odata.type': '#microsoft.graph.directoryRole', ...role });
    }
    return listResponse(c, catalogues.group, rows, { entitySet: 'directoryObjects' });
  };
  const registeredDevices = async (c: GraphContext, user: User) =>
    listResponse(c, catalogues.device, (await app.store.devices.ofOwner(user.tenantId, user.id)).map((d) => ({ '@odata.type': '#microsoft.graph.device', ...toGraphDevice(d) })), { entitySet: 'directoryObjects' });
  r.route('GET', '/users/:id/registeredDevices', 'directory.read', async (c) => registeredDevices(c, await findUser(app, c.caller.tenant.id, c.params.id!)));
  r.route('GET', '/me/registeredDevices', 'self', async (c) => registeredDevices(c, await me(c)));

  r.route('GET', '/users/:id/memberOf', 'directory.read', async (c) => memberOf(c, await findUser(app, c.caller.tenant.id, c.params.id!)));
  r.route('GET', '/me/memberOf', 'self', async (c) => memberOf(c, await me(c)));
}
