import { InvalidGrant } from '../../../errors/oauth.ts';
import type { User } from '../../../store/types.ts';
import type { TokenContext } from '../context.ts';

/** The user a grant speaks for, still existing, enabled and not revoked since `issuedAt`. */
export async function loadActiveUser(ctx: TokenContext, userId: string, issuedAt: number): Promise<User> {
  const user = await ctx.app.store.users.get(ctx.tenant.id, userId);
  if (!user) throw new InvalidGrant('The user account does not exist in the directory.', { aadsts: 50034 });
  ctx.event.userId = user.id;
  ctx.event.userPrincipalName = user.userPrincipalName;
  ctx.event.userDisplayName = user.displayName;
  ctx.event.userType = user.userType === 'Guest' ? 'guest' : 'member';
  if (!user.accountEnabled) throw new InvalidGrant('The user account is disabled.', { aadsts: 50057 });
  if (user.signInSessionsValidFrom > issuedAt) {
    throw new InvalidGrant('The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.', { aadsts: 50173 });
  }
  return user;
}
