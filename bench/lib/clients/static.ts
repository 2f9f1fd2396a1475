/**
 * Load client that sends the same request every time (client_credentials rows).
 * params: `{ path, body, headers? }` — the body is sent as application/x-www-form-urlencoded.
 */
import type { ClientFactory, LoadRequest } from '../load.ts';

export interface StaticParams { path: string; body: string; headers?: Record<string, string> }

export const createClient: ClientFactory = (_index, params) => {
  const p = params as StaticParams;
  const req: LoadRequest = {
    method: 'POST', path: p.path, body: p.body,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...p.headers },
  };
  return { next: () => req };
};

export function basicAuth(clientId: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}
