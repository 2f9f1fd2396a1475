/** The device protocol's own endpoints (its two grants run in the token endpoint's pipeline). */
import type { FastifyInstance } from 'fastify';
import type { App } from '../../app/app.ts';
import { registerEnrollmentTokens } from './enrollment-token.ts';
import { registerEnrollmentTokenAdmin } from './enrollment-token-admin.ts';
import { registerDeviceNonce } from './nonce.ts';
import { registerDeviceRegistration } from './register.ts';
import { registerDeviceUnregistration } from './unregister.ts';

export function registerDeviceProtocol(f: FastifyInstance, app: App): void {
  registerDeviceNonce(f, app);
  registerDeviceRegistration(f, app);
  registerDeviceUnregistration(f, app);
  registerEnrollmentTokens(f, app);
  registerEnrollmentTokenAdmin(f, app);
}
