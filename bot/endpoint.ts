import { CloudAdapter, ConfigurationBotFrameworkAuthentication, ConfigurationBotFrameworkAuthenticationOptions } from 'botbuilder';
import type { Db } from 'mongodb';
import type { Request, Response } from 'restify';
import type { Config } from '../services/config';
import type { Logger } from '../services/logger';
import { DeskBot, OrderLookup } from './desk-bot';
import { REPLIES } from './replies';

export interface BotEndpointDeps {
  bot: Config['bot'];
  db: Db;
  orders: OrderLookup;
  logger: Logger;
}

/** Handles `POST /api/messages`; botbuilder types stay inside bot/. */
export type BotEndpoint = (req: Request, res: Response) => Promise<void>;

const UNAUTHORIZED = { error: { code: 'UNAUTHENTICATED', message: 'La solicitud no trae una credencial válida del servicio de bots.' } };

/**
 * Bot Framework tokens are RS256-signed JWTs. Anything else is refused here, before
 * botbuilder would fetch signing keys (OpenID metadata) from the internet to look at it.
 */
export function looksLikeBotFrameworkToken(header: string | undefined): boolean {
  const match = /^Bearer ([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(header ?? '');
  if (!match) return false;
  try {
    const jose = JSON.parse(Buffer.from(match[1], 'base64url').toString('utf8')) as { alg?: unknown };
    return jose.alg === 'RS256';
  } catch {
    return false;
  }
}

function authOptions(bot: Config['bot']): ConfigurationBotFrameworkAuthenticationOptions {
  const options: Record<string, string> = {};
  if (bot.appId) options.MicrosoftAppId = bot.appId;
  if (bot.appPassword) options.MicrosoftAppPassword = bot.appPassword;
  if (bot.tenantId) options.MicrosoftAppTenantId = bot.tenantId;
  if (bot.appType) options.MicrosoftAppType = bot.appType;
  return options as ConfigurationBotFrameworkAuthenticationOptions;
}

/**
 * Wires botbuilder's CloudAdapter with ConfigurationBotFrameworkAuthentication. Without
 * MicrosoftAppId the adapter accepts unauthenticated activities (local emulator only); with
 * it, every request must carry a valid Bot Framework token or is answered 401.
 */
export function createBotEndpoint(deps: BotEndpointDeps): BotEndpoint {
  const log = deps.logger;
  const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication(authOptions(deps.bot)));
  adapter.onTurnError = async (context, error) => {
    log.error({ err: error, activityId: context.activity.id }, 'bot turn failed');
    await context.sendActivity(REPLIES.turnError).catch(() => undefined);
  };
  const bot = new DeskBot({ db: deps.db, orders: deps.orders, logger: log });
  return async (req, res) => {
    if (deps.bot.appId && !looksLikeBotFrameworkToken(req.headers.authorization)) {
      log.warn({ hasAuthorization: Boolean(req.headers.authorization) }, 'bot request refused before token validation');
      res.send(401, UNAUTHORIZED);
      return;
    }
    await adapter.process(req, res, (context) => bot.run(context));
  };
}
