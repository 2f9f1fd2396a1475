import type { GrantOutcome, TokenContext } from '../context.ts';
import { authorizationCodeGrant } from './authorization-code.ts';
import { clientCredentialsGrant } from './client-credentials.ts';
import { deviceCodeGrant } from './device-code.ts';
import { refreshTokenGrant } from './refresh-token.ts';

/** Every grant Tessera accepts, by `grant_type`. */
export const grants: Record<string, (ctx: TokenContext) => Promise<GrantOutcome>> = {
  authorization_code: authorizationCodeGrant,
  refresh_token: refreshTokenGrant,
  client_credentials: clientCredentialsGrant,
  'urn:ietf:params:oauth:grant-type:device_code': deviceCodeGrant,
  // Entra also accepts the short name, and MSAL sends it.
  device_code: deviceCodeGrant,
};
