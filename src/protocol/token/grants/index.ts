import type { GrantOutcome, TokenContext } from '../context.ts';
import { authorizationCodeGrant } from './authorization-code.ts';
import { clientCredentialsGrant } from './client-credentials.ts';
import { deviceCodeGrant } from './device-code.ts';
import { refreshTokenGrant } from './refresh-token.ts';
import { deviceRequestGrant, GRANT_DEVICE_REQUEST } from '../../device/grant-device-request.ts';
import { GRANT_SESSION, sessionGrant } from '../../device/grant-session.ts';

/** Every grant Tessera accepts, by `grant_type`. */
export const grants: Record<string, (ctx: TokenContext) => Promise<GrantOutcome>> = {
  authorization_code: authorizationCodeGrant,
  refresh_token: refreshTokenGrant,
  client_credentials: clientCredentialsGrant,
  'urn:ietf:params:oauth:grant-type:device_code': deviceCodeGrant,
  // Entra also accepts the short name, and MSAL sends it.
  device_code: deviceCodeGrant,
  // Token protection: device-signed sign-in and the device-bound session (docs/token-protection.md §4).
  [GRANT_DEVICE_REQUEST]: deviceRequestGrant,
  [GRANT_SESSION]: sessionGrant,
};
