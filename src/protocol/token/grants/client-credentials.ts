/**
 * client_credentials (RFC 6749 §4.4): app-only tokens. Entra rules: confidential clients only, the
 * scope must be `<resource>/.default` (AADSTS1002012), and `roles` are the app roles the client's
 * service principal was granted on the resource; `wids` carries its directory roles.
 */
import { InvalidScope, UnauthorizedClient } from '../../../errors/oauth.ts';
import { resolveScopes } from '../../resources.ts';
import type { GrantOutcome, TokenContext } from '../context.ts';

export async function clientCredentialsGrant(ctx: TokenContext): Promise<GrantOutcome> {
  const { client, method } = ctx.client!;
  ctx.event.eventType = 'servicePrincipal';
  ctx.event.isInteractive = false;
  ctx.event.authenticationProtocol = 'clientCredentials';
  if (method === 'none') throw new UnauthorizedClient('Public clients cannot use the client credentials grant.', { aadsts: 7000218 });
  const scopes = await resolveScopes(ctx.app.directory, ctx.tenant.id, ctx.params.require('scope'));
  if (!scopes.isDefault || scopes.oidc.size) {
    throw new InvalidScope("The provided value for scope is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).", { aadsts: 1002012 });
  }
  const sp = client.sp;
  if (!sp) throw new UnauthorizedClient('The application has no service principal in this tenant.', { aadsts: 7000112 });
  const resource = scopes.resource!;
  const roles: string[] = [];
  if (resource.application) {
    const resourceSp = await ctx.app.store.servicePrincipals.getByAppId(ctx.tenant.id, resource.appId);
    const assignments = await ctx.app.store.servicePrincipals.appRoleAssignmentsOf(ctx.tenant.id, sp.id);
    for (const a of assignments) {
      if (a.resourceId !== resourceSp?.id) continue;
      const role = resource.application.appRoles.find((r) => r.id === a.appRoleId && r.isEnabled);
      if (role) roles.push(role.value);
    }
  }
  // Directory roles come from the client snapshot (dropped on every admin change), not a query per token.
  return { subject: { kind: 'app', sp }, scopes, scp: [], roles, wids: client.wids, amr: [], originalTransferMethod: 'none' };
}
