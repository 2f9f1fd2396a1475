/**
 * HTTPS: a certificate and key from files (--tls-cert/--tls-key), or in development mode a
 * self-signed certificate for localhost/127.0.0.1 generated once under the data folder (openssl).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TesseraConfig } from '../config/defaults.ts';

export async function loadTls(config: TesseraConfig): Promise<{ cert: Buffer; key: Buffer } | undefined> {
  if (config.tlsCert && config.tlsKey) return { cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey) };
  if (!config.devTls) return undefined;
  const cert = join(config.dataDir, 'dev-tls-cert.pem');
  const key = join(config.dataDir, 'dev-tls-key.pem');
  if (!existsSync(cert) || !existsSync(key)) {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '365',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  }
  return { cert: readFileSync(cert), key: readFileSync(key) };
}
