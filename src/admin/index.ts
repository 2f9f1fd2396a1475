/**
 * Tessera's admin API in Microsoft Graph's shape, under `/v1.0` and `/beta`: one registration
 * function per resource, all mounted here.
 */
import type { FastifyInstance } from 'fastify';
import type { App } from '../app/app.ts';
import { createGraphRouter } from './route.ts';
import { registerUsers } from './users.ts';
import { registerDirectoryRoles } from './directory-roles.ts';

export function registerGraph(f: FastifyInstance, app: App): void {
  const r = createGraphRouter(f, app);
  registerUsers(r);
  registerDirectoryRoles(r);
}
