import { MongoDirectoryStore } from '../../../services/directory/directory-store';
import { parseDirectory } from '../../../services/directory/validate';
import { orderReadsFromStore } from '../../../services/http/order-reads';
import { createHttpService, HttpService } from '../../../services/http/server';
import { MongoOrderStore } from '../../../services/orders/order-store';
import type { NotificationChannel } from '../../../services/outbox/types';
import { createTeamsBot } from '../../../bot/endpoint';
import { OrderChangeFeed } from '../../../services/desk/change-feed';
import { fileLinker } from '../../../services/files/file-links';
import { gridFsFileReads } from '../../../services/files/file-routes';
import { openTestDatabase, TestDatabase } from '../../support/mongo';
import { botServices } from '../../support/order-services';
import { quietLogger } from '../../services/outbox/fixtures';
import type { Card } from './cards';
import { ConnectorPost, startConnector } from './connector';
import { aadOf, botDirectoryJson } from './world';

/**
 * The bot behind the real HTTP service on a loopback port (CloudAdapter, no app id: the
 * emulator mode), the example directory, and a Bot Connector stand-in that records what
 * the bot posts and updates.
 */
export interface HttpBotWorld {
  tdb: TestDatabase;
  directory: MongoDirectoryStore;
  store: MongoOrderStore;
  connector: Awaited<ReturnType<typeof startConnector>>;
  /** The Teams notification channel sharing the endpoint's adapter. */
  channel: NotificationChannel;
  baseUrl: string;
  chat(personId: string): HttpChat;
  close(): Promise<void>;
}

/**
 * `followChanges`: the bot's cards follow the database's order changes (the service's
 * change feed, polled every 100 ms), as they do in the service. `fileSecret`: cards carry
 * signed links to files, served by the same HTTP service (`GET /files/<token>`).
 */
export async function openHttpBotWorld(
  options: { followChanges?: boolean; fileSecret?: string } = {},
): Promise<HttpBotWorld> {
  const tdb = await openTestDatabase();
  const directory = new MongoDirectoryStore(tdb.client, tdb.db);
  const store = new MongoOrderStore(tdb.db);
  await directory.ensureIndexes();
  await store.ensureIndexes();
  await directory.replaceAll(parseDirectory(botDirectoryJson()));
  const connector = await startConnector();
  const logger = quietLogger();
  const changes = options.followChanges ? new OrderChangeFeed(tdb.db, { intervalMs: 100, logger }) : undefined;
  const extra = options.fileSecret ? { fileLink: fileLinker(options.fileSecret) } : {};
  const bot = createTeamsBot({ bot: {}, db: tdb.db, logger, ...botServices(store, directory, extra), changes });
  let http: HttpService | undefined;
  try {
    http = createHttpService({
      logger,
      orders: orderReadsFromStore(store),
      health: { ping: async () => undefined, mailState: () => 'disabled', timeoutMs: 1500 },
      botEndpoint: bot.endpoint,
      ...(options.fileSecret ? { files: { reads: gridFsFileReads(tdb.db, store), secret: options.fileSecret } } : {}),
    });
    const port = await http.listen(0, '127.0.0.1');
    const baseUrl = `http://127.0.0.1:${port}`;
    return {
      tdb,
      directory,
      store,
      connector,
      channel: bot.channel,
      baseUrl,
      chat: (personId) => new HttpChat(baseUrl, connector, personId),
      async close() {
        changes?.stop();
        await http?.close();
        await connector.close();
        await tdb.close();
      },
    };
  } catch (error) {
    changes?.stop();
    await http?.close().catch(() => undefined);
    await connector.close();
    await tdb.close();
    throw error;
  }
}

let sequence = 0;

/** One directory person's 1:1 Teams chat with the bot, over HTTP. */
export class HttpChat {
  readonly conversationId: string;

  constructor(
    private readonly baseUrl: string,
    private readonly connector: HttpBotWorld['connector'],
    readonly personId: string,
  ) {
    this.conversationId = `a:chat-${personId}`;
  }

  private activity(extra: Record<string, unknown>) {
    sequence += 1;
    return {
      type: 'message',
      id: `act-${sequence}`,
      channelId: 'msteams',
      serviceUrl: this.connector.url,
      locale: 'es-MX',
      timestamp: new Date().toISOString(),
      from: { id: `29:${this.personId}`, name: this.personId, aadObjectId: aadOf(this.personId) },
      recipient: { id: '28:bot', name: 'Mesa de Servicio' },
      conversation: { id: this.conversationId, conversationType: 'personal', tenantId: 'tenant-cjf' },
      ...extra,
    };
  }

  private async post(body: unknown): Promise<Response> {
    return fetch(`${this.baseUrl}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  /** Sends a message (text, or a card submit's value) and returns what the bot posted back to this chat. */
  async say(input: string | Record<string, unknown>): Promise<ConnectorPost['body'][]> {
    const before = this.connector.posts.length;
    const res = await this.post(this.activity(typeof input === 'string' ? { text: input } : input));
    expect(res.status).toBeLessThan(300);
    return this.connector.posts
      .slice(before)
      .filter((p) => p.conversationId === this.conversationId)
      .map((p) => p.body);
  }

  /** Every text the bot posted back, joined. */
  async text(input: string | Record<string, unknown>): Promise<string> {
    return (await this.say(input)).map((b) => b.text ?? '').join('\n');
  }

  /** An Action.Execute from a card; returns the card the bot answers with. */
  async execute(data: Record<string, unknown>, replyToId?: string): Promise<Card> {
    const res = await this.post(
      this.activity({
        type: 'invoke',
        name: 'adaptiveCard/action',
        replyToId,
        value: { action: { type: 'Action.Execute', verb: String(data.verb ?? ''), data } },
      }),
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as { statusCode: number; type: string; value: Card };
    expect(body.type).toBe('application/vnd.microsoft.card.adaptive');
    return body.value;
  }
}

/** The cards in what the bot posted. */
export const cardsIn = (bodies: ConnectorPost['body'][]): Card[] =>
  bodies.flatMap((b) =>
    (b.attachments ?? [])
      .filter((a) => a.contentType === 'application/vnd.microsoft.card.adaptive')
      .map((a) => a.content),
  );
