import { randomBytes } from 'node:crypto';
import { chmodSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIR_PREFIX, recordOwner, removeAbandonedStacks } from './cleanup';
import { MailUser, OAuth2Passdb, StackFiles, StackPorts, validateAccounts, writeStackFiles } from './config';
import { Daemon, killDaemonNow, startDaemon, stopDaemon, waitForBanner } from './process';

export type { MailUser, OAuth2Passdb } from './config';

const DOVECOT = '/usr/sbin/dovecot';
const EXIM = '/usr/sbin/exim4';

export interface Endpoint {
  host: '127.0.0.1';
  port: number;
}

export interface StartMailStackOptions {
  users: MailUser[];
  /** Domains Exim accepts mail for; defaults to the users' domains. Anything else is refused. */
  domains?: string[];
  /** How long both daemons may take to greet; default 15 s. */
  startTimeoutMs?: number;
  /**
   * Also accept XOAUTH2 on IMAP and SMTP, tokens checked by Dovecot's `oauth2` passdb (Exim
   * passes SMTP AUTH XOAUTH2 to Dovecot's auth process; it logs `A=xoauth2:<user>`).
   */
  oauth2?: OAuth2Passdb;
  /**
   * `queue`: Exim accepts mail and keeps it in its queue, delivering nothing to the mailboxes
   * (no queue runner). For benchmarks of sending, where the SMTP server's answer is the end
   * of the path and its local delivery would only take CPU from what is measured, as a remote
   * server's would not. Default `immediate`.
   */
  delivery?: 'immediate' | 'queue';
  /**
   * `false`: mailboxes start with the INBOX only, as a real mailbox does, instead of also
   * holding Procesados, Cuarentena and Rechazados. Default `true`.
   */
  deskFolders?: boolean;
}

/**
 * A running Dovecot (IMAP, LMTP) + Exim (SMTP) pair on loopback, with its own directory.
 * Mail sent to `smtp` for a known user lands in that user's INBOX shortly after the SMTP
 * transaction ends (delivery is asynchronous: poll IMAP, do not assume it is there at once).
 * Every mailbox has INBOX, Procesados, Cuarentena and Rechazados (unless `deskFolders` is false).
 */
export interface MailStack {
  imap: Endpoint;
  smtp: Endpoint;
  /** Dovecot's LMTP listener, for tests that inject mail without going through Exim. */
  lmtp: Endpoint;
  users: MailUser[];
  domains: string[];
  /** The stack's private directory (configs, logs, maildirs); removed by `stop()`. */
  dir: string;
  /**
   * Stops Dovecot and starts it again on the same ports with the same mail. IMAP clients are
   * disconnected; mail Exim receives meanwhile is queued and retried within seconds.
   * `downMs` keeps IMAP down that long before restarting.
   */
  restartImap(options?: { downMs?: number }): Promise<void>;
  /** Both daemons' logs, for diagnosing a failing test. */
  logs(): string;
  /** Kills both daemons by PID (SIGTERM, then SIGKILL) and removes the directory. Idempotent. */
  stop(): Promise<void>;
}

const running = new Set<{ daemons: () => Daemon[]; dir: string }>();
let exitHookInstalled = false;

/**
 * Starts a fresh mail stack. Needs root (maildirs belong to uid 8, Exim switches to its own
 * user) and the packages from `install.sh`. Nothing is shared with other stacks or earlier
 * runs, so several may run at once. Call `stop()` in `afterAll`; if a test process exits
 * without it, the daemons are killed on exit.
 */
export async function startMailStack(options: StartMailStackOptions): Promise<MailStack> {
  if (process.getuid?.() !== 0) throw new Error('mail-stack: must run as root (maildirs are owned by uid 8)');
  const users = options.users.map((u) => ({ ...u }));
  const domains = options.domains ?? [...new Set(users.map((u) => (u.user.split('@')[1] ?? '').toLowerCase()))];
  validateAccounts(users, domains);
  installExitHook();
  removeAbandonedStacks(tmpdir());

  let lastError: unknown;
  // A free port found by binding to port 0 can be taken before the daemon binds it: retry.
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(
        users,
        domains,
        options.startTimeoutMs ?? 15000,
        options.oauth2,
        options.delivery ?? 'immediate',
        options.deskFolders ?? true,
      );
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError;
}

async function startOnce(
  users: MailUser[],
  domains: string[],
  timeoutMs: number,
  oauth2: OAuth2Passdb | undefined,
  delivery: 'immediate' | 'queue',
  deskFolders: boolean,
): Promise<MailStack> {
  const dir = await mkdtemp(join(tmpdir(), DIR_PREFIX));
  chmodSync(dir, 0o755); // Dovecot's unprivileged processes and Exim must reach inside.
  let ports: StackPorts;
  let files: StackFiles;
  try {
    ports = await freePorts();
    const instance = `mail-stack-${randomBytes(4).toString('hex')}`;
    files = await writeStackFiles(dir, instance, ports, users, domains, oauth2, deskFolders);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }

  let dovecot: Daemon | undefined;
  let exim: Daemon | undefined;
  const entry = { daemons: () => [dovecot, exim].filter((d): d is Daemon => d !== undefined), dir };
  running.add(entry);
  const logs = () => readLogs(files);
  const describe = async () => `\n--- logs ---\n${logs()}`;

  const startDovecot = async () => {
    dovecot = startDaemon('dovecot', DOVECOT, ['-F', '-c', files.dovecotConf]);
    recordOwner(
      dir,
      entry.daemons().flatMap((d) => (d.child.pid === undefined ? [] : [d.child.pid])),
    );
    await waitForBanner(dovecot, ports.imap, '* OK', Date.now() + timeoutMs, describe);
  };
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      await Promise.all(entry.daemons().map((d) => stopDaemon(d)));
      running.delete(entry);
      await rm(dir, { recursive: true, force: true });
    })();
    return stopped;
  };

  try {
    // -bdf: SMTP daemon in the foreground; -odi: deliver before taking the connection's next
    // message; -q2s: retry deferred mail (e.g. while Dovecot restarts) every 2 s.
    // (-odq, no -q: accept and queue only; see `delivery`.)
    exim = startDaemon('exim', EXIM, [
      '-C',
      files.eximConf,
      '-bdf',
      ...(delivery === 'queue' ? ['-odq'] : ['-odi', '-q2s']),
    ]);
    const deadline = Date.now() + timeoutMs;
    await Promise.all([startDovecot(), waitForBanner(exim, ports.smtp, '220', deadline, describe)]);
  } catch (err) {
    await stop();
    throw err;
  }

  const endpoint = (port: number): Endpoint => ({ host: '127.0.0.1', port });
  return {
    imap: endpoint(ports.imap),
    smtp: endpoint(ports.smtp),
    lmtp: endpoint(ports.lmtp),
    users,
    domains,
    dir,
    logs,
    stop,
    async restartImap({ downMs = 0 } = {}) {
      if (dovecot) await stopDaemon(dovecot);
      if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
      await startDovecot();
    },
  };
}

/** Three distinct free loopback ports, held open together so they cannot coincide. */
async function freePorts(): Promise<StackPorts> {
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < 3; i++) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve());
      });
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('mail-stack: no port');
      ports.push(address.port);
    }
    const [imap, smtp, lmtp] = ports;
    if (imap === undefined || smtp === undefined || lmtp === undefined) throw new Error('mail-stack: no port');
    return { imap, smtp, lmtp };
  } finally {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  }
}

function readLogs(files: StackFiles): string {
  const read = (path: string) => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return '';
    }
  };
  let eximLogs = '';
  try {
    for (const name of readdirSync(files.eximLogDir)) eximLogs += read(join(files.eximLogDir, name));
  } catch {
    // No Exim log yet.
  }
  return `[dovecot]\n${read(files.dovecotLog)}\n[exim]\n${eximLogs}`;
}

/** Last resort when a test process exits with stacks still running: kill and clean up. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const entry of running) {
      entry.daemons().forEach(killDaemonNow);
      rmSync(entry.dir, { recursive: true, force: true });
    }
  });
}
