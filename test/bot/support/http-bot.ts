import { randomUUID } from 'node:crypto';
import { createTeamsBot } from '../../../bot/endpoint';
import { createHttpService, HttpService } from '../../../services/http/server';
import { orderReadsFromStore } from '../../../services/http/order-reads';
import type { OrderServices } from '../../../services/orders/order-services';
import { quietLogger } from '../../services/outbox/fixtures';
import { botServices } from '../../support/order-services';
import { ConnectorPost, startConnector } from './connector';
import type { Card } from './cards';
import { aadOf, BotWorld } from './world';

type Connector = Awaited<ReturnType<typeof startConnector>>;

/**
 * The bot behind the real HTTP service (restify + CloudAdapter) on a free loopback port,
 * replying through a loopback Bot Connector stand-in. Each person talks in their own
 * conversation; `say` returns what the bot posted there for that activity.
 */
export interface HttpBot {
  say(personId: string, extra: string | Record<string, unknown>): Promise<ConnectorPost['body'][]>;
  /** An Action.Execute from a card; the card the bot answers with. */
  execute(personId: string, data: Record<string, unknown>): Promise<Card>;
  close(): Promise<void>;
}

export async function startHttpBot(w: BotWorld, extra: Partial<OrderServices> = {}): Promise<HttpBot> {
  const logger = quietLogger();
  const connector: Connector = await startConnector();
  let http: HttpService | undefined;
  try {
    const teams = createTeamsBot({ bot: {}, db: w.tdb.db, logger, ...botServices(w.store, w.directory, extra) });
    http = createHttpService({
      logger,
      orders: orderReadsFromStore(w.store),
      botEndpoint: teams.endpoint,
      health: { ping: async () => undefined, mailState: () => 'disabled', timeoutMs: 1500 },
    });
  } catch (error) {
    await connector.close();
    throw error;
  }
  const port = await http.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${port}/api/messages`;
  const activity = (personId: string, body: Record<string, unknown>) => ({
    id: randomUUID(),
    channelId: 'msteams',
    serviceUrl: connector.url,
    locale: 'es-MX',
    timestamp: new Date().toISOString(),
    from: { id: `29:${personId}`, name: personId, aadObjectId: aadOf(personId) },
    recipient: { id: '28:bot', name: 'Mesa de Servicio' },
    conversation: { id: `a:${personId}`, conversationType: 'personal' },
    ...body,
  });
  const post = async (body: unknown) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`bot answered ${res.status}: ${text}`);
    return text ? (JSON.parse(text) as unknown) : undefined;
  };
  return {
    async say(personId, extra) {
      const before = connector.posts.length;
      const body = typeof extra === 'string' ? { text: extra } : extra;
      await post(activity(personId, { type: 'message', ...body }));
      return connector.posts
        .slice(before)
        .filter((p) => p.conversationId === `a:${personId}`)
        .map((p) => p.body);
    },
    async execute(personId, data) {
      const answer = (await post(
        activity(personId, {
          type: 'invoke',
          name: 'adaptiveCard/action',
          value: { action: { type: 'Action.Execute', verb: data.verb, data } },
        }),
      )) as { value: Card };
      return answer.value;
    },
    async close() {
      await http?.close();
      await connector.close();
    },
  };
}
