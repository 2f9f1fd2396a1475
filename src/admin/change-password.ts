/**
 * `POST /me/changePassword` (Graph: `{currentPassword, newPassword}` → 204). The user proves the
 * current password; the new one must meet the password policy. When the sign-in behind the token
 * included MFA, this is a *secure* password change and remediates the user's risk (identity
 * protection: riskDetail userPerformedSecuredPasswordChange).
 */
import type { GraphRouter } from './route.ts';
import { jsonBody } from './route.ts';
import { BadRequest } from '../errors/graph.ts';
import { checkPasswordPolicy, hashPassword, PasswordPolicyError, verifyPassword } from '../directory/passwords.ts';

export function registerChangePassword(r: GraphRouter): void {
  r.route('POST', '/me/changePassword', 'self', async (c) => {
    if (c.caller.kind !== 'user') throw new BadRequest('/me request is only valid with delegated authentication flow.');
    const body = jsonBody(c);
    const { currentPassword, newPassword } = body;
    if (typeof currentPassword !== 'string' || typeof newPassword !== 'string') throw new BadRequest("Both 'currentPassword' and 'newPassword' are required strings.");
    const unknown = Object.keys(body).filter((k) => k !== 'currentPassword' && k !== 'newPassword');
    if (unknown.length) throw new BadRequest(`Property '${unknown[0]!.slice(0, 40)}' is not part of changePassword.`);
    const tenantId = c.caller.tenant.id;
    const user = await c.app.store.users.get(tenantId, c.caller.principalId);
    if (!user) throw new BadRequest('The signed-in user no longer exists.');
    if (!(await verifyPassword(user.passwordHash, currentPassword))) throw new BadRequest('The current password is not correct.');
    try {
      checkPasswordPolicy(newPassword);
    } catch (e) {
      if (e instanceof PasswordPolicyError) throw new BadRequest(e.message);
      throw e;
    }
    if (newPassword === currentPassword) throw new BadRequest('The new password must differ from the current one.');
    const now = Date.now();
    await c.app.store.users.update({ ...user, passwordHash: await hashPassword(newPassword), updatedAt: now });
    await c.audit({ category: 'UserManagement', activity: 'Change user password', targets: [{ id: user.id, displayName: user.displayName, type: 'User', userPrincipalName: user.userPrincipalName }] });
    const amr = Array.isArray(c.caller.claims.amr) ? (c.caller.claims.amr as unknown[]) : [];
    const mfa = amr.includes('mfa');
    // Identity protection: a password change after MFA remediates the user's own risk.
    await c.app.risk.engine(tenantId).actions.remediateUserBySecurePasswordChange(user.id, { mfaSatisfied: mfa }).catch(() => undefined);
    c.app.directory.invalidate();
    return undefined;
  });
}
