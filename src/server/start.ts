/**
 * Starting Tessera: open the parts, mount the routes, listen. Used by `tessera start` and by tests
 * (which start real servers on port 0 with temporary data folders).
 */
import type { FastifyInstance } from 'fastify';
import type { TesseraConfig } from '../config/defaults.ts';
import { openTessera, type App } from '../app/app.ts';
import type { NewTenantResult } from '../app/tenants.ts';
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
  // Hourly housekeeping: signing-key rotation, log retention, expired refresh tokens, and the workload-identity detections
  // that are reported as closed time windows.
  const housekeeping = async (): Promise<void> => {
    await app.keys.maintain(Date.now()).catch((err) => app.log.error({ err }, 'key rotation failed'));
    await app.logs.prune(new Date()).catch((err) => app.log.error({ err }, 'log retention failed'));
    await app.store.refreshTokens.deleteExpired(Date.now()).catch((err) => app.log.error({ err }, 'expired refresh token cleanup failed'));
    for (const t of app.risk.tenants()) await app.risk.engine(t).flushWorkloadDetections().catch((err) => app.log.error({ err }, 'workload detections failed'));
  };
  const timer = setInterval(() => { void housekeeping(); }, 3_600_000);
  timer.unref();
  return {
    app, http, url: app.baseUrl, bootstrap: app.bootstrap,
    async close() {
      clearInterval(timer);
      await http.close();
      await app.close();
    },
  };
}
