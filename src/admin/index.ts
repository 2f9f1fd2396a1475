/**
 * Tessera's admin API in Microsoft Graph's shape, under `/v1.0` and `/beta`: one registration
 * function per resource, all mounted here.
 */
import type { FastifyInstance } from 'fastify';
import type { App } from '../app/app.ts';
import { createGraphRouter } from './route.ts';
import { registerUsers } from './users.ts';
import { registerGroups } from './groups.ts';
import { registerApplications } from './applications.ts';
import { registerServicePrincipals } from './service-principals.ts';
import { registerDevices } from './devices.ts';
import { registerDirectoryRoles } from './directory-roles.ts';
import { registerSoftwareOath } from './software-oath.ts';
import { registerDirectoryAudits } from './directory-audits.ts';
import { registerSignIns } from './sign-ins.ts';

export function registerGraph(f: FastifyInstance, app: App): void {
  const r = createGraphRouter(f, app);
  registerUsers(r);
  registerGroups(r);
  registerApplications(r);
  registerServicePrincipals(r);
  registerDevices(r);
  registerDirectoryRoles(r);
  registerSoftwareOath(r);
  registerDirectoryAudits(r);
  registerSignIns(r);
}
