/**
 * A minimal HTTP/1.1 keep-alive client over one TCP socket, for the load generator.
 *
 * Why not node:http's client: on this 2-core machine the load process must cost far less per
 * request than the server under test. node:http's client spends about as much CPU per request as the
 * bare limit server itself (≈ 55–60 µs), so the "limit" would be a measure of the load generator.
 * This client writes pre-serialised requests and parses only what it needs: status, headers,
 * Content-Length or chunked bodies. One request in flight per connection (no pipelining).
 */
import net from 'node:net';

export interface RawRequest { method: string; path: string; headers?: Record<string, string>; body?: string }
export interface RawReply { status: number; body: string; headers: Record<string, string> }

const CRLF2 = Buffer.from('\r\n\r\n');
const MAX_HEAD = 64 * 1024;
const MAX_BODY = 16 * 1024 * 1024;

export class RawConnection {
  private socket: net.Socket | undefined;
  private buf: Buffer = Buffer.alloc(0);
  private pending: { resolve: (r: RawReply) => void; timer: NodeJS.Timeout } | undefined;
  private head: { status: number; headers: Record<string, string>; bodyStart: number } | undefined;

  constructor(private readonly host: string, private readonly port: number) {}

  request(req: RawRequest, timeoutMs: number): Promise<RawReply> {
    if (this.pending) return Promise.resolve({ status: 0, body: 'request already in flight', headers: {} });
    const sock = this.connect();
    const body = req.body ?? '';
    let head = `${req.method} ${req.path} HTTP/1.1\r\nhost: ${this.host}:${this.port}\r\n`;
    for (const [k, v] of Object.entries(req.headers ?? {})) head += `${k}: ${v}\r\n`;
    if (req.body !== undefined || req.method === 'POST') head += `content-length: ${Buffer.byteLength(body)}\r\n`;
    head += '\r\n';
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.fail(`timeout after ${timeoutMs} ms`), timeoutMs);
      this.pending = { resolve, timer };
      sock.write(body ? head + body : head);
    });
  }

  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }

  private connect(): net.Socket {
    if (this.socket && !this.socket.destroyed) return this.socket;
    const s = net.connect({ host: this.host, port: this.port, noDelay: true });
    this.buf = Buffer.alloc(0);
    this.head = undefined;
    // Events of a socket that was already replaced (closed after `connection: close`) are ignored.
    s.on('data', (d: Buffer) => { if (this.socket === s) this.onData(d); });
    s.on('error', (e) => { if (this.socket === s) this.fail(e.message); });
    s.on('close', () => { if (this.socket === s) { this.socket = undefined; this.fail('connection closed'); } });
    this.socket = s;
    return s;
  }

  private finish(reply: RawReply): void {
    const p = this.pending;
    this.pending = undefined;
    if (!p) return;
    clearTimeout(p.timer);
    p.resolve(reply);
  }

  private fail(reason: string): void {
    if (!this.pending) return;
    this.close();
    this.finish({ status: 0, body: reason, headers: {} });
  }

  private onData(d: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    if (!this.head) {
      const end = this.buf.indexOf(CRLF2);
      if (end < 0) { if (this.buf.length > MAX_HEAD) this.fail('response head too large'); return; }
      const lines = this.buf.subarray(0, end).toString('latin1').split('\r\n');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1] ?? 0);
      const headers: Record<string, string> = {};
      for (let i = 1; i < lines.length; i++) {
        const line = lines[i] ?? '';
        const c = line.indexOf(':');
        if (c > 0) headers[line.slice(0, c).trim().toLowerCase()] = line.slice(c + 1).trim();
      }
      if (!status) { this.fail(`bad status line: ${lines[0]?.slice(0, 80) ?? ''}`); return; }
      this.head = { status, headers, bodyStart: end + 4 };
    }
    const { status, headers, bodyStart } = this.head;
    let body: Buffer | undefined;
    let consumed = 0;
    if (headers['transfer-encoding']?.toLowerCase().includes('chunked')) {
      const r = dechunk(this.buf, bodyStart);
      if (r === 'error') { this.fail('bad chunked encoding'); return; }
      if (!r) return;
      body = r.body;
      consumed = r.end;
    } else {
      const len = status === 204 || status === 304 ? 0 : Number(headers['content-length'] ?? NaN);
      if (!Number.isFinite(len)) {
        // No length: the body runs until the server closes; unusual for these servers.
        this.fail('response without content-length on a keep-alive connection');
        return;
      }
      if (len > MAX_BODY) { this.fail('response body too large'); return; }
      if (this.buf.length < bodyStart + len) return;
      body = this.buf.subarray(bodyStart, bodyStart + len);
      consumed = bodyStart + len;
    }
    const text = body.toString('utf8');
    this.buf = this.buf.subarray(consumed);
    this.head = undefined;
    const closeAfter = headers.connection?.toLowerCase() === 'close';
    this.finish({ status, body: text, headers });
    if (closeAfter) this.close();
  }
}

/** Decodes a chunked body starting at `start`; undefined when incomplete. */
function dechunk(buf: Buffer, start: number): { body: Buffer; end: number } | undefined | 'error' {
  const parts: Buffer[] = [];
  let pos = start;
  for (let n = 0; n < 100_000; n++) {
    const lineEnd = buf.indexOf('\r\n', pos);
    if (lineEnd < 0) return undefined;
    const size = parseInt(buf.subarray(pos, lineEnd).toString('latin1').split(';')[0] ?? '', 16);
    if (!Number.isFinite(size) || size < 0) return 'error';
    if (size === 0) {
      // Skip optional trailers up to the blank line.
      const end = buf.indexOf(CRLF2, lineEnd);
      if (end < 0) return undefined;
      return { body: Buffer.concat(parts), end: end + 4 };
    }
    if (buf.length < lineEnd + 2 + size + 2) return undefined;
    parts.push(buf.subarray(lineEnd + 2, lineEnd + 2 + size));
    pos = lineEnd + 2 + size + 2;
  }
  return 'error';
}
