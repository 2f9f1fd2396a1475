/**
 * The device agent's user sign-in (registration with user credentials, and the `password` device
 * request): the same checks as the sign-in page (src/protocol/authorize/credentials.ts) — smart
 * lockout per account and address, argon2id password, disabled account, then TOTP (RFC 6238, each
 * code once) when the user has one — with the same Entra codes. The caller writes the one sign-in
 * record of the request; this only fills the identity fields of it.
 */
import type { App } from '../../app/app.ts';
import { InteractionRequired, InvalidGrant, type OAuthError } from '../../errors/oauth.ts';
import type { SignInEvent } from '../../signin/event.ts';
import type { Tenant, User } from '../../store/types.ts';
import { checkPrimaryCredentials, checkTotp } from '../authorize/credentials.ts';

export interface UserCredentials {
  username: unknown;
  password: unknown;
  otp?: unknown;
}

export interface SignedInUser {
  user: User;
  amr: string[];
  /** Keyed fingerprint of the password (identity protection's spray detection), never the password. */
  passwordFingerprint: string;
}

const str = (v: unknown, max: number): string | undefined => (typeof v === 'string' && v.length > 0 && v.length <= max ? v : undefined);

function step(e: SignInEvent, method: string, ok: boolean, detail: string, requirement = 'Primary authentication'): void {
  e.authenticationDetails.push({ authenticationMethod: method, authenticationStepDateTime: new Date().toISOString(), authenticationStepRequirement: requirement, authenticationStepResultDetail: detail, succeeded: ok });
}

/**
 * Checks a user's password (then TOTP) for a device-agent sign-in.
 * @throws InvalidGrant 50126 / 50053 / 50057, InteractionRequired 50076 (a second factor is needed: retry with `otp`), InvalidGrant 500121 (wrong code)
 */
export async function verifyUserCredentials(app: App, tenant: Tenant, ip: string, input: UserCredentials, e: SignInEvent): Promise<SignedInUser> {
  const username = str(input.username, 256);
  const password = str(input.password, 256);
  const bad = (): OAuthError => new InvalidGrant('Error validating credentials due to invalid username or password.', { aadsts: 50126 });
  if (!username || !password) throw new InvalidGrant('A user name and password are required.', { aadsts: 900144 });
  const r = await checkPrimaryCredentials(app, tenant, { ip, userAgent: e.userAgent, appId: e.appId, appDisplayName: e.appDisplayName, correlationId: e.correlationId, protocol: 'ropc' }, username, password);
  e.signInIdentifier = r.upn;
  if (r.user) {
    e.userId = r.user.id;
    e.userPrincipalName = r.user.userPrincipalName;
    e.userDisplayName = r.user.displayName;
    e.userType = r.user.userType === 'Guest' ? 'guest' : 'member';
  }
  if (r.kind === 'locked') {
    step(e, 'Password', false, 'Account is locked');
    throw new InvalidGrant('Account is locked because the user tried to sign in too many times with an incorrect user ID or password.', { aadsts: 50053 });
  }
  if (r.kind === 'bad' || r.kind === 'unknown') {
    step(e, 'Password', false, 'Invalid username or password');
    // As on the sign-in page, the answer never says which of the two was wrong; the record does.
    const err = bad();
    if (r.kind === 'unknown') throw new InvalidGrant(err.description, { aadsts: 50126, detail: 'AADSTS50034: the user account does not exist in the directory' });
    throw err;
  }
  if (r.kind === 'disabled') {
    step(e, 'Password', false, 'User account is disabled');
    throw new InvalidGrant('User account is disabled.', { aadsts: 50057 });
  }
  const { user, passwordFingerprint } = r;
  step(e, 'Password', true, 'Correct password');
  if (!user.totpSecret) return { user, amr: ['pwd'], passwordFingerprint };
  if (input.otp === undefined || input.otp === null) {
    // docs/token-protection.md §4: the agent retries with `otp`.
    throw new InteractionRequired('Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication: retry with a verification code (otp).', { aadsts: 50076 });
  }
  const otp = str(input.otp, 16);
  if (!otp || !checkTotp(app, user, otp)) {
    step(e, 'OATH verification code', false, 'Invalid verification code', 'Secondary authentication');
    throw new InvalidGrant('Authentication failed during strong authentication request.', { aadsts: 500121 });
  }
  step(e, 'OATH verification code', true, 'MFA successfully completed', 'Secondary authentication');
  return { user, amr: ['pwd', 'otp', 'mfa'], passwordFingerprint };
}
