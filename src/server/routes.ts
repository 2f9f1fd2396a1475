/** Every route Tessera serves, in one place. */
import type { FastifyInstance } from 'fastify';
import type { App } from '../app/app.ts';
import { registerDiscovery } from '../protocol/discovery.ts';
import { registerTokenEndpoint } from '../protocol/token/endpoint.ts';
import { registerAuthorize } from '../protocol/authorize/endpoint.ts';
import { completeDeviceSignIn, registerDeviceAuthorization } from '../protocol/device-authorization.ts';
import { registerTokenManagement } from '../protocol/token-management.ts';
import { registerGraph } from '../admin/index.ts';
import { registerDeviceProtocol } from '../protocol/device/routes.ts';
import { createGraphRouter } from '../admin/route.ts';
import { registerConditionalAccess } from '../admin/conditional-access.ts';
import { registerWorkspaceQuery } from '../admin/workspace-query.ts';
import { registerIdentityProtection } from '../admin/identity-protection.ts';
import { registerChangePassword } from '../admin/change-password.ts';

export function registerRoutes(f: FastifyInstance, app: App): void {
  f.get('/health', async () => ({ status: 'ok' }));
  registerDiscovery(f, app);
  registerTokenEndpoint(f, app);
  registerAuthorize(f, app, { device: (reply, tenant, i, user, amr) => completeDeviceSignIn(app, reply, tenant, i, user, amr) });
  registerDeviceAuthorization(f, app);
  registerTokenManagement(f, app);
  registerGraph(f, app);
  const graph = createGraphRouter(f, app);
  registerConditionalAccess(graph);
  registerIdentityProtection(graph);
  registerChangePassword(graph);
  registerWorkspaceQuery(f, app);
  registerDeviceProtocol(f, app);
}
