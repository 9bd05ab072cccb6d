import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { benchEntry, productionEntry, ROOT } from './paths';

export interface ServiceProcess {
  pid: number;
  port: number;
  /** The embedded engine's address inside the service, for the bench's own driver. */
  engineUri: string;
  /** From spawn to the service's `listening` log line. */
  startMs: number;
  /** Heap used and RSS of the service, in MB, as the process itself reads them. */
  memory(): Promise<{ heapMb: number; rssMb: number }>;
  /** Database commands sent so far, by command and collection (needs `countCommands`). */
  commands(): Promise<Record<string, number>>;
  /** CPU time (user + system) the process has used so far, in ms. */
  cpuMs(): number;
  /** SIGTERM, then the time until the process has exited, and its exit code. */
  stop(): Promise<{ exitMs: number; code: number | null }>;
}

/** CPU time (user + system) a process has used so far, from /proc (clock ticks of 10 ms). */
export function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

const MB = 1024 * 1024;

/**
 * The service as `npm start` runs it (`dist/services/index.js`), in its own process, on the
 * embedded engine in `dataDir` (MONGODB_URI removed from its environment), on a free
 * loopback port, logging at `info` (the default, and the level of the lines it waits for). `env` adds settings; `nodeArgs` go to node (e.g. `--cpu-prof`);
 * `countCommands` switches on the probe's count of database commands. Resolves
 * once the service logs `listening`; rejects with its last output if it exits before.
 */
export async function startServiceProcess(options: {
  dataDir: string;
  env?: Record<string, string>;
  nodeArgs?: string[];
  startTimeoutMs?: number;
  countCommands?: boolean;
}): Promise<ServiceProcess> {
  const env: Record<string, string | undefined> = {
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: options.dataDir,
    ...options.env,
    LOG_LEVEL: 'info',
    BENCH_COUNT_COMMANDS: options.countCommands ? '1' : '0',
  };
  delete env.MONGODB_URI;
  const started = process.hrtime.bigint();
  const child: ChildProcess = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), '-r', benchEntry('bench/support/probe.js'), productionEntry('services/index.js')],
    {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    },
  );
  // A bench that fails half-way must not leave the service running.
  const orphan = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.once('exit', orphan);
  const tail: string[] = [];
  const keep = (line: string) => {
    tail.push(line);
    if (tail.length > 20) tail.shift();
  };
  createInterface({ input: child.stderr! }).on('line', keep);
  let engineUri = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`service did not start in ${options.startTimeoutMs ?? 600_000} ms:\n${tail.join('\n')}`)),
      options.startTimeoutMs ?? 600_000,
    );
    createInterface({ input: child.stdout! }).on('line', (line) => {
      keep(line);
      let entry: { msg?: string; uri?: string; port?: number };
      try {
        entry = JSON.parse(line);
      } catch {
        return;
      }
      if (entry.msg === 'embedded engine started' && entry.uri) engineUri = entry.uri;
      if (entry.msg === 'listening' && entry.port) {
        clearTimeout(timer);
        resolve(entry.port);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`service exited with ${code} before listening:\n${tail.join('\n')}`));
    });
  });
  const startMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (!engineUri) throw new Error('the service did not log the embedded engine address');
  return {
    pid: child.pid!,
    port,
    engineUri,
    startMs,
    memory: () =>
      new Promise((resolve) => {
        child.once('message', (m: { memory: NodeJS.MemoryUsage }) =>
          resolve({ heapMb: m.memory.heapUsed / MB, rssMb: m.memory.rss / MB }),
        );
        child.send('memory');
      }),
    commands: () =>
      new Promise((resolve) => {
        child.once('message', (m: { commands: Record<string, number> }) => resolve(m.commands));
        child.send('commands');
      }),
    cpuMs: () => cpuMsOf(child.pid!),
    stop: () =>
      new Promise((resolve) => {
        process.removeListener('exit', orphan);
        if (child.exitCode !== null) return resolve({ exitMs: 0, code: child.exitCode });
        const t0 = process.hrtime.bigint();
        child.once('exit', (code) => resolve({ exitMs: Number(process.hrtime.bigint() - t0) / 1e6, code }));
        child.kill('SIGTERM');
      }),
  };
}
