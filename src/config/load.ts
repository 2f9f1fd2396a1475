import { defaults, envNames, type TesseraConfig } from './defaults.ts';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function parseValue<K extends keyof TesseraConfig>(key: K, raw: string): TesseraConfig[K] {
  const def = defaults[key];
  if (key === 'trustedProxies') {
    return raw.split(',').map((s) => s.trim()).filter(Boolean) as TesseraConfig[K];
  }
  if (key === 'kqlExternalDataAllow') {
    const prefixes = raw.split(',').map((s) => s.trim()).filter(Boolean);
    for (const p of prefixes) {
      let u: URL | undefined;
      try { u = new URL(p); } catch { /* reported below */ }
      const loopback = u?.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
      if (!u || (u.protocol !== 'https:' && !loopback) || u.username || u.password) {
        throw new ConfigError(`${envNames[key]} takes https URL prefixes (http only for 127.0.0.1 or localhost), got '${p}'`);
      }
    }
    return prefixes as TesseraConfig[K];
  }
  if (typeof def === 'number') {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) throw new ConfigError(`${envNames[key]} must be a non-negative integer, got '${raw}'`);
    if (key === 'port' && n > 65535) throw new ConfigError(`${envNames[key]} must be a port number (0-65535), got '${raw}'`);
    return n as TesseraConfig[K];
  }
  if (typeof def === 'boolean') {
    if (!/^(1|0|true|false|yes|no)$/i.test(raw)) throw new ConfigError(`${envNames[key]} must be true or false, got '${raw}'`);
    return /^(1|true|yes)$/i.test(raw) as TesseraConfig[K];
  }
  return raw as TesseraConfig[K];
}

/** Configuration from defaults, then the environment, then explicit overrides (command-line flags). */
export function loadConfig(env: NodeJS.ProcessEnv, overrides: Partial<Record<keyof TesseraConfig, string>> = {}): TesseraConfig {
  const cfg: TesseraConfig = { ...defaults, trustedProxies: [...defaults.trustedProxies], kqlExternalDataAllow: [...defaults.kqlExternalDataAllow] };
  for (const key of Object.keys(defaults) as (keyof TesseraConfig)[]) {
    const fromEnv = env[envNames[key]];
    const raw = overrides[key] ?? (fromEnv === '' ? undefined : fromEnv);
    if (raw !== undefined) (cfg as unknown as Record<string, unknown>)[key] = parseValue(key, raw);
  }
  if ((cfg.tlsCert === undefined) !== (cfg.tlsKey === undefined)) {
    throw new ConfigError('--tls-cert and --tls-key go together');
  }
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/i.test(cfg.tenantDomain)) {
    throw new ConfigError(`TESSERA_TENANT_DOMAIN must be a domain name like contoso.com, got '${cfg.tenantDomain}'`);
  }
  return cfg;
}
