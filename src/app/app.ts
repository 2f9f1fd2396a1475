/**
 * The running service's parts, built once at start and passed explicitly to the route modules
 * (no global locator). `openTessera` opens the stores, the key ring and the caches; `close` flushes
 * logs and closes everything.
 */
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import pino from 'pino';
import type { TesseraConfig } from '../config/defaults.ts';
import type { AnalyticsStore } from '../logs/analytics-store.ts';
import { openAnalyticsStoreInWorker } from '../logs/worker-store.ts';
import { createSealer, loadMasterKey, type Sealer } from '../keys/master-key.ts';
import { openKeyRing, type KeyRing } from '../keys/key-ring.ts';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/types.ts';
import { SignInRecorder } from '../signin/recorder.ts';
import { AuditWriter } from './audit.ts';
import { DirectoryCache } from './directory-cache.ts';
import { Lockout } from './lockout.ts';
import { createTenant, type NewTenantResult } from './tenants.ts';
import { createHmacNonceService, type NonceService } from '../binding/nonce.ts';
import { MemoryReplayCache, type ReplayCache } from '../binding/replay-cache.ts';
import { hmacSha256 } from '../util/ids.ts';
import type { AccessHook } from '../protocol/token/access.ts';
import { PolicyEngine } from './policy-engine.ts';
import { conditionalAccessHook } from '../protocol/token/conditional-access.ts';
import { riskHook } from '../protocol/token/risk.ts';
import { RiskService } from './risk.ts';

export interface App {
  config: TesseraConfig;
  store: Store;
  logs: AnalyticsStore;
  keys: KeyRing;
  sealer: Sealer;
  directory: DirectoryCache;
  lockout: Lockout;
  signIns: SignInRecorder;
  audit: AuditWriter;
  log: pino.Logger;
  /** DPoP server nonces (RFC 9449 §8) and the jti replay cache for proofs presented to Tessera. */
  dpopNonces: NonceService;
  dpopReplay: ReplayCache;
  /** Server nonces for the device protocol (docs/token-protection.md §2, label `device`); its proofs share `dpopReplay` under their own key prefixes. */
  deviceNonces: NonceService;
  /** Risk and conditional access steps run on every token request, in order (identity protection, policy engine). */
  accessHooks: AccessHook[];
  /** Identity protection: per-tenant risk engines and the geolocation lookup. */
  risk: RiskService;
  /** Compiled conditional access policies per tenant. */
  policies: PolicyEngine;
  /** Base URL the issuer is built on; set once the listener knows its port. */
  baseUrl: string;
  issuer(tenantId: string): string;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Print bootstrap credentials here (first start only). */
  announce?: (lines: string[]) => void;
  env?: NodeJS.ProcessEnv;
  logger?: pino.Logger;
}

export async function openTessera(config: TesseraConfig, opts: OpenOptions = {}): Promise<App & { bootstrap: NewTenantResult | undefined }> {
  const env = opts.env ?? process.env;
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const masterKey = loadMasterKey(config.masterKey, config.dataDir);
  const sealer = createSealer(masterKey);
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  // The server's log store runs DuckDB on a worker thread, off the request path (src/logs/worker-store.ts).
  const logs = await openAnalyticsStoreInWorker({ path: join(config.dataDir, 'logs.duckdb'), retentionDays: config.logRetentionDays, flushIntervalMs: config.logFlushMs, batchSize: 20_000 });
  const keys = await openKeyRing(store.signingKeys, sealer, { rotationDays: config.keyRotationDays, overlapDays: config.keyOverlapDays });
  const log = opts.logger ?? pino({ level: config.logLevel });

  let bootstrap: NewTenantResult | undefined;
  if ((await store.tenants.list()).length === 0) {
    bootstrap = await createTenant(store, {
      domain: config.tenantDomain,
      adminUser: env.TESSERA_BOOTSTRAP_ADMIN_USER || undefined,
      adminPassword: env.TESSERA_BOOTSTRAP_ADMIN_PASSWORD || undefined,
      clientId: env.TESSERA_BOOTSTRAP_CLIENT_ID || undefined,
      clientSecret: env.TESSERA_BOOTSTRAP_CLIENT_SECRET || undefined,
    });
    const lines = [
      `Created tenant ${bootstrap.domain} (${bootstrap.tenantId})`,
      `  admin user:    ${bootstrap.adminUser}`,
      ...(bootstrap.generatedAdminPassword ? [`  admin password: ${bootstrap.generatedAdminPassword}   (shown once; not stored)`] : []),
      `  automation client id: ${bootstrap.clientId}`,
      ...(bootstrap.generatedClientSecret ? [`  automation client secret: ${bootstrap.generatedClientSecret}   (shown once; not stored)`] : []),
    ];
    opts.announce?.(lines);
  }

  const nonceKey = Buffer.from(hmacSha256(masterKey, 'dpop-nonce-key'), 'base64url');
  const app: App & { bootstrap: NewTenantResult | undefined } = {
    config, store, logs, keys, sealer, log, bootstrap,
    directory: new DirectoryCache(store),
    lockout: new Lockout({ threshold: config.lockoutThreshold, seconds: config.lockoutSeconds, ipThreshold: config.ipLockoutThreshold }),
    signIns: new SignInRecorder(logs),
    audit: new AuditWriter(store, logs),
    dpopNonces: createHmacNonceService({ secrets: [nonceKey], label: 'dpop' }),
    deviceNonces: createHmacNonceService({ secrets: [Buffer.from(hmacSha256(masterKey, 'device-nonce-key'), 'base64url')], label: 'device' }),
    dpopReplay: new MemoryReplayCache(),
    accessHooks: [riskHook, conditionalAccessHook],
    risk: new RiskService(store, logs, Buffer.from(hmacSha256(masterKey, 'password-fingerprint-key'), 'base64url')),
    policies: new PolicyEngine(store),
    baseUrl: config.publicUrl ?? `http://${config.host}:${config.port}`,
    issuer(tenantId) {
      return `${this.baseUrl}/${tenantId}/v2.0`;
    },
    async close() {
      await logs.flush().catch(() => undefined);
      await logs.close();
      await store.close();
    },
  };
  return app;
}
