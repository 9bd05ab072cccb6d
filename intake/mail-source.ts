import { ImapFlow } from 'imapflow';
import { AppError } from '../services/errors';
import type { Logger } from '../services/logger';
import type { AccessTokenSource } from '../services/mail/oauth-token';

/** One selected mailbox, under the mailbox lock for as long as the callback runs. */
export interface MailboxSession {
  /** UIDVALIDITY of the mailbox as a decimal string: a change means every UID is new. */
  readonly uidValidity: string;
  /** UIDs greater than `uid`, ascending. Never uses \Seen. */
  uidsAbove(uid: number): Promise<number[]>;
  /** UIDs of the mails carrying this Message-ID (every mail when `messageId` is undefined). */
  uidsWithMessageId(messageId: string | undefined): Promise<number[]>;
  fetchSources(uids: readonly number[]): Promise<Array<{ uid: number; source: Buffer }>>;
  /** Throws UPSTREAM when the server refuses (a missing folder, for instance). */
  move(uids: readonly number[], folder: string): Promise<void>;
}

/** The mailbox we read (STYLE #3): IMAP in production, the same in tests (a real Dovecot). */
export interface MailSource {
  connect(): Promise<void>;
  /**
   * Creates each folder that does not exist yet (a real mailbox starts with none of ours).
   * Throws UPSTREAM when one can neither be found nor created.
   */
  ensureFolders(paths: readonly string[]): Promise<void>;
  withMailbox<T>(mailbox: string, work: (session: MailboxSession) => Promise<T>): Promise<T>;
  /** Resolves when new mail may have arrived (IDLE), after `ms` (polling), or when the connection drops. */
  waitForNews(ms: number): Promise<void>;
  readonly usable: boolean;
  close(): Promise<void>;
}

export interface ImapSourceOptions {
  host: string;
  port: number;
  secure: boolean;
  user: string;
  password?: string;
  /** XOAUTH2: returns a valid access token (renewed by the caller before it expires). */
  accessToken?: AccessTokenSource;
  logger: Logger;
  /** Loopback test servers: no STARTTLS. */
  doSTARTTLS?: boolean;
}

/**
 * An IMAP failure as the service's error: always UPSTREAM (the server or the connection, not
 * the mail), keeping imapflow's codes in the details and the original as the cause so the
 * poller's retry logic and the logs still see what happened.
 */
function upstream(action: string, error: unknown): AppError {
  if (AppError.is(error)) return error;
  const e = error as { message?: string; code?: string; serverResponseCode?: string; responseText?: string };
  const said = e.responseText ?? e.message ?? String(error);
  return new AppError(
    'UPSTREAM',
    `imap: ${action}: ${said}`,
    'El buzón de la mesa no responde; se reintentará.',
    {
      code: e.code,
      serverResponseCode: e.serverResponseCode,
    },
    { cause: error },
  );
}

/** Runs one IMAP step, mapping whatever it throws to UPSTREAM. */
async function step<T>(action: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw upstream(action, error);
  }
}

/** imapflow behind MailSource. A new instance per connection: imapflow clients are not reusable. */
export class ImapMailSource implements MailSource {
  private client?: ImapFlow;
  private wake?: () => void;

  constructor(private readonly options: ImapSourceOptions) {}

  get usable(): boolean {
    return Boolean(this.client?.usable);
  }

  /**
   * Signs in. A token the server refuses (revoked before its time) gets one more try with a
   * new token, rather than failing every reconnect until the cached one is due for renewal.
   */
  async connect(): Promise<void> {
    try {
      await this.open(false);
    } catch (error) {
      if (!this.options.accessToken || !(error as { authenticationFailed?: unknown }).authenticationFailed)
        throw upstream('connect', error);
      this.options.logger.warn('imap refused the access token; signing in again with a new one');
      await step('connect', () => this.open(true));
    }
  }

  private async open(refreshToken: boolean): Promise<void> {
    const o = this.options;
    const auth = o.accessToken
      ? { user: o.user, accessToken: await o.accessToken(refreshToken ? { refresh: true } : undefined) }
      : { user: o.user, pass: o.password ?? '' };
    const client = new ImapFlow({
      host: o.host,
      port: o.port,
      secure: o.secure,
      auth,
      logger: false,
      ...(o.doSTARTTLS === false ? { doSTARTTLS: false } : {}),
      maxIdleTime: 5 * 60_000,
    });
    client.on('error', (error: Error) => o.logger.warn({ err: error }, 'imap connection error'));
    client.on('exists', () => this.wake?.());
    client.on('close', () => this.wake?.());
    try {
      await client.connect();
    } catch (error) {
      client.close(); // a refused sign-in leaves the socket open otherwise
      throw error;
    }
    this.client = client;
  }

  private connected(): ImapFlow {
    const client = this.client;
    if (!client?.usable)
      throw new AppError('UPSTREAM', 'imap: not connected', 'El buzón de la mesa no responde; se reintentará.');
    return client;
  }

  async ensureFolders(paths: readonly string[]): Promise<void> {
    const client = this.connected();
    const existing = new Set((await step('list folders', () => client.list())).map((m) => m.path.toLowerCase()));
    for (const path of paths) {
      if (existing.has(path.toLowerCase())) continue;
      const made = await step(`create folder ${path}`, () => client.mailboxCreate(path));
      if (!made)
        throw new AppError(
          'UPSTREAM',
          `imap: create folder ${path}: not allowed in this state`,
          'El buzón de la mesa no responde; se reintentará.',
        );
      this.options.logger.info({ folder: path, created: made.created }, 'mail folder ready');
    }
  }

  async withMailbox<T>(mailbox: string, work: (session: MailboxSession) => Promise<T>): Promise<T> {
    const client = this.connected();
    const lock = await step(`open ${mailbox}`, () => client.getMailboxLock(mailbox));
    try {
      const opened = client.mailbox;
      if (!opened)
        throw new AppError(
          'UPSTREAM',
          `imap: ${mailbox} not selected`,
          'El buzón de la mesa no responde; se reintentará.',
        );
      return await work({
        uidValidity: String(opened.uidValidity),
        async uidsAbove(uid) {
          const found = await step('search', () => client.search({ uid: `${uid + 1}:*` }, { uid: true }));
          return (found || []).filter((u) => u > uid).sort((a, b) => a - b);
        },
        async uidsWithMessageId(messageId) {
          const query = messageId ? { header: { 'message-id': messageId } } : { all: true };
          const found = await step('search', () => client.search(query, { uid: true }));
          return (found || []).sort((a, b) => a - b);
        },
        async fetchSources(uids) {
          if (uids.length === 0) return [];
          const messages = await step('fetch', () =>
            client.fetchAll(uids.join(','), { uid: true, source: true }, { uid: true }),
          );
          return messages.flatMap((m) => (m.source ? [{ uid: m.uid, source: m.source }] : []));
        },
        async move(uids, folder) {
          if (uids.length === 0) return;
          const moved = await step(`move to ${folder}`, () =>
            client.messageMove(uids.join(','), folder, { uid: true }),
          );
          if (!moved)
            throw new AppError(
              'UPSTREAM',
              `imap: MOVE to ${folder} refused`,
              'El buzón de la mesa no responde; se reintentará.',
              { folder },
            );
        },
      });
    } finally {
      lock.release();
    }
  }

  waitForNews(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
      if (!this.usable) done();
    });
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.wake?.();
    if (!client) return;
    // A connection the server already dropped (idle timeout, restart) has nothing to log out
    // of: closing it is all that is left, and not an error.
    if (!client.usable) {
      client.close();
      return;
    }
    await client.logout().catch(() => client.close());
  }
}
