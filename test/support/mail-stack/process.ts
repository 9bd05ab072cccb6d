import { ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';

/** A daemon started in the foreground, so its PID is the child's PID. */
export interface Daemon {
  name: string;
  child: ChildProcess;
  /** Last few kilobytes of the daemon's own stdout/stderr, for error messages. */
  output(): string;
  exited: Promise<void>;
}

const OUTPUT_LIMIT = 8192;

/**
 * Starts `command` in its own process group (so stopping it also reaches any helpers it
 * forked) with a minimal environment.
 */
export function startDaemon(name: string, command: string, args: string[]): Daemon {
  const child = spawn(command, args, {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' },
  });
  let buffer = '';
  const keep = (chunk: Buffer) => {
    buffer = (buffer + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  child.once('error', (err) => keep(Buffer.from(`spawn error: ${err.message}\n`)));
  return { name, child, output: () => buffer, exited };
}

/** True while the daemon's main process has not exited. */
export function isRunning(daemon: Daemon): boolean {
  return daemon.child.exitCode === null && daemon.child.signalCode === null && daemon.child.pid !== undefined;
}

/**
 * Stops a daemon by PID: SIGTERM, then SIGKILL to its whole process group after `graceMs`.
 * Resolves once the main process has exited; leftover group members are killed too.
 */
export async function stopDaemon(daemon: Daemon, graceMs = 5000): Promise<void> {
  const pid = daemon.child.pid;
  if (pid === undefined) return;
  if (isRunning(daemon)) {
    signal(pid, 'SIGTERM');
    const timer = delay(graceMs).then(() => 'timeout' as const);
    if ((await Promise.race([daemon.exited.then(() => 'exited' as const), timer])) === 'timeout') {
      signal(-pid, 'SIGKILL');
      await daemon.exited;
    }
  }
  // Helpers forked by the daemon (deliveries, queue runners) share its process group.
  signal(-pid, 'SIGKILL');
}

/** Kills the whole group at once; for process exit, where nothing can be awaited. */
export function killDaemonNow(daemon: Daemon): void {
  if (daemon.child.pid !== undefined) signal(-daemon.child.pid, 'SIGKILL');
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // ESRCH: already gone.
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/**
 * Waits until `port` on 127.0.0.1 answers with a greeting starting with `expected`
 * (`* OK` for IMAP, `220` for SMTP/LMTP). Fails early when the daemon exits.
 */
export async function waitForBanner(
  daemon: Daemon,
  port: number,
  expected: string,
  deadline: number,
  describe: () => Promise<string>,
): Promise<void> {
  for (;;) {
    if (!isRunning(daemon)) {
      throw new Error(
        `mail-stack: ${daemon.name} exited before answering on ${port}\n${daemon.output()}${await describe()}`,
      );
    }
    const banner = await readBanner(port).catch(() => '');
    if (banner.startsWith(expected)) return;
    if (Date.now() > deadline) {
      throw new Error(
        `mail-stack: ${daemon.name} did not answer on ${port} in time\n${daemon.output()}${await describe()}`,
      );
    }
    await delay(20);
  }
}

function readBanner(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let data = '';
    const done = (err?: Error) => {
      socket.destroy();
      if (err) reject(err);
      else resolve(data);
    };
    socket.setTimeout(1000, () => done(new Error('banner timeout')));
    socket.on('data', (chunk) => {
      data += chunk.toString('utf8');
      if (data.includes('\n')) done();
    });
    socket.on('error', done);
    socket.on('close', () => done());
  });
}
