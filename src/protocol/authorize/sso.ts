/**
 * The browser's single sign-on session. The cookie holds the session id sealed under the master key
 * (unforgeable, unreadable); the session row makes it revocable (logout, revokeSignInSessions).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../app/app.ts';
import type { Session, Tenant, User } from '../../store/types.ts';
import { newId } from '../../util/ids.ts';

const cookieName = (tenantId: string): string => `tessera_sso_${tenantId.replace(/-/g, '').slice(0, 12)}`;

function readCookie(req: FastifyRequest, name: string): string | undefined {
  const raw = req.headers.cookie;
  if (!raw || raw.length > 8192) return undefined;
  for (const part of raw.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

export async function readSsoSession(app: App, req: FastifyRequest, tenant: Tenant): Promise<{ session: Session; user: User } | undefined> {
  const value = readCookie(req, cookieName(tenant.id));
  if (!value) return undefined;
  let sid: string;
  try { sid = app.sealer.unseal(value, `sso:${tenant.id}`).toString('utf8'); } catch { return undefined; }
  const session = await app.store.sessions.get(sid);
  if (!session || session.revoked || session.expiresAt <= Date.now() || session.tenantId !== tenant.id) return undefined;
  const user = await app.store.users.get(tenant.id, session.userId);
  if (!user || !user.accountEnabled || user.signInSessionsValidFrom > session.createdAt) return undefined;
  return { session, user };
}

export async function startSsoSession(app: App, reply: FastifyReply, tenant: Tenant, user: User, amr: string[]): Promise<Session> {
  const now = Date.now();
  const session: Session = { id: newId(), tenantId: tenant.id, userId: user.id, authTime: now, amr, createdAt: now, expiresAt: now + app.config.sessionTtl * 1000, revoked: false };
  await app.store.sessions.create(session);
  const secure = app.baseUrl.startsWith('https:') ? '; Secure' : '';
  void reply.header('Set-Cookie', `${cookieName(tenant.id)}=${app.sealer.seal(session.id, `sso:${tenant.id}`)}; Path=/${tenant.id}; HttpOnly; SameSite=Lax; Max-Age=${app.config.sessionTtl}${secure}`);
  return session;
}

export async function endSsoSession(app: App, req: FastifyRequest, reply: FastifyReply, tenant: Tenant): Promise<Session | undefined> {
  const s = await readSsoSession(app, req, tenant);
  if (s) await app.store.sessions.revoke(s.session.id);
  void reply.header('Set-Cookie', `${cookieName(tenant.id)}=; Path=/${tenant.id}; HttpOnly; SameSite=Lax; Max-Age=0`);
  return s?.session;
}
