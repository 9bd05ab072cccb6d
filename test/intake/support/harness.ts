import { simpleParser, type ParsedMail } from 'mailparser';
import { ImapFlow } from 'imapflow';
import nodemailer, { SendMailOptions } from 'nodemailer';
import pino from 'pino';
import { MongoDirectoryStore } from '../../../services/directory/directory-store';
import type { Directory } from '../../../services/directory/schema';
import { MongoOrderStore } from '../../../services/orders/order-store';
import type { ServiceOrder } from '../../../services/orders/types';
import { acceptOrder } from '../../../services/orders/accept-order';
import { assignEngineer } from '../../../services/orders/assign-engineer';
import { recordProviderAttention } from '../../../services/orders/record-provider-attention';
import { takeOrder } from '../../../services/orders/take-order';
import { turnToProvider } from '../../../services/orders/turn-to-provider';
import { OutboxDispatcher, OutboxRelay } from '../../../services/outbox';
import { SEED_POLICY } from '../../../services/workflow';
import type { HeldMailActions } from '../../../services/http/intake-routes';
import { EmailChannel, EmailChannelDeps } from '../../../services/mail/email-channel';
import { SmtpMailSender } from '../../../services/mail/mail-sender';
import { createAuthenticator, DnsResolver, MailAuthPolicy } from '../../../intake/authenticate';
import { DEFAULT_RULES, HandleMailDeps, IntakeRules } from '../../../intake/handle-mail';
import { discardHeldMail, HeldMailDeps, releaseHeldMail } from '../../../intake/held-mails';
import { IntakeStore } from '../../../intake/intake-store';
import { ImapMailSource } from '../../../intake/mail-source';
import { MailPoller, PollerOptions } from '../../../intake/poller';
import { MailStack, MailUser, startMailStack, StartMailStackOptions } from '../../support/mail-stack';
import { openTestDatabase, TestDatabase } from '../../support/mongo';
import { first } from '../../support/present';

export const DESK: MailUser = { user: 'escritorio@cjf.example.mx', password: 'mesa-clave' };
export const REQUESTER: MailUser = { user: 'jose.pena@cjf.example.mx', password: 'jose' };
export const ENGINEER: MailUser = { user: 'ingeniero@cjf.example.mx', password: 'ing' };
export const ANALYST: MailUser = { user: 'analista@cjf.example.mx', password: 'ana' };
export const PROVIDER: MailUser = { user: 'soporte@proveedor.example.com', password: 'prov' };
export const OUTSIDER: MailUser = { user: 'fulano@externo.example.org', password: 'ext' };
export const ALL_USERS = [DESK, REQUESTER, ENGINEER, ANALYST, PROVIDER, OUTSIDER];
/** A colleague with a mailbox who is not in DIRECTORY until `registerNewcomer`. */
export const NEWCOMER: MailUser = { user: 'laura.nueva@cjf.example.mx', password: 'nueva' };

const hours = { start: '09:00', end: '18:00' };
export const DIRECTORY: Directory = {
  centres: [
    {
      id: 'CJPF-CDMX',
      name: 'CJPF Ciudad de México',
      state: 'Ciudad de México',
      timeZone: 'America/Mexico_City',
      businessHours: { mon: hours, tue: hours, wed: hours, thu: hours, fri: hours },
      nonWorkingDays: [],
    },
  ],
  providers: [{ id: 'PROV-1', company: 'Proveedor de Soporte, S.A.', contactEmails: [PROVIDER.user] }],
  contracts: [
    {
      id: 'CT-1',
      number: 'CT-2026-01',
      providerId: 'PROV-1',
      centreIds: ['CJPF-CDMX'],
      equipmentTypes: ['printer', 'computer', 'other'],
      attentionHours: { critical: 2, high: 4, medium: 8, low: 16 },
      resolutionHours: { critical: 8, high: 16, medium: 24, low: 48 },
      hours: 'business',
    },
  ],
  people: [
    { id: 'jpena', name: 'José Peña', email: REQUESTER.user, roles: ['requester'], centreIds: ['CJPF-CDMX'] },
    { id: 'ana', name: 'Ana Analista', email: ANALYST.user, roles: ['analyst'], centreIds: [] },
    { id: 'ingeniero', name: 'Iván Ingeniero', email: ENGINEER.user, roles: ['engineer'], centreIds: ['CJPF-CDMX'] },
    { id: 'juez', name: 'Julia Juez', email: 'juez@cjf.example.mx', roles: ['judge'], centreIds: ['CJPF-CDMX'] },
    {
      id: 'prov1',
      name: 'Pedro Proveedor',
      email: PROVIDER.user,
      roles: ['provider'],
      centreIds: [],
      providerId: 'PROV-1',
    },
  ],
};

/** A local DNS table for mailauth: nothing ever leaves the machine. */
export function tableResolver(txt: Record<string, string[]>): DnsResolver {
  return async (name: string, rrtype: string) => {
    const key = name.toLowerCase().replace(/\.$/, '');
    if (rrtype === 'TXT' && txt[key]) return txt[key].map((t) => [t]);
    const error = new Error(`queryTxt ENOTFOUND ${name}`) as Error & { code: string };
    error.code = rrtype === 'TXT' ? 'ENOTFOUND' : 'ENODATA';
    throw error;
  };
}

export const DNS = tableResolver({
  'cjf.example.mx': ['v=spf1 ip4:127.0.0.1 -all'],
  '_dmarc.cjf.example.mx': ['v=DMARC1; p=reject; adkim=r; aspf=r'],
  'proveedor.example.com': ['v=spf1 ip4:127.0.0.1 -all'],
});

export const silent = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/** The desk mailbox's folders, as MAIL_FOLDER_* would name them. */
export const DESK_FOLDERS = { processed: 'Procesados', quarantine: 'Cuarentena', refused: 'Rechazados' };

/** A fresh IMAP connection to the desk mailbox of `stack`, as the poller opens it. */
export function deskMailSource(stack: MailStack): ImapMailSource {
  return new ImapMailSource({
    ...stack.imap,
    secure: false,
    doSTARTTLS: false,
    user: DESK.user,
    password: DESK.password,
    logger: silent,
  });
}

export interface Harness {
  stack: MailStack;
  db: TestDatabase;
  orders: MongoOrderStore;
  directory: MongoDirectoryStore;
  store: IntakeStore;
  sender: SmtpMailSender;
  deps(
    overrides?: Partial<Omit<HandleMailDeps, 'rules' | 'auth'>> & {
      rules?: Partial<IntakeRules>;
      auth?: MailAuthPolicy;
    },
  ): HandleMailDeps;
  /** `deps` replaces parts of what handleMail gets (a failing store, a crashing order store). */
  poller(
    options?: Partial<Omit<PollerOptions, 'deps'>> & {
      rules?: Partial<IntakeRules>;
      auth?: MailAuthPolicy;
      deps?: Partial<HandleMailDeps>;
    },
  ): MailPoller;
  /** Relays outbox notices and sends them all by email once. */
  deliverNotices(): Promise<number>;
  close(): Promise<void>;
}

export async function startHarness(
  stackUsers: MailUser[] = ALL_USERS,
  stackOptions: Pick<StartMailStackOptions, 'oauth2'> = {},
  channelOptions: Partial<Pick<EmailChannelDeps, 'providerMail' | 'publicBaseUrl'>> = {},
): Promise<Harness> {
  const [stack, db] = await Promise.all([
    startMailStack({
      users: stackUsers,
      domains: ['cjf.example.mx', 'proveedor.example.com', 'externo.example.org'],
      ...stackOptions,
    }),
    openTestDatabase(),
  ]);
  const orders = new MongoOrderStore(db.db);
  await orders.ensureIndexes();
  const directory = new MongoDirectoryStore(db.client, db.db);
  await directory.ensureIndexes();
  await directory.replaceAll(DIRECTORY);
  const store = new IntakeStore(db.db);
  await store.ensureIndexes();
  const sender = new SmtpMailSender({ ...stack.smtp, secure: false, ignoreTLS: true, from: DESK.user });
  const channel = new EmailChannel({ sender, directory, refs: store, ...channelOptions });
  const relay = new OutboxRelay({ db: db.db, logger: silent });
  const dispatcher = new OutboxDispatcher({ db: db.db, logger: silent, channels: [channel], baseDelayMs: 100 });
  const deps: Harness['deps'] = ({ rules, auth, ...rest } = {}) => ({
    orders,
    directory,
    store,
    sender,
    policy: SEED_POLICY,
    analystRouting: 'all',
    auth: createAuthenticator(auth ?? { mode: 'mailauth', resolver: DNS }),
    ...rest,
    rules: {
      ...DEFAULT_RULES,
      timeZone: 'America/Mexico_City',
      ownAddresses: [DESK.user],
      allowedDomains: ['cjf.example.mx', 'proveedor.example.com'],
      ...rules,
    },
  });
  return {
    stack,
    db,
    orders,
    directory,
    store,
    sender,
    deps,
    poller({ rules, auth, deps: replaced, ...o } = {}) {
      return new MailPoller({
        deps: { ...deps({ rules, auth }), ...replaced },
        source: () => deskMailSource(stack),
        mailbox: 'INBOX',
        account: DESK.user,
        folders: DESK_FOLDERS,
        logger: silent,
        leaseMs: 3000,
        pollMs: 200,
        ...o,
      });
    },
    async deliverNotices() {
      let total = 0;
      for (;;) {
        await relay.relayOnce();
        const n = await dispatcher.dispatchOnce(500);
        total += n;
        if (n === 0) return total;
      }
    },
    async close() {
      await sender.close();
      await Promise.all([stack.stop(), db.close()]);
    },
  };
}

export async function sendMail(stack: MailStack, message: SendMailOptions): Promise<void> {
  const transport = nodemailer.createTransport({ ...stack.smtp, secure: false, ignoreTLS: true });
  try {
    await transport.sendMail(message);
  } finally {
    transport.close();
  }
}

export async function withImap<T>(stack: MailStack, user: MailUser, fn: (c: ImapFlow) => Promise<T>): Promise<T> {
  const client = new ImapFlow({
    ...stack.imap,
    secure: false,
    doSTARTTLS: false,
    logger: false,
    auth: { user: user.user, pass: user.password },
  });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.logout().catch(() => client.close());
  }
}

const COUNTED_FOLDERS = ['INBOX', 'Procesados', 'Cuarentena', 'Rechazados'] as const;
export type FolderCounts = Record<(typeof COUNTED_FOLDERS)[number], number>;

export async function folderCounts(stack: MailStack, user: MailUser = DESK): Promise<FolderCounts> {
  return withImap(stack, user, async (c) => {
    const out: FolderCounts = { INBOX: 0, Procesados: 0, Cuarentena: 0, Rechazados: 0 };
    for (const f of COUNTED_FOLDERS)
      out[f] = ((await c.status(f, { messages: true })) || { messages: 0 }).messages ?? 0;
    return out;
  });
}

/** Appends raw sources straight into a mailbox (bounces and the like, which SMTP would refuse). */
export async function appendRaw(
  stack: MailStack,
  sources: Array<string | Buffer>,
  user: MailUser = DESK,
  folder = 'INBOX',
): Promise<void> {
  await withImap(stack, user, async (c) => {
    for (const s of sources)
      await c.append(folder, typeof s === 'string' ? Buffer.from(s.replace(/\r?\n/g, '\r\n')) : s);
  });
}

/** Sources of every mail in a user's folder. */
export async function mailsIn(stack: MailStack, user: MailUser, folder = 'INBOX'): Promise<Buffer[]> {
  return withImap(stack, user, async (c) => {
    const lock = await c.getMailboxLock(folder);
    try {
      if (!(c.mailbox && c.mailbox.exists)) return [];
      return (await c.fetchAll('1:*', { source: true })).flatMap((m) => (m.source ? [m.source] : []));
    } finally {
      lock.release();
    }
  });
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 20000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * One Harness for the enclosing `describe`, handed to `started` once its mail stack is up and
 * closed after the tests even when they fail. Starting a stack is slow on a busy machine,
 * hence the generous timeout.
 */
export function useHarness(started: (h: Harness) => void | Promise<void>): void {
  let harness: Harness | undefined;
  beforeAll(async () => {
    harness = await startHarness();
    await started(harness);
  }, 120_000);
  afterAll(async () => {
    await harness?.close();
  });
}

/**
 * Release and discard of held mail over the harness's desk mailbox, shaped as the HTTP
 * routes take them (the same mapping the service wires).
 */
export function heldMailActions(h: Harness): HeldMailActions {
  const deps: HeldMailDeps = { handle: h.deps(), source: () => deskMailSource(h.stack), folders: DESK_FOLDERS };
  return {
    release: async (key) => {
      const d = await releaseHeldMail(deps, { key });
      return { outcome: d.outcome, folder: d.folder, orderId: d.orderId?.toHexString(), reason: d.reason };
    },
    discard: (key, actor, reason) => discardHeldMail(deps, { key, actor, reason }),
  };
}

/** NEWCOMER mails the desk; waits for delivery and runs the poller until the INBOX is empty. */
export async function mailFromNewcomer(
  h: Harness,
  mail: Pick<SendMailOptions, 'subject' | 'text' | 'messageId' | 'attachments'>,
): Promise<void> {
  await sendMail(h.stack, {
    from: `Laura Nueva <${NEWCOMER.user}>`,
    to: DESK.user,
    ...mail,
    envelope: { from: NEWCOMER.user, to: DESK.user },
  });
  await waitForDesk(h);
  await runPollerUntilEmpty(h);
}

/** Adds NEWCOMER to the directory as a requester of CJPF-CDMX (person id `lnueva`). */
export async function registerNewcomer(h: Harness): Promise<void> {
  await h.directory.replaceAll({
    ...DIRECTORY,
    people: [
      ...DIRECTORY.people,
      { id: 'lnueva', name: 'Laura Nueva', email: NEWCOMER.user, roles: ['requester'], centreIds: ['CJPF-CDMX'] },
    ],
  });
}

/** Waits until the desk's inbox holds `count` mails: what was sent has been delivered. */
export async function waitForDesk(h: Harness, count = 1): Promise<void> {
  await waitFor('delivery to the desk', async () => (await folderCounts(h.stack)).INBOX >= count);
}

/** Mails the desk the requester's report of a printer that does not switch on, takes it in, returns its folio. */
export async function mailedPrinterOrder(h: Harness): Promise<string> {
  await appendRaw(h.stack, [
    rawMail({
      from: REQUESTER.user,
      subject: 'La impresora no enciende',
      id: '<base@cjf.example.mx>',
      body: 'No enciende.',
    }),
  ]);
  await runPollerUntilEmpty(h);
  return first(await allOrders(h), 'the mailed order').folio;
}

export async function allOrders(h: Harness): Promise<ServiceOrder[]> {
  return h.db.db.collection<ServiceOrder>('orders').find({}).sort({ createdAt: 1 }).toArray();
}

/**
 * A raw mail as our MTA would have delivered it: Return-Path and a Received line from
 * 127.0.0.1 (the address the local SPF records allow), then the given headers and body.
 */
export function rawMail(o: {
  from: string;
  subject: string;
  id?: string;
  body: string;
  headers?: string[];
  envelopeFrom?: string;
}): string {
  const address = /<([^>]+)>/.exec(o.from)?.[1] ?? o.from;
  return [
    `Return-Path: <${o.envelopeFrom ?? address}>`,
    'Received: from mail.cjf.example.mx ([127.0.0.1]) by mx.cjf.example.mx with esmtp id 1abcde-000001-AA; Mon, 02 Mar 2026 10:00:00 -0600',
    `From: ${o.from}`,
    `To: ${DESK.user}`,
    `Subject: ${o.subject}`,
    ...(o.id ? [`Message-ID: ${o.id}`] : []),
    'Date: Mon, 02 Mar 2026 10:00:00 -0600',
    'MIME-Version: 1.0',
    ...(o.headers ?? ['Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit']),
    '',
    o.body,
    '',
  ].join('\n');
}

/** Runs one poller until the INBOX is empty, then stops it. */
export async function runPollerUntilEmpty(
  h: Harness,
  options: Parameters<Harness['poller']>[0] = {},
  timeoutMs = 30000,
): Promise<MailPoller> {
  const poller = h.poller(options);
  poller.start();
  try {
    await waitFor('INBOX emptied by the poller', async () => (await folderCounts(h.stack)).INBOX === 0, timeoutMs);
  } finally {
    await poller.stop();
  }
  return poller;
}

/** Waits until `user` has `count` mails in the INBOX and returns them parsed, oldest first. */
/**
 * The first mail in `user`'s INBOX that `matches`, waiting for it to arrive: delivery is
 * asynchronous, and mails sent together may land in any order (and after older ones).
 */
export async function mailMatching(
  h: Harness,
  user: MailUser,
  matches: (mail: ParsedMail) => boolean,
): Promise<ParsedMail> {
  return waitFor(`a matching mail for ${user.user}`, async () => {
    const mails = await Promise.all((await mailsIn(h.stack, user)).map((s) => simpleParser(s)));
    return mails.find(matches);
  });
}

export async function inboxOf(h: Harness, user: MailUser, count: number): Promise<ParsedMail[]> {
  const sources = await waitFor(`${count} mails for ${user.user}`, async () => {
    const mails = await mailsIn(h.stack, user);
    return mails.length >= count && mails;
  });
  return Promise.all(sources.map((s) => simpleParser(s)));
}

/**
 * Walks an order of the harness directory along the provider path to `validation` (taken,
 * assigned, accepted, turned to the provider, attended), as the staff would from Teams.
 */
export async function toValidation(h: Harness, o: ServiceOrder): Promise<void> {
  const deps = { orders: h.orders, directory: h.directory };
  const orderId = o._id.toHexString();
  await takeOrder(deps, { orderId, actorId: 'ana', channel: 'teams' });
  await assignEngineer(deps, { orderId, actorId: 'ana', channel: 'teams', engineerId: 'ingeniero' });
  await acceptOrder(deps, { orderId, actorId: 'ingeniero', channel: 'teams' });
  await turnToProvider(
    { ...deps, timeZone: 'America/Mexico_City' },
    { orderId, actorId: 'ingeniero', channel: 'teams', contractId: 'CT-1' },
  );
  await recordProviderAttention(deps, { orderId, actorId: 'prov1', channel: 'email' });
}
