/**
 * Tessera's configuration: every setting with its type, default, environment variable and why.
 * The doc comments here generate docs/configuration.md (`node --import tsx scripts/gen-config-doc.ts`);
 * a test fails when the document drifts from this file.
 */
export interface TesseraConfig {
  /** Interface to listen on. Env `TESSERA_HOST`, flag `--host`. */
  host: string;
  /** TCP port. Env `TESSERA_PORT`, flag `--port`. 0 picks a free port. */
  port: number;
  /** Data folder for the embedded stores (SQLite directory, DuckDB logs, master key). Env `TESSERA_DATA`, flag `--data`. */
  dataDir: string;
  /** PostgreSQL connection string; when set, the directory and sessions live there instead of SQLite. Env `DATABASE_URL`. */
  databaseUrl: string | undefined;
  /** Public base URL used as issuer prefix (e.g. `https://id.example.com`). Default: derived from the listening address. Env `TESSERA_PUBLIC_URL`. */
  publicUrl: string | undefined;
  /** Primary domain of the tenant created on first start. Env `TESSERA_TENANT_DOMAIN`. */
  tenantDomain: string;
  /** Master key (base64, 32 bytes) sealing signing keys and secrets at rest. Env `TESSERA_MASTER_KEY`; otherwise `<data>/master.key`, created owner-only. */
  masterKey: string | undefined;
  /** CIDR list of reverse proxies whose `Forwarded` / `X-Forwarded-For` headers are believed. Env `TESSERA_TRUSTED_PROXIES` (comma-separated). Empty: the socket peer is the client. */
  trustedProxies: string[];
  /** TLS certificate (PEM file). Flag `--tls-cert`, env `TESSERA_TLS_CERT`. */
  tlsCert: string | undefined;
  /** TLS private key (PEM file). Flag `--tls-key`, env `TESSERA_TLS_KEY`. */
  tlsKey: string | undefined;
  /** Development HTTPS: generate a self-signed certificate for the host under the data folder. Flag `--dev-tls`, env `TESSERA_DEV_TLS=1`. */
  devTls: boolean;
  /** Access token lifetime in seconds (Entra: 60–90 minutes). Env `TESSERA_ACCESS_TOKEN_TTL`. */
  accessTokenTtl: number;
  /** ID token lifetime in seconds. Env `TESSERA_ID_TOKEN_TTL`. */
  idTokenTtl: number;
  /** Refresh token inactivity lifetime in seconds (Entra: 90 days). Env `TESSERA_REFRESH_TOKEN_TTL`. */
  refreshTokenTtl: number;
  /** Authorization code lifetime in seconds (RFC 6749 §4.1.2 recommends at most 10 minutes). Env `TESSERA_CODE_TTL`. */
  codeTtl: number;
  /** Device code lifetime in seconds (RFC 8628 §3.2 expires_in). Env `TESSERA_DEVICE_CODE_TTL`. */
  deviceCodeTtl: number;
  /** Minimum polling interval for the device code grant in seconds (RFC 8628 §3.5). Env `TESSERA_DEVICE_CODE_INTERVAL`. */
  deviceCodeInterval: number;
  /** Browser sign-in session lifetime in seconds. Env `TESSERA_SESSION_TTL`. */
  sessionTtl: number;
  /** Days between signing-key rotations. Env `TESSERA_KEY_ROTATION_DAYS`. */
  keyRotationDays: number;
  /** Days a retired signing key stays published in the JWKS so tokens it signed still verify. Env `TESSERA_KEY_OVERLAP_DAYS`. */
  keyOverlapDays: number;
  /** Failed sign-ins before an account is locked (smart lockout; Entra default 10). Env `TESSERA_LOCKOUT_THRESHOLD`. */
  lockoutThreshold: number;
  /** Lockout duration in seconds (Entra default 60). Env `TESSERA_LOCKOUT_SECONDS`. */
  lockoutSeconds: number;
  /** Failed sign-ins from one IP address, across accounts, before that address is locked out. Env `TESSERA_IP_LOCKOUT_THRESHOLD`. */
  ipLockoutThreshold: number;
  /** Requests per minute allowed per client IP on the protocol endpoints (0 disables). Env `TESSERA_RATE_LIMIT`. */
  rateLimitPerMinute: number;
  /** Largest accepted request body in bytes. Env `TESSERA_BODY_LIMIT`. */
  bodyLimit: number;
  /** Days sign-in, audit and risk logs are kept in the analytics store. Env `TESSERA_LOG_RETENTION_DAYS`. */
  logRetentionDays: number;
  /** Log level for the server's own log (pino). Env `TESSERA_LOG_LEVEL`. */
  logLevel: string;
  /** Longest a sign-in or audit row waits in memory before it is written to the log tables, in ms (larger batches cost less per row; queries always see buffered rows). Env `TESSERA_LOG_FLUSH_MS`. */
  logFlushMs: number;
  /** Require a server-provided nonce in DPoP proofs at the token endpoint (RFC 9449 §8), so proofs cannot be minted ahead of time. Env `TESSERA_DPOP_REQUIRE_NONCE`. */
  dpopRequireNonce: boolean;
  /** Lifetime in seconds of a device-bound sign-in session token (Tessera's primary refresh token); each renewal starts a new lifetime. Entra's PRT: 14 days. Env `TESSERA_DEVICE_SESSION_TTL`. */
  deviceSessionTtl: number;
  /** Seconds after which the device agent renews its session token, rolling the session key (sent as `refresh_in`). Entra renews the PRT about every 4 hours. Env `TESSERA_DEVICE_SESSION_RENEW_AFTER`. */
  deviceSessionRenewAfter: number;
  /** Longest lifetime in seconds an admin may give a device enrollment token (registration without user credentials). Env `TESSERA_ENROLLMENT_TOKEN_MAX_TTL`. */
  enrollmentTokenMaxTtl: number;
  /** URL prefixes the KQL `externaldata` operator may fetch live, comma-separated (e.g. `https://raw.githubusercontent.com/Azure/Azure-Sentinel/`). An entry ending in `/` allows every URL under it, any other entry exactly that URL, compared with the normalised URL. https only (http only for 127.0.0.1 and localhost); a redirect is followed only to another allowed URL; 10 s time limit, 50 MB size cap, files cached 15 minutes. Empty (and no mirror): externaldata is refused. It is off by default because anyone who may query logs (Security Reader) could otherwise make the identity provider send requests into its own network (SSRF: cloud metadata, internal services) and read the answers as rows. Env `TESSERA_KQL_EXTERNALDATA_ALLOW`. */
  kqlExternalDataAllow: string[];
  /** Directory for air-gapped deployments holding `index.json` (`{"<url>": "<file name in the directory>"}`) and the files: a URL listed there is read from its file and never fetched (also when TESSERA_KQL_EXTERNALDATA_ALLOW is empty); a file name leading outside the directory is refused. Env `TESSERA_KQL_EXTERNALDATA_MIRROR`. */
  kqlExternalDataMirror: string | undefined;
}

export const defaults: TesseraConfig = {
  host: '127.0.0.1',
  port: 8080,
  dataDir: './data',
  databaseUrl: undefined,
  publicUrl: undefined,
  tenantDomain: 'tessera.local',
  masterKey: undefined,
  trustedProxies: [],
  tlsCert: undefined,
  tlsKey: undefined,
  devTls: false,
  accessTokenTtl: 3600,
  idTokenTtl: 3600,
  refreshTokenTtl: 90 * 24 * 3600,
  codeTtl: 300,
  deviceCodeTtl: 900,
  deviceCodeInterval: 5,
  sessionTtl: 24 * 3600,
  keyRotationDays: 30,
  keyOverlapDays: 7,
  lockoutThreshold: 10,
  lockoutSeconds: 60,
  ipLockoutThreshold: 50,
  rateLimitPerMinute: 0,
  bodyLimit: 64 * 1024,
  logRetentionDays: 90,
  logLevel: 'info',
  logFlushMs: 1000,
  dpopRequireNonce: true,
  deviceSessionTtl: 14 * 24 * 3600,
  deviceSessionRenewAfter: 4 * 3600,
  enrollmentTokenMaxTtl: 30 * 24 * 3600,
  kqlExternalDataAllow: [],
  kqlExternalDataMirror: undefined,
};

/** Environment variable for each setting. */
export const envNames: { [K in keyof TesseraConfig]: string } = {
  host: 'TESSERA_HOST',
  port: 'TESSERA_PORT',
  dataDir: 'TESSERA_DATA',
  databaseUrl: 'DATABASE_URL',
  publicUrl: 'TESSERA_PUBLIC_URL',
  tenantDomain: 'TESSERA_TENANT_DOMAIN',
  masterKey: 'TESSERA_MASTER_KEY',
  trustedProxies: 'TESSERA_TRUSTED_PROXIES',
  tlsCert: 'TESSERA_TLS_CERT',
  tlsKey: 'TESSERA_TLS_KEY',
  devTls: 'TESSERA_DEV_TLS',
  accessTokenTtl: 'TESSERA_ACCESS_TOKEN_TTL',
  idTokenTtl: 'TESSERA_ID_TOKEN_TTL',
  refreshTokenTtl: 'TESSERA_REFRESH_TOKEN_TTL',
  codeTtl: 'TESSERA_CODE_TTL',
  deviceCodeTtl: 'TESSERA_DEVICE_CODE_TTL',
  deviceCodeInterval: 'TESSERA_DEVICE_CODE_INTERVAL',
  sessionTtl: 'TESSERA_SESSION_TTL',
  keyRotationDays: 'TESSERA_KEY_ROTATION_DAYS',
  keyOverlapDays: 'TESSERA_KEY_OVERLAP_DAYS',
  lockoutThreshold: 'TESSERA_LOCKOUT_THRESHOLD',
  lockoutSeconds: 'TESSERA_LOCKOUT_SECONDS',
  ipLockoutThreshold: 'TESSERA_IP_LOCKOUT_THRESHOLD',
  rateLimitPerMinute: 'TESSERA_RATE_LIMIT',
  bodyLimit: 'TESSERA_BODY_LIMIT',
  logRetentionDays: 'TESSERA_LOG_RETENTION_DAYS',
  logLevel: 'TESSERA_LOG_LEVEL',
  logFlushMs: 'TESSERA_LOG_FLUSH_MS',
  dpopRequireNonce: 'TESSERA_DPOP_REQUIRE_NONCE',
  deviceSessionTtl: 'TESSERA_DEVICE_SESSION_TTL',
  deviceSessionRenewAfter: 'TESSERA_DEVICE_SESSION_RENEW_AFTER',
  enrollmentTokenMaxTtl: 'TESSERA_ENROLLMENT_TOKEN_MAX_TTL',
  kqlExternalDataAllow: 'TESSERA_KQL_EXTERNALDATA_ALLOW',
  kqlExternalDataMirror: 'TESSERA_KQL_EXTERNALDATA_MIRROR',
};
