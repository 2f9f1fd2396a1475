/**
 * Checking what a person types: password (argon2id), then TOTP (RFC 6238) when the user has one.
 * Failures are interactive sign-ins too, and are recorded with Entra's codes: 50126 bad credentials,
 * 50053 locked (smart lockout), 50057 disabled, 50034 unknown user (logged as 50126 to the browser).
 */
import * as OTPAuth from 'otpauth';
import type { App } from '../../app/app.ts';
import { verifyPassword } from '../../directory/passwords.ts';
import { blankSignIn, type SignInEvent } from '../../signin/event.ts';
import type { Tenant, User } from '../../store/types.ts';
import { newId } from '../../util/ids.ts';
import { parseUserAgent } from '../../signin/user-agent.ts';

export interface Attempt { ip: string; userAgent: string; appId: string; appDisplayName: string; correlationId: string; protocol: string }

export type PasswordResult = { ok: true; user: User; passwordFingerprint: string } | { ok: false; message: string };

export function interactiveEvent(tenant: Tenant, a: Attempt, identifier: string, user: User | undefined): SignInEvent {
  const agent = parseUserAgent(a.userAgent);
  return blankSignIn({
    id: newId(), correlationId: a.correlationId, tenantId: tenant.id, eventType: 'interactiveUser', ipAddress: a.ip, userAgent: a.userAgent,
    appId: a.appId, appDisplayName: a.appDisplayName, signInIdentifier: identifier.slice(0, 256), clientAppUsed: 'Browser',
    authenticationProtocol: a.protocol, userId: user?.id ?? null, userPrincipalName: user?.userPrincipalName ?? null,
    userDisplayName: user?.displayName ?? null, userType: user ? (user.userType === 'Guest' ? 'guest' : 'member') : null,
    deviceDetail: { deviceId: '', displayName: '', operatingSystem: agent.operatingSystem, browser: agent.browser, isCompliant: null, isManaged: null, trustType: '' },
    tokenProtectionStatusDetails: { signInSessionStatus: 'unbound', signInSessionStatusCode: 1008 },
  });
}

/** Failed password checks feed identity protection (password spray, malicious IP) with a keyed fingerprint, never the password. */
function feedRisk(app: App, tenant: Tenant, a: Attempt, upn: string, user: User | undefined, fingerprint: string, failureKind: 'invalidPassword' | 'unknownUser' | 'blocked'): void {
  const engine = app.risk.engine(tenant.id);
  void engine.recordOutcome({
    requestId: newId(), correlationId: a.correlationId, time: Date.now(), userId: user?.id ?? '', userPrincipalName: user?.userPrincipalName ?? upn,
    appId: a.appId, ip: a.ip, userAgent: a.userAgent, isInteractive: true, status: 'failure', failureKind, passwordFingerprint: fingerprint,
  }).catch((err) => app.log.error({ err }, 'risk learning failed'));
}

function fail(app: App, e: SignInEvent, code: number, reason: string, step: string): void {
  e.status = { errorCode: code, failureReason: reason, additionalDetails: null };
  e.authenticationDetails.push({ authenticationMethod: step, authenticationStepDateTime: new Date().toISOString(), authenticationStepRequirement: 'Primary authentication', authenticationStepResultDetail: reason, succeeded: false });
  app.signIns.record(e);
}

/** The outcome of a primary (password) check, shared by the sign-in page and the device agent. */
export type PrimaryCheck =
  | { kind: 'locked'; upn: string; user: User | undefined }
  | { kind: 'unknown'; upn: string; user: undefined }
  | { kind: 'bad'; upn: string; user: User }
  | { kind: 'disabled'; upn: string; user: User }
  | { kind: 'ok'; upn: string; user: User; passwordFingerprint: string };

/**
 * Smart lockout per account and address, argon2id password, disabled account; failed passwords feed
 * identity protection (password spray) as keyed fingerprints. Callers write the sign-in record.
 */
export async function checkPrimaryCredentials(app: App, tenant: Tenant, a: Attempt, username: string, password: string): Promise<PrimaryCheck> {
  const upn = username.trim().toLowerCase().slice(0, 256);
  const lockKey = `${tenant.id}|${upn}`;
  const user = /^[^@\s]+@[^@\s]+$/.test(upn) ? await app.store.users.getByUpn(tenant.id, upn) : undefined;
  if (app.lockout.lockedFor(lockKey, a.ip) > 0) return { kind: 'locked', upn, user };
  const good = await verifyPassword(user?.passwordHash ?? null, password);
  const fingerprint = app.risk.engine(tenant.id).fingerprintPassword(password);
  if (!user || !good) {
    app.lockout.failure(lockKey, a.ip);
    feedRisk(app, tenant, a, upn, user, fingerprint, user ? 'invalidPassword' : 'unknownUser');
    return user ? { kind: 'bad', upn, user } : { kind: 'unknown', upn, user: undefined };
  }
  if (!user.accountEnabled) return { kind: 'disabled', upn, user };
  app.lockout.success(lockKey);
  return { kind: 'ok', upn, user, passwordFingerprint: fingerprint };
}

export async function checkPassword(app: App, tenant: Tenant, a: Attempt, username: string, password: string): Promise<PasswordResult> {
  const r = await checkPrimaryCredentials(app, tenant, a, username, password);
  if (r.kind === 'ok') return { ok: true, user: r.user, passwordFingerprint: r.passwordFingerprint };
  const e = interactiveEvent(tenant, a, r.upn, r.user);
  switch (r.kind) {
    case 'locked':
      fail(app, e, 50053, 'Account is locked because the user tried to sign in too many times with an incorrect user ID or password.', 'Password');
      return { ok: false, message: 'Your account is temporarily locked to prevent unauthorized use. Try again later.' };
    case 'disabled':
      fail(app, e, 50057, 'User account is disabled.', 'Password');
      return { ok: false, message: 'Your account has been disabled. Contact your administrator.' };
    default:
      fail(app, e, r.kind === 'bad' ? 50126 : 50034, r.kind === 'bad' ? 'Error validating credentials due to invalid username or password.' : 'The user account does not exist in the directory.', 'Password');
      // The page never says which of the two was wrong.
      return { ok: false, message: 'Your account or password is incorrect.' };
  }
}

const lastOtpStep = new Map<string, number>();

/** RFC 6238 TOTP, ±1 step of clock drift; a code is accepted once (RFC 6238 §5.2). */
export function checkTotp(app: App, user: User, code: string): boolean {
  if (!user.totpSecret || !/^\d{6}$/.test(code)) return false;
  const secret = app.sealer.unseal(user.totpSecret, `totp:${user.id}`).toString('utf8');
  const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' });
  const delta = totp.validate({ token: code, window: 1 });
  if (delta === null) return false;
  const step = Math.floor(Date.now() / 30_000) + delta;
  if ((lastOtpStep.get(user.id) ?? -1) >= step) return false;
  if (lastOtpStep.size > 100_000) lastOtpStep.clear();
  lastOtpStep.set(user.id, step);
  return true;
}

export function recordOtpFailure(app: App, tenant: Tenant, a: Attempt, user: User): void {
  const e = interactiveEvent(tenant, a, user.userPrincipalName, user);
  fail(app, e, 500121, 'Authentication failed during strong authentication request.', 'OATH verification code');
}
