/**
 * The embedded engine as its own process, as a database server would run beside the service
 * (and as it does with MONGODB_URI pointing at a real MongoDB): benches that measure the
 * service give it its own core instead of sharing the service's event loop. Stopped by PID.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { ENGINE_CLI } from './support/paths';

export interface EngineProcess {
  uri: string;
  /** CPU time the engine process has used so far (ms). */
  cpuMs(): number;
  stop(): Promise<void>;
}

/** CPU time (user + system) a process has used so far, from /proc; clock ticks are 10 ms here. */
export function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

export async function startEngineProcess(dbPath: string): Promise<EngineProcess> {
  const child = spawn(process.execPath, [ENGINE_CLI, '--port', '0', '--dbpath', dbPath], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // A bench that fails half-way must not leave the engine running (nor its end of our pipes).
  const orphan = () => {
    if (child.exitCode === null) child.kill('SIGKILL');
  };
  process.once('exit', orphan);
  const uri = await new Promise<string>((ok, fail) => {
    createInterface({ input: child.stdout! }).once('line', (line) => ok(line.trim()));
    child.once('exit', (code) => fail(new Error(`engine exited with ${code}`)));
  });
  return {
    uri,
    cpuMs: () => cpuMsOf(child.pid!),
    stop: () =>
      new Promise<void>((r) => {
        if (child.exitCode !== null) return r();
        child.once('exit', () => r());
        process.kill(child.pid!, 'SIGTERM');
      }),
  };
}
