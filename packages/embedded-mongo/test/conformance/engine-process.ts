import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The built CLI; `npm run build` (test/run.sh runs it) builds it before jest runs. */
export const ENGINE_CLI = join(__dirname, '..', '..', 'dist', 'src', 'cli.js');

export interface EngineProcess {
  child: ChildProcess;
  uri: string;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const started = new Set<ChildProcess>();

/**
 * Starts `node packages/embedded-mongo/dist/src/cli.js --port 0 --dbpath <dbPath>` and resolves with the URI it
 * prints on one line when ready. Fails when the process exits first or prints nothing in time.
 * `prefix` runs it under another command (e.g. `unshare` for a fresh PID namespace).
 */
export function spawnEngine(dbPath: string, timeoutMs = 120_000, prefix: string[] = []): Promise<EngineProcess> {
  if (!existsSync(ENGINE_CLI)) {
    return Promise.reject(new Error(`${ENGINE_CLI} is missing: build first (npx tsc -p tsconfig.build.json)`));
  }
  const argv = [process.execPath, ENGINE_CLI, '--port', '0', '--dbpath', dbPath];
  const all = [...prefix, ...argv];
  const child = spawn(all[0]!, all.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  started.add(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      started.delete(child);
      resolve({ code, signal });
    });
  });
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`engine printed no URI within ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split('\n').find((l, i, all) => i < all.length - 1 && l.trim().startsWith('mongodb://'));
      if (line) {
        clearTimeout(timer);
        resolve({ child, uri: line.trim(), exited });
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`engine exited (code ${code}, signal ${signal}) before printing a URI; stderr: ${stderr}`));
    });
  });
}

/** Kills, by PID, every engine process this test file started that is still running. */
export async function killAllEngines(): Promise<void> {
  const waits = [...started].map(
    (child) =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
      }),
  );
  await Promise.all(waits);
}
