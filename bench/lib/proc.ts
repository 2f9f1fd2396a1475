/**
 * Starting and stopping the servers under test, each in its own child process on 127.0.0.1.
 * Peers print one line `BENCH_READY {"port":N,...}` on stdout when they listen.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

export const BENCH_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface ServerProcess {
  child: ChildProcess;
  pid: number;
  port: number;
  baseUrl: string;
  /** Extra fields of the ready line. */
  info: Record<string, unknown>;
  /** Last lines of output, for error messages. */
  tail(): string;
  stop(): Promise<void>;
}

export function outputTail(child: ChildProcess, max = 4000): () => string {
  let buf = '';
  const add = (d: Buffer): void => { buf = (buf + d.toString()).slice(-max); };
  child.stdout?.on('data', add);
  child.stderr?.on('data', add);
  return () => buf.trim();
}

/** Stops a child: SIGTERM, then SIGKILL after `graceMs`; says which ended it. */
export function stopChild(child: ChildProcess, graceMs = 3000): Promise<'exited' | 'killed'> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve('exited');
  return new Promise((resolve) => {
    let killed = false;
    const t = setTimeout(() => { killed = true; child.kill('SIGKILL'); }, graceMs);
    child.once('exit', () => { clearTimeout(t); resolve(killed ? 'killed' : 'exited'); });
    child.kill('SIGTERM');
  });
}

/**
 * Starts `node --expose-gc --import tsx <script>` and waits for its ready line. The child's stdin is a
 * pipe from this process: peers exit when it closes, so none outlive a killed harness.
 */
export function startPeer(script: string, opts: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', script], {
    cwd: REPO_ROOT, env: { ...process.env, NODE_ENV: 'production', ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'],
  });
  const tail = outputTail(child);
  return new Promise((resolve, reject) => {
    let line = '';
    const timer = setTimeout(() => { void stopChild(child); reject(new Error(`${script} not ready in time: ${tail()}`)); }, opts.timeoutMs ?? 30_000);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`${script} exited with ${code}: ${tail()}`)); });
    child.stdout?.on('data', (d: Buffer) => {
      line += d.toString();
      const m = /BENCH_READY (\{.*\})/.exec(line);
      if (!m?.[1]) return;
      clearTimeout(timer);
      line = '';
      const info = JSON.parse(m[1]) as Record<string, unknown>;
      const port = Number(info.port);
      resolve({
        child, pid: child.pid ?? 0, port, baseUrl: `http://127.0.0.1:${port}`, info, tail,
        stop: async () => { await stopChild(child); },
      });
    });
  });
}

/** A free TCP port on 127.0.0.1 (small race window between close and the server's listen). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** Resident set size of a process in bytes, from /proc (Linux); undefined elsewhere. */
export function rssOf(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m?.[1] ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * CPU seconds (user + system) a process has used so far, from /proc (Linux, USER_HZ = 100); undefined
 * elsewhere. With `mainThreadOnly`, only its main thread's (the event loop's; its thread id is the pid):
 * the rest is worker threads, GC helpers and libuv's pool.
 */
export function cpuSecondsOf(pid: number, mainThreadOnly = false): number | undefined {
  try {
    const stat = readFileSync(mainThreadOnly ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After "pid (comm) ", field 3 is state; utime and stime are fields 14 and 15 of the full line.
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return Number.isFinite(utime + stime) ? (utime + stime) / 100 : undefined;
  } catch {
    return undefined;
  }
}
