import {
  Activity,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  ConfigurationBotFrameworkAuthenticationOptions,
} from 'botbuilder';
import { MicrosoftAppCredentials } from 'botframework-connector';
import type { Db } from 'mongodb';
import type { Request, Response } from 'restify';
import type { Config } from '../services/config';
import type { Logger } from '../services/logger';
import type { OrderServices } from '../services/orders/order-services';
import type { NotificationChannel } from '../services/outbox/types';
import type { ReportReads } from '../services/reports/report-routes';
import { ensureConversationRefIndexes } from './conversation-refs';
import { DeskBot } from './desk-bot';
import { MongoStorage } from './mongo-storage';
import { REPLIES } from './replies';
import { sendError, refuse } from '../services/http/respond';
import { parseActivity } from './activity-shape';
import { serviceUrlPolicy } from './service-urls';
import { TeamsNotificationChannel } from './teams-channel';
import { LiveCards, OrderChanges } from './live-cards';
import { fileHostsFor } from './teams-files';
import { AttachmentFiles } from '../services/files/attachment-files';

export interface BotEndpointDeps {
  bot: Config['bot'];
  db: Db;
  logger: Logger;
  /** The use cases' stores and rules; the bot and its notification channel read this directory. */
  services: OrderServices;
  /** Every centre, for people who may report for any of them. */
  centres(): Promise<Array<{ id: string; name: string }>>;
  /**
   * Where botbuilder fetches the Bot Framework signing keys. Leave unset in production (the
   * public Bot Framework endpoint); tests point it at a loopback stand-in so the real token
   * check runs without internet.
   */
  openIdMetadataUrl?: string;
  /** The SLA report of the read API, for the analysts' `reporte` command. */
  reports?: ReportReads;
  /** PUBLIC_BASE_URL, for absolute links on notice cards. */
  publicBaseUrl?: string;
  /** Changes to orders from every channel and instance: the cards already sent follow them. */
  changes?: OrderChanges;
}

/** Handles `POST /api/messages`; botbuilder types stay inside bot/. */
export type BotEndpoint = (req: Request, res: Response) => Promise<void>;

const UNAUTHORIZED = {
  error: { code: 'UNAUTHENTICATED', message: 'La solicitud no trae una credencial válida del servicio de bots.' },
};

/**
 * Bot Framework tokens are RS256-signed JWTs. Anything else is refused here, before
 * botbuilder would fetch signing keys (OpenID metadata) from the internet to look at it.
 */
export function looksLikeBotFrameworkToken(header: string | undefined): boolean {
  const match = /^Bearer ([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(header ?? '');
  const header64 = match?.[1];
  if (header64 === undefined) return false;
  try {
    const jose = JSON.parse(Buffer.from(header64, 'base64url').toString('utf8')) as { alg?: unknown };
    return jose.alg === 'RS256';
  } catch {
    return false;
  }
}

/**
 * Runs botbuilder's own token validation before the turn. CloudAdapter answers 500 when a
 * signature is wrong (it rethrows the JWT library's error); this turns every failed check
 * into 401. The adapter validates again (signing keys are cached), which keeps invoke
 * responses working unchanged.
 */
async function authenticated(
  auth: ConfigurationBotFrameworkAuthentication,
  req: Request,
  log: Logger,
): Promise<boolean> {
  const activity = req.body as Activity | undefined;
  if (!activity || typeof activity !== 'object') return true; // the adapter answers 400
  try {
    await auth.authenticateRequest(activity, req.headers.authorization ?? '');
    return true;
  } catch (error) {
    log.warn(
      { reason: error instanceof Error ? error.message : String(error), activityId: activity.id },
      'bot token refused',
    );
    return false;
  }
}

function publicCloudWith(openIdMetadataUrl: string): Record<string, string> {
  return {
    ToBotFromChannelOpenIdMetadataUrl: openIdMetadataUrl,
    ToBotFromEmulatorOpenIdMetadataUrl: openIdMetadataUrl,
    ToBotFromChannelTokenIssuer: 'https://api.botframework.com',
    ToChannelFromBotLoginUrl: 'https://login.microsoftonline.com/botframework.com',
    ToChannelFromBotOAuthScope: 'https://api.botframework.com',
    OAuthUrl: 'https://api.botframework.com',
    CallerId: 'urn:botframework:azure',
  };
}

function authOptions(bot: Config['bot'], openIdMetadataUrl?: string): ConfigurationBotFrameworkAuthenticationOptions {
  const options: Record<string, string> = {};
  // Setting any endpoint makes botbuilder take every endpoint from here: give the public-cloud ones.
  if (openIdMetadataUrl) Object.assign(options, publicCloudWith(openIdMetadataUrl));
  if (bot.appId) options.MicrosoftAppId = bot.appId;
  if (bot.appPassword) options.MicrosoftAppPassword = bot.appPassword;
  if (bot.tenantId) options.MicrosoftAppTenantId = bot.tenantId;
  if (bot.appType) options.MicrosoftAppType = bot.appType;
  return options as ConfigurationBotFrameworkAuthenticationOptions;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host.slice(0, 255);
  } catch {
    return '(not a URL)';
  }
}

/**
 * The bot's own token, which Teams asks for to download an image pasted in a chat. Without
 * an app password (the local emulator, a managed identity) no token is sent.
 */
function botTokenFor(bot: Config['bot']): (() => Promise<string | undefined>) | undefined {
  if (!bot.appId || !bot.appPassword) return undefined;
  const credentials = new MicrosoftAppCredentials(
    bot.appId,
    bot.appPassword,
    bot.appType === 'SingleTenant' ? bot.tenantId : undefined,
  );
  return () => credentials.getToken();
}

/** The Teams side of the service: the HTTP endpoint and the outbox channel, sharing one adapter. */
export interface TeamsBot {
  endpoint: BotEndpoint;
  channel: NotificationChannel;
}

/**
 * Wires botbuilder's CloudAdapter with ConfigurationBotFrameworkAuthentication. Without
 * MicrosoftAppId the adapter accepts unauthenticated activities (local emulator only); with
 * it, every request must carry a valid Bot Framework token or is answered 401.
 */
export function createTeamsBot(deps: BotEndpointDeps): TeamsBot {
  const log = deps.logger;
  const auth = new ConfigurationBotFrameworkAuthentication(authOptions(deps.bot, deps.openIdMetadataUrl));
  const adapter = new CloudAdapter(auth);
  adapter.onTurnError = async (context, error) => {
    log.error({ err: error, activityId: context.activity.id }, 'bot turn failed');
    await context.sendActivity(REPLIES.turnError).catch(() => undefined);
  };
  const { directory, timeZone } = deps.services;
  const serviceUrls = serviceUrlPolicy(deps.bot);
  const liveCards = new LiveCards({
    adapter,
    appId: deps.bot.appId ?? '',
    db: deps.db,
    directory,
    timeZone,
    logger: log,
    allows: (url) => serviceUrls.allows(url),
    fileLink: deps.services.fileLink,
    orders: deps.services.orders,
  });
  liveCards.ensureIndexes().catch((error: unknown) => log.error({ err: error }, 'sent card index not created'));
  if (deps.changes) liveCards.follow(deps.changes);
  const bot = new DeskBot({
    db: deps.db,
    storage: new MongoStorage(deps.db),
    services: deps.services,
    centres: deps.centres,
    logger: log,
    tenantId: deps.bot.tenantId,
    reports: deps.reports,
    liveCards,
    files: {
      files: new AttachmentFiles(deps.db),
      hosts: fileHostsFor(deps.bot),
      botToken: botTokenFor(deps.bot),
      logger: log.child({ component: 'teams-files' }),
    },
  });
  ensureConversationRefIndexes(deps.db).catch((error: unknown) =>
    log.error({ err: error }, 'conversation reference index not created'),
  );
  const channel = new TeamsNotificationChannel({
    adapter,
    appId: deps.bot.appId ?? '',
    db: deps.db,
    directory,
    timeZone,
    logger: log,
    publicBaseUrl: deps.publicBaseUrl,
    serviceUrls,
    liveCards,
    fileLink: deps.services.fileLink,
  });
  const endpoint: BotEndpoint = async (req, res) => {
    if (deps.bot.appId && !looksLikeBotFrameworkToken(req.headers.authorization)) {
      log.warn({ hasAuthorization: Boolean(req.headers.authorization) }, 'bot request refused before token validation');
      res.send(401, UNAUTHORIZED);
      return;
    }
    try {
      req.body = parseActivity(req.body);
    } catch (error) {
      log.warn({ reason: error instanceof Error ? error.message : String(error) }, 'malformed activity refused');
      sendError(res, error, log);
      return;
    }
    if (deps.bot.appId && !(await authenticated(auth, req, log))) {
      res.send(401, UNAUTHORIZED);
      return;
    }
    const activity = req.body as Activity;
    // Replies and member look-ups go to the serviceUrl: only a connector the deployment
    // named may be called, and only its answers are believed.
    if (!serviceUrls.allows(activity.serviceUrl)) {
      log.warn(
        { activityId: activity.id, serviceUrlHost: hostOf(activity.serviceUrl), allowed: serviceUrls.description },
        'activity from a connector address not allowed',
      );
      refuse(res, 403, 'FORBIDDEN', 'La actividad proviene de un servicio de conexión no autorizado para este bot.');
      return;
    }
    await adapter.process(req, res, (context) => bot.run(context));
  };
  return { endpoint, channel };
}
