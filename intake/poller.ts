import { randomUUID } from 'node:crypto';
import {
  MongoNetworkError,
  MongoNotConnectedError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
  MongoError,
} from 'mongodb';
import { AppError } from '../services/errors';
import type { Logger } from '../services/logger';
import { Disposition, handleMail, HandleMailDeps } from './handle-mail';
import type { MailFolder, MailLogEntry } from './intake-store';
import type { MailboxSession, MailSource } from './mail-source';
import { contentKey, IncomingMail, parseMail } from './parse-mail';

export interface PollerOptions {
  deps: HandleMailDeps;
  /** A fresh source per connection. */
  source: () => MailSource;
  mailbox: string;
  /** Names the lease; one account+mailbox is polled by one instance at a time. */
  account: string;
  folders: Record<MailFolder, string>;
  logger: Logger;
  instanceId?: string;
  leaseMs?: number;
  batchSize?: number;
  concurrency?: number;
  /** Wait between checks when IDLE brings nothing. */
  pollMs?: number;
  maxBackoffMs?: number;
}

/** Import health for /healthz and the read API. */
export interface IntakeStats {
  /** `cannot_file`: connected, but a folder mail is filed into can neither be found nor created. */
  state: 'stopped' | 'waiting_lease' | 'connected' | 'reconnecting' | 'cannot_file';
  processed: number;
  refused: number;
  quarantined: number;
  automated: number;
  duplicates: number;
  lastError?: string;
  lastErrorAt?: Date;
  lastRunAt?: Date;
  /** Why filing fails, while it does. */
  filingError?: string;
}

/** Failures of the database, IMAP or SMTP: pause and retry; the mail stays where it is. */
export function isTransient(error: unknown): boolean {
  if (AppError.is(error)) return error.code === 'UPSTREAM';
  if (
    error instanceof MongoNetworkError ||
    error instanceof MongoServerSelectionError ||
    error instanceof MongoNotConnectedError ||
    error instanceof MongoTopologyClosedError
  )
    return true;
  if (
    error instanceof MongoError &&
    (error.hasErrorLabel('RetryableWriteError') || /pool|closed|ECONN/i.test(error.message))
  )
    return true;
  const code = (error as { code?: string }).code;
  return typeof code === 'string' && /^(ECONN|ETIMEDOUT|EPIPE|NoConnection|ClosedAfterConnect)/.test(code);
}

/**
 * Reads the desk mailbox (STYLE #10). Holding the lease, under the mailbox lock, it takes
 * UIDs above the checkpoint of this mailbox+UIDVALIDITY, parses each, skips keys already
 * in the mail log, lets `handleMail` store the effect, records the outcome, and only then
 * moves the batch to Procesados / Cuarentena / Rechazados and advances the checkpoint. A
 * crash anywhere leaves the mail in the INBOX to be seen again, and the duplicate key makes
 * the second pass change nothing. Outages of the database or IMAP stop the batch (nothing
 * moves) and the poller reconnects with exponential backoff.
 */
export class MailPoller {
  readonly instanceId: string;
  private running = false;
  private loopDone?: Promise<void>;
  private current?: MailSource;
  private wakeUp?: () => void;
  private readonly counters: IntakeStats = {
    state: 'stopped',
    processed: 0,
    refused: 0,
    quarantined: 0,
    automated: 0,
    duplicates: 0,
  };

  constructor(private readonly options: PollerOptions) {
    this.instanceId = options.instanceId ?? `poller-${randomUUID()}`;
  }

  stats(): IntakeStats {
    return { ...this.counters };
  }

  private get leaseName(): string {
    return `${this.options.account}/${this.options.mailbox}`;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loopDone = this.loop();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wakeUp?.();
    await this.current?.close();
    await this.loopDone;
    await this.options.deps.store.releaseLease(this.leaseName, this.instanceId).catch(() => undefined);
    this.counters.state = 'stopped';
  }

  private async loop(): Promise<void> {
    const leaseMs = this.options.leaseMs ?? 30_000;
    let failures = 0;
    while (this.running) {
      try {
        if (!(await this.options.deps.store.acquireLease(this.leaseName, this.instanceId, leaseMs))) {
          this.counters.state = 'waiting_lease';
          await this.disconnect();
          await this.pause(Math.max(200, leaseMs / 3));
          continue;
        }
        if (!this.current?.usable) {
          await this.disconnect();
          const source = this.options.source();
          this.current = source;
          await source.connect();
          await this.ensureFolders(source);
        }
        if (!this.counters.filingError) this.counters.state = 'connected';
        const handled = await this.drain(this.current, leaseMs);
        failures = 0;
        if (handled === 0 && this.running)
          await this.current.waitForNews(Math.min(this.options.pollMs ?? 30_000, leaseMs / 3));
      } catch (error) {
        failures += 1;
        this.noteError(error);
        if (!this.counters.filingError) this.counters.state = 'reconnecting';
        await this.disconnect();
        if (!this.running) break;
        const delay = Math.min(this.options.maxBackoffMs ?? 30_000, 250 * 2 ** Math.min(failures, 10));
        this.options.logger.warn({ err: error, delayMs: delay }, 'mail intake paused; retrying');
        await this.pause(delay);
      }
    }
    await this.disconnect();
  }

  /** Waits `ms`, or less when `stop()` is called meanwhile. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
      function done() {
        clearTimeout(timer);
        resolve();
      }
    });
  }

  private async disconnect(): Promise<void> {
    const source = this.current;
    this.current = undefined;
    await source?.close().catch(() => undefined);
  }

  /** The folders mail is filed into, created when missing; failing, the mailbox is reported unable to file. */
  private async ensureFolders(source: MailSource): Promise<void> {
    try {
      await source.ensureFolders([...new Set(Object.values(this.options.folders))]);
      this.filingWorks();
    } catch (error) {
      this.filingFails(error);
      throw error;
    }
  }

  private filingWorks(): void {
    if (!this.counters.filingError) return;
    delete this.counters.filingError;
    this.counters.state = 'connected';
    this.options.logger.info('mail can be filed again');
  }

  private filingFails(error: unknown): void {
    this.counters.filingError = error instanceof Error ? error.message : String(error);
    this.counters.state = 'cannot_file';
    this.options.logger.error({ err: error }, 'mail cannot be filed: the folders are missing and cannot be created');
  }

  /**
   * Moves a batch to its folder. A refused MOVE re-checks the folders (someone may have
   * deleted or renamed one) and tries once more; failing again, the batch stays in the INBOX,
   * the mailbox is reported unable to file, and the loop backs off instead of re-reading it.
   */
  private async file(source: MailSource, session: MailboxSession, uids: number[], folder: string): Promise<void> {
    try {
      await session.move(uids, folder);
    } catch (error) {
      if (!source.usable) throw error;
      this.options.logger.warn({ err: error, folder }, 'MOVE refused; checking the folders');
      await this.ensureFolders(source);
      try {
        await session.move(uids, folder);
      } catch (again) {
        this.filingFails(again);
        throw again;
      }
    }
    this.filingWorks();
  }

  private noteError(error: unknown): void {
    this.counters.lastError = error instanceof Error ? error.message : String(error);
    this.counters.lastErrorAt = new Date();
  }

  /** Processes batches until the INBOX holds nothing above the checkpoint; returns the count. */
  async drain(source: MailSource, leaseMs: number): Promise<number> {
    const { deps, mailbox } = this.options;
    return source.withMailbox(mailbox, async (session) => {
      let total = 0;
      for (;;) {
        const from = await deps.store.checkpoint(mailbox, session.uidValidity);
        const uids = (await session.uidsAbove(from)).slice(0, this.options.batchSize ?? 200);
        if (uids.length === 0 || !this.running) return total;
        await this.processBatch(source, session, uids);
        total += uids.length;
        this.counters.lastRunAt = new Date();
        if (!(await deps.store.acquireLease(this.leaseName, this.instanceId, leaseMs))) return total;
      }
    });
  }

  private async processBatch(source: MailSource, session: MailboxSession, uids: number[]): Promise<void> {
    const fetched = await session.fetchSources(uids);
    const parsed = await Promise.all(
      fetched.map(async (m) => ({ ...m, mail: await parseMail(m.source).catch((e: unknown) => e as Error) })),
    );
    // One task per duplicate key, so two copies of one mail in a batch never race.
    const byKey = new Map<string, typeof parsed>();
    for (const m of parsed) {
      const key = m.mail instanceof Error ? contentKey(m.source) : m.mail.key;
      byKey.set(key, [...(byKey.get(key) ?? []), m]);
    }
    const known = await this.options.deps.store.loggedMany([...byKey.keys()]);
    const folders = new Map<MailFolder, number[]>();
    const entries: MailLogEntry[] = [];
    const tasks = [...byKey.entries()];
    const limit = this.options.concurrency ?? 8;
    let next = 0;
    // A stop lets the mails in hand finish and takes no more: the rest stay in the INBOX.
    const worker = async () => {
      while (next < tasks.length && this.running) {
        const [key, group] = tasks[next++] ?? ['', []];
        // Every key was grouped from at least one mail; the check only narrows the type.
        const [first, ...copies] = group;
        if (!first) continue;
        const earlier = known.get(key);
        let folder: MailFolder;
        if (earlier) {
          this.counters.duplicates += 1;
          folder = earlier.folder;
        } else {
          const entry = await this.processOne(session, first.uid, key, first.mail);
          entries.push(entry);
          folder = entry.folder;
        }
        this.counters.duplicates += copies.length;
        folders.set(folder, [...(folders.get(folder) ?? []), first.uid, ...copies.map((c) => c.uid)]);
      }
    };
    await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
    // Outcomes first, then the moves: a crash in between leaves mails that the next pass
    // recognises by their key and only moves.
    await this.options.deps.store.record(entries);
    // Stopping closes the connection: the recorded mails are only moved on the next pass,
    // which knows them by their key, and the checkpoint stays below the ones not handled.
    if (!this.running) return;
    for (const [folder, list] of folders) await this.file(source, session, list, this.options.folders[folder]);
    await this.options.deps.store.advance(this.options.mailbox, session.uidValidity, Math.max(...uids));
  }

  private async processOne(
    session: MailboxSession,
    uid: number,
    key: string,
    mail: IncomingMail | Error,
  ): Promise<MailLogEntry> {
    const log = this.options.logger.child({ uid, key });
    let disposition: Disposition;
    if (mail instanceof Error) {
      disposition = { outcome: 'quarantined', folder: 'quarantine', reason: `unparsable: ${mail.message}` };
    } else {
      disposition = await this.decide(mail, log);
    }
    const c = this.counters;
    if (disposition.folder === 'quarantine') c.quarantined += 1;
    else if (disposition.folder === 'refused') c.refused += 1;
    else if (disposition.outcome === 'automated' || disposition.outcome === 'bounce') c.automated += 1;
    else c.processed += 1;
    log.info(
      { outcome: disposition.outcome, reason: disposition.reason, orderId: disposition.orderId?.toHexString() },
      'mail handled',
    );
    return {
      _id: key,
      outcome: disposition.outcome,
      folder: disposition.folder,
      mailbox: this.options.mailbox,
      uid,
      uidValidity: session.uidValidity,
      at: new Date(),
      ...(mail instanceof Error
        ? {}
        : { messageId: mail.messageId, from: mail.from?.address, subject: mail.subject.slice(0, 300) }),
      ...(disposition.orderId ? { orderId: disposition.orderId } : {}),
      ...(disposition.reason ? { reason: disposition.reason } : {}),
    };
  }

  /** handleMail with retries on concurrent order changes; other non-transient failures quarantine. */
  private async decide(mail: IncomingMail, log: Logger): Promise<Disposition> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await handleMail(this.options.deps, mail);
      } catch (error) {
        if (isTransient(error)) throw error;
        if (AppError.is(error, 'CONFLICT') && attempt < 5) continue;
        log.error({ err: error }, 'mail could not be handled; quarantined');
        this.noteError(error);
        return {
          outcome: 'quarantined',
          folder: 'quarantine',
          reason: `error: ${error instanceof Error ? error.message : String(error)}`.slice(0, 500),
        };
      }
    }
  }
}
