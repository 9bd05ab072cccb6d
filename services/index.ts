import { promises as dns } from 'node:dns';
import { mkdir } from 'node:fs/promises';
import { Db, MongoClient } from 'mongodb';
import { createTeamsBot } from '../bot/endpoint';
import { RunningEngine, startEngine } from '../embedded-mongo';
import { Config, loadConfig } from './config';
import { CachedDirectory } from './directory/cached-directory';
import { MongoDirectoryStore } from './directory/directory-store';
import { importDirectory } from './directory/load-directory';
import { AppError } from './errors';
import { createHttpService, HttpService } from './http/server';
import { orderReadsFromStore } from './http/order-reads';
import { intakeReadsFrom } from './http/intake-reads';
import { componentLogger, createLogger, Logger } from './logger';
import { MongoOrderStore, withWorkflowPolicy } from './orders/order-store';
import { withAnalystRouting } from './notifications/analyst-routing';
import { ValidationReminder } from './notifications/validation-reminder';
import { withEmailDigest } from './notifications/email-digest';
import { NotificationChannel, OutboxDispatcher, OutboxLoop, OutboxRelay } from './outbox';
import { DEFAULT_DIGEST_ALLOWANCE } from './outbox/batching';
import { SlaMonitor } from './sla/sla-monitor';
import { MongoSlaStore } from './sla/sla-store';
import { CedulaIssuer } from './cedula/cedula-issuer';
import { cedulaReads } from './cedula/cedula-routes';
import { MongoCedulaStore } from './cedula/cedula-store';
import { verifyCedula } from './cedula/verify-cedula';
import { reportReads } from './reports/report-reads';
import { MongoReportSource } from './reports/report-store';
import { createAuthenticator, DEFAULT_RULES, ImapMailSource, IntakeStats, IntakeStore, MailPoller } from '../intake';
import { CedulaPdfs, EmailChannel } from './mail/email-channel';
import { SmtpMailSender } from './mail/mail-sender';
import { createTokenProvider, msalAcquirer } from './mail/oauth-token';

interface Storage {
  client: MongoClient;
  db: Db;
  engine?: RunningEngine;
}

/** MONGODB_URI when given; otherwise the embedded engine, in this process, on DATA_DIR. */
async function openStorage(config: Config, log: Logger): Promise<Storage> {
  let engine: RunningEngine | undefined;
  let uri = config.mongodbUri;
  if (!uri) {
    await mkdir(config.dataDir, { recursive: true });
    engine = await startEngine({ port: 0, dbPath: config.dataDir });
    uri = engine.uri;
    log.info({ dataDir: config.dataDir, uri: engine.uri }, 'embedded engine started');
  }
  const client = await MongoClient.connect(uri, { serverSelectionTimeoutMS: 5000 });
  // The same database `npm run directory` uses.
  const db = client.db(config.databaseName);
  log.info({ db: db.databaseName, embedded: Boolean(engine) }, 'database connected');
  return { client, db, engine };
}

/**
 * DIRECTORY_FILE, when set, is loaded at every start; a file with errors is refused whole and
 * the stored directory stays. Without it, the stored directory (from `npm run directory --
 * import`) is kept, and only an empty store gets the example directory, so a demo works out
 * of the box and an imported directory is never overwritten by the example.
 */
async function loadDirectory(storage: Storage, config: Config, log: Logger): Promise<MongoDirectoryStore> {
  const directory = new MongoDirectoryStore(storage.client, storage.db);
  await directory.ensureIndexes();
  const stored = await directory.snapshot();
  const file = config.directoryFile ?? (stored.people.length === 0 ? config.exampleDirectoryFile : undefined);
  if (!file) {
    log.info({ people: stored.people.length, centres: stored.centres.length }, 'using the stored directory');
    return directory;
  }
  try {
    const loaded = await importDirectory({ directory }, { file });
    log.info({ file, example: !config.directoryFile, people: loaded.people.length, centres: loaded.centres.length }, 'directory loaded');
  } catch (error) {
    if (!AppError.is(error)) throw error;
    log.error({ file, err: error, details: error.details }, 'directory file refused; the stored directory is unchanged');
  }
  return directory;
}

export interface RunningService {
  readonly port: number;
  /** Reverse order of start: stop accepting, finish in-flight dispatch, close DB, close engine. */
  stop(): Promise<void>;
}

/**
 * Wires everything (STYLE #15): config → logger → storage → directory → use cases → routes →
 * outbox. `extraChannels` are tried after Teams (email joins here with the mail issue).
 */
export async function startService(config: Config, root: Logger, extraChannels: NotificationChannel[] = []): Promise<RunningService> {
  const storage = await openStorage(config, componentLogger(root, 'storage'));
  const directory = withAnalystRouting(await loadDirectory(storage, config, componentLogger(root, 'directory')), config.notifications.analystRouting);
  const mongoOrders = new MongoOrderStore(storage.db);
  await mongoOrders.ensureIndexes();
  const orderStore = withWorkflowPolicy(mongoOrders, { onsiteRequiresValidation: config.notifications.onsiteRequiresValidation });
  const orders = orderReadsFromStore(orderStore);
  const reportSource = new MongoReportSource(storage.db);
  await reportSource.ensureIndexes();
  const reports = reportReads({ source: reportSource, directory, desk: directory, zone: config.defaultTimeZone });
  const teams = createTeamsBot({
    reports,
    bot: config.bot, db: storage.db, store: orderStore, directory, timeZone: config.defaultTimeZone, logger: componentLogger(root, 'bot'),
    publicBaseUrl: config.publicBaseUrl,
  });
  if (config.cedulaSecretIsDefault) root.warn('CEDULA_SECRET is not set: Cédula codes use the public development default and prove nothing');
  const cedulaStore = new MongoCedulaStore(storage.db);
  await cedulaStore.ensureIndexes();
  const mail = await wireMail(config, storage.db, orderStore, directory, componentLogger(root, 'mail'), cedulaStore);
  const issuer = new CedulaIssuer({ store: cedulaStore, directory, desk: directory, secret: config.cedulaSecret, logger: componentLogger(root, 'cedula') });
  const http: HttpService = createHttpService({
    logger: componentLogger(root, 'http'),
    apiToken: config.apiToken,
    orders,
    reports,
    intake: intakeReadsFrom(mail.store, mail),
    cedula: cedulaReads(cedulaStore, (code) => verifyCedula({ store: cedulaStore, secret: config.cedulaSecret }, code)),
    health: { ping: async () => { await storage.db.command({ ping: 1 }); }, mailState: mail.state, mailStats: mail.stats },
    botEndpoint: teams.endpoint,
  });
  const loop = outboxLoop(storage.db, [teams.channel, ...(mail.channel ? [mail.channel] : []), ...extraChannels], config, componentLogger(root, 'outbox'));
  const reminders = new ValidationReminder({ db: storage.db, intervalMs: config.notifications.validationReminderMs, logger: componentLogger(root, 'reminders') });
  const sla = new SlaMonitor({ store: new MongoSlaStore(storage.db), directory, desk: directory, logger: componentLogger(root, 'sla') });
  const port = await http.listen(config.port, config.host);
  mail.poller?.start();
  loop.start();
  sla.start();
  reminders.start();
  issuer.start();
  root.info({ port, host: config.host }, 'listening');
  return {
    port,
    async stop() {
      await http.close();
      await mail.poller?.stop();
      await issuer.stop();
      await reminders.stop();
      await sla.stop();
      await loop.stop();
      await mail.sender?.close();
      await storage.client.close();
      await storage.engine?.close();
    },
  };
}

/**
 * `--intake-only`: a process that only reads the desk mailbox (a dedicated intake replica):
 * no HTTP, no outbox. The lease keeps it from working the mailbox beside another instance.
 */
export async function startIntakeOnly(config: Config, root: Logger): Promise<RunningService> {
  const storage = await openStorage(config, componentLogger(root, 'storage'));
  const directory = await loadDirectory(storage, config, componentLogger(root, 'directory'));
  const orderStore = new MongoOrderStore(storage.db);
  await orderStore.ensureIndexes();
  const mail = await wireMail(config, storage.db, orderStore, directory, componentLogger(root, 'mail'));
  if (!mail.poller) throw new AppError('VALIDATION', '--intake-only needs IMAP_HOST', 'Para leer el buzón configure IMAP_HOST.');
  mail.poller.start();
  root.info('mail intake running');
  return {
    port: 0,
    async stop() {
      await mail.poller?.stop();
      await mail.sender?.close();
      await storage.client.close();
      await storage.engine?.close();
    },
  };
}

interface MailWiring {
  store: IntakeStore;
  sender?: SmtpMailSender;
  channel?: NotificationChannel;
  poller?: MailPoller;
  state(): string;
  stats(): IntakeStats | undefined;
}

/**
 * SMTP_HOST set: the pooled sender and the email channel. IMAP_HOST set: the poller of the
 * desk mailbox (not started yet), serving the domains of MAIL_ALLOWED_DOMAINS or else those
 * of the directory, checking senders by the receiving server's Authentication-Results
 * (MAIL_AUTHSERV_ID) or else by DKIM/SPF/DMARC through the system resolver.
 */
async function wireMail(config: Config, db: Db, orders: MongoOrderStore, directory: MongoDirectoryStore, log: Logger, cedulaPdfs?: CedulaPdfs): Promise<MailWiring> {
  const store = new IntakeStore(db);
  await store.ensureIndexes();
  // One token for both IMAP and SMTP: same mailbox, same scope, renewed before it expires.
  const accessToken = config.mailOAuth ? createTokenProvider({ acquire: msalAcquirer(config.mailOAuth), logger: log }) : undefined;
  const sender = config.smtp ? new SmtpMailSender({ ...config.smtp, accessToken }) : undefined;
  // Each mail and each notice looks up the same few people: the reads go through the cache.
  const people = new CachedDirectory(directory);
  const channel = sender ? withEmailDigest(new EmailChannel({ sender, directory: people, refs: store, cedulaPdfs, publicBaseUrl: config.publicBaseUrl }), { sender, directory: people, cedulaPdfs }) : undefined;
  const imap = config.imap;
  if (!imap) return { store, sender, channel, state: () => 'disabled', stats: () => undefined };
  const known = await directory.snapshot();
  const domains = [...known.people.map((p) => p.email), ...known.providers.flatMap((p) => p.contactEmails)].map((e) => e.split('@')[1]);
  const poller = new MailPoller({
    deps: {
      db, orders, directory: people, store, sender,
      auth: createAuthenticator(config.mail.authservId
        ? { mode: 'received', authservId: config.mail.authservId }
        : { mode: 'mailauth', resolver: (name, rrtype) => dns.resolve(name, rrtype) }),
      rules: {
        ...DEFAULT_RULES,
        ownAddresses: [imap.user, config.smtp?.from].filter((a): a is string => Boolean(a)).map((a) => a.toLowerCase()),
        allowedDomains: [...new Set(config.mail.allowedDomains ?? domains)],
        maxPerSenderPerHour: config.mail.maxPerSenderPerHour,
        timeZone: config.defaultTimeZone,
      },
    },
    source: () => new ImapMailSource({ host: imap.host, port: imap.port, secure: imap.secure, user: imap.user, password: imap.password, accessToken, logger: log }),
    mailbox: imap.mailbox,
    account: imap.user,
    folders: { processed: 'Procesados', quarantine: 'Cuarentena', refused: 'Rechazados' },
    logger: log,
    leaseMs: config.mail.leaseMs,
  });
  return { store, sender, channel, poller, state: () => poller.stats().state, stats: () => poller.stats() };
}

function outboxLoop(db: Db, channels: NotificationChannel[], config: Config, log: Logger): OutboxLoop {
  const { digestWindowMs, teamsAttemptsBeforeEmail, concurrency, leaseMs } = config.notifications;
  const dispatcher = channels.length > 0
    ? new OutboxDispatcher({ db, logger: log, channels, digestWindowMs, fallbackAfterAttempts: teamsAttemptsBeforeEmail, concurrency, leaseMs })
    : undefined;
  dispatcher?.ensureIndexes().catch((error: unknown) => log.error({ err: error }, 'could not create the notification indexes'));
  if (!dispatcher) log.warn('no notification channel registered: notices are queued and wait for one');
  const relay = new OutboxRelay({ db, logger: log, ...(dispatcher && digestWindowMs > 0 ? { digestAllowance: DEFAULT_DIGEST_ALLOWANCE } : {}) });
  return new OutboxLoop({ relay, dispatcher, logger: log });
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    createLogger('error').fatal({ problems: AppError.is(error) ? error.details.problems : undefined, err: error }, 'invalid configuration');
    process.exit(1);
  }
  const root = createLogger(config.logLevel);
  // Signals are handled from the first moment: one that arrives while the service is still
  // starting stops it as soon as it is up, instead of killing it half-initialised.
  let signalled: NodeJS.Signals | undefined;
  let service: RunningService | undefined;
  const shutdown = (signal: NodeJS.Signals) => {
    if (signalled) return;
    signalled = signal;
    root.info({ signal }, 'shutting down');
    if (service) stopAndExit(service, root);
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  service = process.argv.includes('--intake-only') ? await startIntakeOnly(config, root) : await startService(config, root);
  if (signalled) stopAndExit(service, root);
}

function stopAndExit(service: RunningService, root: Logger): void {
  service.stop().then(
    () => { root.info('stopped'); process.exit(0); },
    (error: unknown) => { root.error({ err: error }, 'shutdown failed'); process.exit(1); },
  );
}

if (require.main === module) {
  main().catch((error: unknown) => {
    createLogger('error').fatal({ err: error }, 'start-up failed');
    process.exit(1);
  });
}
