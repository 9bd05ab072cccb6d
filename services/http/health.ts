import type { Server } from 'restify';

export interface HealthDeps {
  /** Resolves when the database answers a ping. */
  ping(): Promise<void>;
  /** State of the mail poller: 'disabled' until IMAP is configured and the poller exists. */
  mailState(): string;
  /** Mail import counters (processed / refused / quarantined / last error), when intake runs. */
  mailStats?(): unknown;
  timeoutMs?: number;
}

/**
 * `GET /healthz`: 200 `{status:'ok', db:'ok', mail}` when the DB answers in time, else 503;
 * `status: 'degraded'` while the desk mailbox cannot be filed in (`mail: 'cannot_file'`).
 */
export function registerHealthRoute(server: Server, deps: HealthDeps): void {
  server.get('/healthz', async (_req, res) => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('ping timed out')), deps.timeoutMs ?? 2000);
    });
    const db = await Promise.race([deps.ping(), timeout])
      .then(
        () => 'ok',
        () => 'unreachable',
      )
      .finally(() => clearTimeout(timer));
    const healthy = db === 'ok';
    const mail = deps.mailState();
    // A mailbox mail cannot be filed in stops intake but not the rest of the service.
    const status = !healthy ? 'unavailable' : mail === 'cannot_file' ? 'degraded' : 'ok';
    res.send(healthy ? 200 : 503, { status, db, mail, mailIntake: deps.mailStats?.() });
  });
}
