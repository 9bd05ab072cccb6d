import { promises as dns } from 'node:dns';
import { mkdir } from 'node:fs/promises';
import { Db, MongoClient } from 'mongodb';
import { createTeamsBot } from '../bot/endpoint';
import { RunningEngine, startEngine } from '@cjpf/embedded-mongo';
import { startupWarnings, type Config } from './config';
import { CachedDirectory } from './directory/cached-directory';
import { MongoDirectoryStore } from './directory/directory-store';
import { importDirectory } from './directory/load-directory';
import { AppError } from './errors';
import { createHttpService, HttpService } from './http/server';
import { orderReadsFromStore } from './http/order-reads';
import { intakeReadsFrom } from './http/intake-reads';
import { componentLogger, Logger } from './logger';
import { MongoOrderStore } from './orders/order-store';
import type { OrderServices } from './orders/order-services';
import type { ServiceOrder } from './orders/types';
import { ValidationReminder } from './notifications/validation-reminder';
import { MongoReminderStore } from './notifications/reminder-store';
import { DispatcherOptions, NotificationChannel, OutboxDispatcher, OutboxLoop, OutboxRelay } from './outbox';
import { DEFAULT_DIGEST_ALLOWANCE } from './outbox/quiet-windows';
import { SlaMonitor } from './sla/sla-monitor';
import { MongoSlaStore } from './sla/sla-store';
import { CedulaIssuer } from './cedula/cedula-issuer';
import { cedulaReads } from './cedula/cedula-routes';
import { MongoCedulaStore } from './cedula/cedula-store';
import { verifyCedula } from './cedula/verify-cedula';
import { cedulaSecretFor } from './cedula/cedula-secret';
import { MongoLinkUses, providerActionLink } from './links/provider-links';
import { loadProviderFacts, providerMailParagraphs } from './notifications/provider-brief';
import { fileLinker } from './files/file-links';
import { gridFsFileReads } from './files/file-routes';
import { reportReads } from './reports/report-reads';
import { MongoReportSource } from './reports/report-store';
import { slaSummariser } from './reports/order-figures';
import {
  createAuthenticator,
  DEFAULT_RULES,
  discardHeldMail,
  HandleMailDeps,
  HeldMailDeps,
  ImapMailSource,
  IntakeStats,
  IntakeStore,
  MailPoller,
  releaseHeldMail,
} from '../intake';
import type { HeldMailActions } from './http/intake-routes';
import { CedulaPdfs, EmailChannel } from './mail/email-channel';
import { SmtpMailSender } from './mail/mail-sender';
import { createTokenProvider, msalAcquirer } from './mail/oauth-token';
import { DeskMetrics } from './metrics/desk-metrics';
import { MongoAssetStore } from './assets/asset-store';
import { MongoAssetOrders } from './assets/asset-orders';
import { orderGaugeObserver, orderGaugeReconciler, seedOrderGauge, slaCountObserver } from './metrics/order-metrics';
import { DeskSessions, sessionSecretWarning } from './desk/sessions';
import { EntraTokenVerifier } from './desk/entra-tokens';
import { OrderChangeFeed } from './desk/change-feed';

interface Storage {
  client: MongoClient;
  db: Db;
  engine?: RunningEngine;
}

/**
 * MONGODB_URI when given; otherwise the embedded engine on DATA_DIR, on a thread of its own in
 * this process, as a database server would be in its own process. If that thread dies, the
 * service stops (the supervisor restarts it) rather than answer without its data.
 */
async function openStorage(config: Config, log: Logger): Promise<Storage> {
  let engine: RunningEngine | undefined;
  let uri = config.mongodbUri;
  if (!uri) {
    await mkdir(config.dataDir, { recursive: true });
    const engineLog = componentLogger(log, 'engine');
    engine = await startEngine({
      port: 0,
      dbPath: config.dataDir,
      logger: engineLog,
      thread: {
        level: engineLog.isLevelEnabled('debug') ? 'debug' : 'info',
        onFailure(error) {
          log.fatal({ err: error }, 'embedded engine thread failed; stopping');
          process.exit(1);
        },
      },
    });
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
    log.info(
      { file, example: !config.directoryFile, people: loaded.people.length, centres: loaded.centres.length },
      'directory loaded',
    );
  } catch (error) {
    if (!AppError.is(error)) throw error;
    log.error(
      { file, err: error, details: error.details },
      'directory file refused; the stored directory is unchanged',
    );
  }
  return directory;
}

export interface RunningService {
  readonly port: number;
  /** Reverse order of start: stop accepting, finish in-flight dispatch, close DB, close engine. */
  stop(): Promise<void>;
}

/**
 * `service`: everything (`npm start`). `intake-only` (`--intake-only`): a process that only
 * reads the desk mailbox (a dedicated intake replica): no HTTP, no outbox, no background
 * loops; the mailbox lease keeps it from working the mailbox beside another instance.
 */
export type StartMode = 'service' | 'intake-only';

/**
 * The only place that wires (STYLE #15): config → logger → storage → directory → use cases →
 * edges → background loops, and stops them in reverse. Both start modes build the order
 * use cases here, once, from the same settings (workflow policy, analyst routing, time
 * zone), so a mailed order is decided and routed the same way whichever process reads it.
 * `extraChannels` are tried after Teams and email.
 */
export async function wire(
  config: Config,
  root: Logger,
  mode: StartMode,
  extraChannels: NotificationChannel[] = [],
): Promise<RunningService> {
  for (const warning of startupWarnings(config)) root.warn(warning);
  const storage = await openStorage(config, componentLogger(root, 'storage'));
  const directoryStore = await loadDirectory(storage, config, componentLogger(root, 'directory'));
  // Metrics: kept as things happen (the order gauge counted once here), never recounted per scrape.
  const metrics = new DeskMetrics({ intake: () => mail.stats() });
  const orderStore = new MongoOrderStore(storage.db, orderGaugeObserver(metrics));
  await orderStore.ensureIndexes();
  await seedOrderGauge(storage.db, metrics);
  const metricsReconciler = orderGaugeReconciler({
    db: storage.db,
    metrics,
    intervalMs: config.metrics.reconcileMs,
    logger: componentLogger(root, 'metrics'),
  });
  // Each turn, mail and notice looks up the same few people: the edges read through one cache.
  const directory = new CachedDirectory(directoryStore);
  const assets = new MongoAssetStore(storage.db);
  await assets.ensureIndexes();
  const assetOrders = new MongoAssetOrders(storage.db);
  await assetOrders.ensureIndexes();
  const services: OrderServices = {
    orders: orderStore,
    directory,
    policy: { onsiteRequiresValidation: config.notifications.onsiteRequiresValidation },
    analystRouting: config.notifications.analystRouting,
    timeZone: config.defaultTimeZone,
    assets,
    assetOrders,
    inventoryPattern: config.inventoryPattern,
    slaSummary: slaSummariser({
      directory: directoryStore,
      desk: directoryStore,
      zone: config.defaultTimeZone,
      logger: componentLogger(root, 'reports'),
    }),
  };
  // Links to order files and provider actions are signed with keys derived from the Cédula secret (see services/links).
  const cedulaSecret = mode === 'service' ? await cedulaSecretFor(config, componentLogger(root, 'cedula')) : undefined;
  if (cedulaSecret) services.fileLink = fileLinker(cedulaSecret, config.publicBaseUrl);
  const cedulaStore = mode === 'service' ? new MongoCedulaStore(storage.db) : undefined;
  await cedulaStore?.ensureIndexes();
  // Provider links are signed with a key derived from the same secret; only the service mails them.
  const linkSecret = cedulaSecret;
  const providerMail = linkSecret
    ? async (order: ServiceOrder, email: string) => {
        const link = await providerActionLink(
          { secret: linkSecret, publicBaseUrl: config.publicBaseUrl, ttlMs: config.providerLinkMs, directory },
          order,
          email,
        );
        return providerMailParagraphs(order, await loadProviderFacts(directory, order), link);
      }
    : undefined;
  const mail = await wireMail(
    config,
    storage.db,
    services,
    directoryStore,
    componentLogger(root, 'mail'),
    cedulaStore,
    providerMail,
  );
  const closeStorage = async () => {
    await mail.sender?.close();
    await storage.client.close();
    await storage.engine?.close();
  };
  if (mode === 'intake-only') {
    if (!mail.poller) {
      await closeStorage();
      throw new AppError('VALIDATION', '--intake-only needs IMAP_HOST', 'Para leer el buzón configure IMAP_HOST.');
    }
    mail.poller.start();
    root.info('mail intake running');
    return {
      port: 0,
      async stop() {
        await mail.poller?.stop();
        await closeStorage();
      },
    };
  }
  const cedulas = cedulaStore!;
  const reportSource = new MongoReportSource(storage.db);
  await reportSource.ensureIndexes();
  const reports = reportReads({
    source: reportSource,
    directory: directoryStore,
    desk: directoryStore,
    zone: config.defaultTimeZone,
    logger: componentLogger(root, 'reports'),
  });
  // One feed of order changes (any channel, any instance): Mesa's pages and the Teams cards follow it.
  const changes = new OrderChangeFeed(storage.db, { intervalMs: 500, logger: componentLogger(root, 'desk') });
  const teams = createTeamsBot({
    bot: config.bot,
    db: storage.db,
    services,
    logger: componentLogger(root, 'bot'),
    centres: async () => (await directoryStore.snapshot()).centres.map((c) => ({ id: c.id, name: c.name })),
    reports,
    publicBaseUrl: config.publicBaseUrl,
    changes,
  });
  const issuer = new CedulaIssuer({
    store: cedulas,
    directory: directoryStore,
    desk: directoryStore,
    secret: cedulaSecret!,
    logger: componentLogger(root, 'cedula'),
  });
  const sessionWarning = sessionSecretWarning(config.desk.sessionSecret);
  if (sessionWarning) componentLogger(root, 'desk').warn(sessionWarning);
  const http: HttpService = createHttpService({
    logger: componentLogger(root, 'http'),
    apiToken: config.apiToken,
    orders: orderReadsFromStore(orderStore),
    reports,
    intake: intakeReadsFrom(mail.store, mail),
    heldMails: mail.held,
    cedula: cedulaReads(cedulas, (code) => verifyCedula({ store: cedulas, secret: cedulaSecret! }, code)),
    files: { reads: gridFsFileReads(storage.db, orderStore), secret: cedulaSecret! },
    health: {
      ping: async () => {
        await storage.db.command({ ping: 1 });
      },
      mailState: mail.state,
      mailStats: mail.stats,
    },
    botEndpoint: teams.endpoint,
    metrics,
    providerActions: { secret: cedulaSecret!, uses: new MongoLinkUses(storage.db), services },
    desk: {
      services,
      auth: {
        sessions: new DeskSessions(config.desk.sessionSecret),
        entra: config.desk.entra ? new EntraTokenVerifier(config.desk.entra) : undefined,
        directory,
      },
      desk: directoryStore,
      changes,
      intake: intakeReadsFrom(mail.store, mail),
      heldMails: mail.held,
      reports,
      staticDir: config.desk.staticDir,
      host: config.host,
      directoryList: async () =>
        (await directoryStore.snapshot()).people
          .map((p) => ({ id: p.id, name: p.name, roles: p.roles }))
          .sort((a, b) => a.name.localeCompare(b.name, 'es')),
      secureCookies: config.publicBaseUrl?.startsWith('https:') ?? false,
      oidc:
        config.desk.entra?.clientSecret !== undefined
          ? {
              issuer: config.desk.entra.oidcIssuer,
              clientId: config.desk.entra.clientId,
              clientSecret: config.desk.entra.clientSecret,
              publicBaseUrl: config.publicBaseUrl,
            }
          : undefined,
    },
  });
  const loop = outboxLoop(
    storage.db,
    [teams.channel, ...(mail.channel ? [mail.channel] : []), ...extraChannels],
    config,
    componentLogger(root, 'outbox'),
    (o, n) => metrics.notices.inc({ channel: o.channel ?? 'none', outcome: o.outcome }, n),
  );
  const reminders = new ValidationReminder({
    store: new MongoReminderStore(storage.db),
    intervalMs: config.notifications.validationReminderMs,
    logger: componentLogger(root, 'reminders'),
  });
  const sla = new SlaMonitor({
    store: new MongoSlaStore(storage.db, slaCountObserver(metrics)),
    directory: directoryStore,
    analystRouting: config.notifications.analystRouting,
    desk: directoryStore,
    zone: config.defaultTimeZone,
    logger: componentLogger(root, 'sla'),
  });
  const port = await http.listen(config.port, config.host);
  mail.poller?.start();
  loop.start();
  sla.start();
  reminders.start();
  issuer.start();
  metricsReconciler.start();
  root.info({ port, host: config.host }, 'listening');
  return {
    port,
    async stop() {
      await http.close();
      changes.stop();
      await mail.poller?.stop();
      await metricsReconciler.stop();
      await issuer.stop();
      await reminders.stop();
      await sla.stop();
      await loop.stop();
      await closeStorage();
    },
  };
}

interface MailWiring {
  store: IntakeStore;
  sender?: SmtpMailSender;
  channel?: NotificationChannel;
  poller?: MailPoller;
  held?: HeldMailActions;
  state(): string;
  stats(): IntakeStats | undefined;
}

/**
 * SMTP_HOST set: the pooled sender and the email channel. IMAP_HOST set: the poller of the
 * desk mailbox (not started yet), serving the domains of MAIL_ALLOWED_DOMAINS or else those
 * of the directory, checking senders by the receiving server's Authentication-Results
 * (MAIL_AUTHSERV_ID) or else by DKIM/SPF/DMARC through the system resolver.
 */
async function wireMail(
  config: Config,
  db: Db,
  services: OrderServices,
  directory: MongoDirectoryStore,
  log: Logger,
  cedulaPdfs?: CedulaPdfs,
  providerMail?: (order: ServiceOrder, email: string) => Promise<string[]>,
): Promise<MailWiring> {
  const store = new IntakeStore(db);
  await store.ensureIndexes();
  // One token for both IMAP and SMTP: same mailbox, same scope, renewed before it expires.
  const accessToken = config.mailOAuth
    ? createTokenProvider({ acquire: msalAcquirer(config.mailOAuth), logger: log })
    : undefined;
  const sender = config.smtp ? new SmtpMailSender({ ...config.smtp, accessToken }) : undefined;
  const channel = sender
    ? new EmailChannel({
        sender,
        directory: services.directory,
        refs: store,
        cedulaPdfs,
        publicBaseUrl: config.publicBaseUrl,
        providerMail,
        fileLink: services.fileLink,
      })
    : undefined;
  const imap = config.imap;
  if (!imap) return { store, sender, channel, state: () => 'disabled', stats: () => undefined };
  const known = await directory.snapshot();
  // Directory addresses are schema-checked, so each has a domain; the filter only narrows the type.
  const domains = [...known.people.map((p) => p.email), ...known.providers.flatMap((p) => p.contactEmails)].flatMap(
    (e) => e.split('@')[1] ?? [],
  );
  const handle: HandleMailDeps = {
    orders: services.orders,
    directory: services.directory,
    policy: services.policy,
    analystRouting: services.analystRouting,
    assets: services.assets,
    assetOrders: services.assetOrders,
    inventoryPattern: services.inventoryPattern,
    store,
    sender,
    auth: createAuthenticator(
      config.mail.authservId
        ? { mode: 'received', authservId: config.mail.authservId }
        : { mode: 'mailauth', resolver: (name, rrtype) => dns.resolve(name, rrtype) },
    ),
    rules: {
      ...DEFAULT_RULES,
      ownAddresses: [imap.user, config.smtp?.from].filter((a): a is string => Boolean(a)).map((a) => a.toLowerCase()),
      allowedDomains: [...new Set(config.mail.allowedDomains ?? domains)],
      maxPerSenderPerHour: config.mail.maxPerSenderPerHour,
      timeZone: config.defaultTimeZone,
    },
  };
  const source = () =>
    new ImapMailSource({
      host: imap.host,
      port: imap.port,
      secure: imap.secure,
      user: imap.user,
      password: imap.password,
      accessToken,
      logger: log,
    });
  const heldDeps: HeldMailDeps = { handle, source, folders: config.mail.folders };
  const held: HeldMailActions = {
    release: async (key) => {
      const d = await releaseHeldMail(heldDeps, { key });
      return { outcome: d.outcome, folder: d.folder, orderId: d.orderId?.toHexString(), reason: d.reason };
    },
    discard: (key, actor, reason) => discardHeldMail(heldDeps, { key, actor, reason }),
  };
  const poller = new MailPoller({
    deps: handle,
    source,
    mailbox: imap.mailbox,
    account: imap.user,
    folders: config.mail.folders,
    logger: log,
    leaseMs: config.mail.leaseMs,
  });
  return { store, sender, channel, poller, held, state: () => poller.stats().state, stats: () => poller.stats() };
}

function outboxLoop(
  db: Db,
  channels: NotificationChannel[],
  config: Config,
  log: Logger,
  onOutcome?: DispatcherOptions['onOutcome'],
): OutboxLoop {
  const { digestWindowMs, teamsAttemptsBeforeEmail, concurrency, leaseMs } = config.notifications;
  const dispatcher =
    channels.length > 0
      ? new OutboxDispatcher({
          db,
          logger: log,
          channels,
          onOutcome,
          digestWindowMs,
          fallbackAfterAttempts: teamsAttemptsBeforeEmail,
          concurrency,
          leaseMs,
        })
      : undefined;
  dispatcher
    ?.ensureIndexes()
    .catch((error: unknown) => log.error({ err: error }, 'could not create the notification indexes'));
  if (!dispatcher) log.warn('no notification channel registered: notices are queued and wait for one');
  const relay = new OutboxRelay({
    db,
    logger: log,
    ...(dispatcher && digestWindowMs > 0 ? { digestAllowance: DEFAULT_DIGEST_ALLOWANCE } : {}),
  });
  return new OutboxLoop({ relay, dispatcher, logger: log });
}
