/**
 * Starting Tessera: open the parts, mount the routes, listen. Used by `tessera start` and by tests
 * (which start real servers on port 0 with temporary data folders).
 */
import type { FastifyInstance } from 'fastify';
import type { TesseraConfig } from '../config/defaults.ts';
import { openTessera, type App } from '../app/app.ts';
import type { NewTenantResult } from '../app/tenants.ts';
import { scheduleHousekeeping } from './housekeeping.ts';
import { createHttpServer } from './http.ts';
import { registerRoutes } from './routes.ts';
import { loadTls } from './tls.ts';

export interface RunningTessera {
  app: App;
  http: FastifyInstance;
  url: string;
  bootstrap: NewTenantResult | undefined;
  close(): Promise<void>;
}

export async function startTessera(config: TesseraConfig, opts: { announce?: (lines: string[]) => void; env?: NodeJS.ProcessEnv } = {}): Promise<RunningTessera> {
  const app = await openTessera(config, opts);
  const tls = await loadTls(config);
  const http = createHttpServer(app, tls ? { https: tls } : {});
  registerRoutes(http, app);
  let address: string;
  try {
    address = await http.listen({ host: config.host, port: config.port });
  } catch (e) {
    await app.close();
    throw e;
  }
  const port = (http.server.address() as { port: number }).port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  if (!config.publicUrl) app.baseUrl = `${tls ? 'https' : 'http'}://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  void address;
  // Housekeeping (key rotation, log retention, expired-row purge, workload detections): shortly
  // after start, then hourly.
  const housekeeping = scheduleHousekeeping(app);
  return {
    app, http, url: app.baseUrl, bootstrap: app.bootstrap,
    async close() {
      await housekeeping.stop();
      await http.close();
      await app.close();
    },
  };
}
