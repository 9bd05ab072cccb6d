import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchEntry } from './paths';

export interface LoadSpec {
  url: string;
  /** Request bodies (JSON), taken in turn: request i sends `bodies[i % bodies.length]`. */
  bodies: unknown[];
  headers?: Record<string, string>;
  connections: number;
  /** Requests in all. */
  amount: number;
  /** Requests per second from all connections together; unset means as fast as answered. */
  rate?: number;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  /** Completed requests per second over the run. */
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Answers other than 2xx, plus connection errors and timeouts. */
  failures: number;
}

/** One autocannon run in its own process (bench/support/load-generator.ts). */
export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-load-'));
  try {
    const file = join(dir, 'spec.json');
    writeFileSync(file, JSON.stringify(spec));
    const child = spawn(process.execPath, [benchEntry('bench/support/load-generator.js'), file], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    if (code !== 0) throw new Error(`load generator exited with ${code}`);
    const r = JSON.parse(out) as {
      duration: number;
      latency: { p50: number; p99: number };
      non2xx: number;
      errors: number;
      timeouts: number;
      statusCodeStats?: Record<string, { count: number | string }>;
    };
    const requests = Object.values(r.statusCodeStats ?? {}).reduce((sum, s) => sum + Number(s.count), 0);
    return {
      requests,
      seconds: r.duration,
      perSecond: requests / r.duration,
      p50Ms: r.latency.p50,
      p99Ms: r.latency.p99,
      failures: r.non2xx + r.errors,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The echo bot of bench/support/echo-bot.ts, in its own process. */
export async function startEchoBotProcess(): Promise<{ url: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--no-deprecation', benchEntry('bench/support/echo-bot.js')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const orphan = () => {
    if (child.exitCode === null) child.kill('SIGKILL');
  };
  process.once('exit', orphan);
  const port = await new Promise<number>((resolve, reject) => {
    child
      .stdout!.setEncoding('utf8')
      .once('data', (line: string) => resolve((JSON.parse(line) as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`echo bot exited with ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${port}/api/messages`,
    stop: () =>
      new Promise((resolve) => {
        process.removeListener('exit', orphan);
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
