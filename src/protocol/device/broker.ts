/**
 * The device agent's own client: a public application present in every tenant that uses device
 * registration, like Entra's first-party "Microsoft Authentication Broker". Its appId is derived
 * from the tenant id, so agents and the server agree on it without configuration; it is created
 * on the first registration and returned to the agent (`broker_client_id`).
 */
import type { App } from '../../app/app.ts';
import { StoreConflict } from '../../store/types.ts';
import { nameBasedId, newId } from '../../util/ids.ts';

export const BROKER_DISPLAY_NAME = 'Tessera device agent';

/** The broker's client id in a tenant. */
export function brokerClientId(tenantId: string): string {
  return nameBasedId('tessera-device-agent', tenantId);
}

/** Creates the broker application and its service principal in the tenant unless they exist. */
export async function ensureBrokerApp(app: App, tenantId: string): Promise<string> {
  const appId = brokerClientId(tenantId);
  if (await app.store.applications.getByAppId(appId)) return appId;
  const now = Date.now();
  try {
    await app.store.applications.create({
      id: newId(), tenantId, appId, displayName: BROKER_DISPLAY_NAME, isPublic: true, signInAudience: 'AzureADMyOrg',
      redirectUris: [], identifierUris: [], appRoles: [], scopes: [], tokenProtectionRequired: false, createdAt: now, updatedAt: now,
    });
    await app.store.servicePrincipals.create({ id: newId(), tenantId, appId, displayName: BROKER_DISPLAY_NAME, accountEnabled: true, createdAt: now });
  } catch (e) {
    // Two first registrations at once: the other one created it.
    if (!(e instanceof StoreConflict)) throw e;
  }
  app.directory.invalidate();
  return appId;
}
