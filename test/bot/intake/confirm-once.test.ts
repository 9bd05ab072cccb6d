import { randomUUID } from 'node:crypto';
import type { StoreItems } from 'botbuilder';
import { createTeamsBot } from '../../../bot/endpoint';
import { MongoStorage } from '../../../bot/mongo-storage';
import { createHttpService, HttpService } from '../../../services/http/server';
import { orderReadsFromStore } from '../../../services/http/order-reads';
import type { ServiceOrder } from '../../../services/orders/types';
import { quietLogger } from '../../services/outbox/fixtures';
import { startConnector } from '../support/connector';
import { DeskBot } from '../../../bot/desk-bot';
import { botServices } from '../../support/order-services';
import { aadOf, BotWorld, Chat, openBotWorld, userOf } from '../support/world';

type Connector = Awaited<ReturnType<typeof startConnector>>;

/** The bot behind the real HTTP service (restify + CloudAdapter) on a free loopback port. */
async function startBot(w: BotWorld): Promise<{ url: string; http: HttpService }> {
  const logger = quietLogger();
  const teams = createTeamsBot({ bot: {}, db: w.tdb.db, logger, ...botServices(w.store, w.directory) });
  const http = createHttpService({
    logger,
    orders: orderReadsFromStore(w.store),
    botEndpoint: teams.endpoint,
    health: { ping: async () => undefined, mailState: () => 'disabled', timeoutMs: 1500 },
  });
  const port = await http.listen(0, '127.0.0.1');
  return { url: `http://127.0.0.1:${port}/api/messages`, http };
}

function message(
  connector: Connector,
  conversationId: string,
  personId: string,
  extra: Record<string, unknown>,
  id = randomUUID(),
) {
  return {
    type: 'message',
    id,
    channelId: 'msteams',
    serviceUrl: connector.url,
    locale: 'es-MX',
    timestamp: new Date().toISOString(),
    from: { id: `29:${personId}`, name: personId, aadObjectId: aadOf(personId) },
    recipient: { id: '28:bot', name: 'Mesa de Servicio' },
    conversation: { id: conversationId, conversationType: 'personal' },
    ...extra,
  };
}

async function post(url: string, body: unknown): Promise<number> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await res.arrayBuffer();
  return res.status;
}

const FOLIO = /OS-\d{4}-\d{6}/g;
/** Folios the bot wrote to one conversation, in order. */
const foliosTo = (connector: Connector, conversationId: string) =>
  connector.posts.filter((p) => p.conversationId === conversationId).flatMap((p) => p.body.text?.match(FOLIO) ?? []);
const textsTo = (connector: Connector, conversationId: string) =>
  connector.posts.filter((p) => p.conversationId === conversationId).map((p) => p.body.text ?? '');

describe('intake confirmation over HTTP', () => {
  let w: BotWorld;
  let connector: Connector;
  let bot: { url: string; http: HttpService } | undefined;
  const orders = () => w.tdb.db.collection<ServiceOrder>('orders');

  beforeAll(async () => {
    w = await openBotWorld();
    connector = await startConnector();
    bot = await startBot(w);
  });
  afterAll(async () => {
    await bot?.http.close();
    await connector?.close();
    await w?.close();
  });

  /** A fresh conversation brought to the summary card, ready for «confirmar». */
  async function atSummary(conversationId: string, personId = 'fernando.ruiz'): Promise<void> {
    expect(
      await post(
        bot!.url,
        message(connector, conversationId, personId, {
          text: 'la impresora de la sala 3 no imprime, inventario CJF-1234',
        }),
      ),
    ).toBe(200);
    // Fernando has open orders from earlier cases: he says this one is a new report.
    if (!textsTo(connector, conversationId).join('\n').includes('Revisa los datos'))
      expect(await post(bot!.url, message(connector, conversationId, personId, { value: { followUp: 'new' } }))).toBe(
        200,
      );
    expect(textsTo(connector, conversationId).join('\n')).toMatch(/Revisa los datos/);
  }

  it.each([
    ['typed «confirmar» with one activity id', { text: 'confirmar' }, true],
    ['typed «confirmar» with two activity ids', { text: 'confirmar' }, false],
    ["the summary card's confirm", { value: { intake: 'confirm' } }, true],
  ])('makes one order and answers both with its folio when %s arrives twice at once', async (_what, extra, sameId) => {
    const conversationId = `a:twice-${randomUUID()}`;
    await atSummary(conversationId);
    const before = await orders().countDocuments();
    const id = randomUUID();
    const statuses = await Promise.all(
      [0, 1].map(() =>
        post(bot!.url, message(connector, conversationId, 'fernando.ruiz', extra, sameId ? id : randomUUID())),
      ),
    );
    expect(statuses).toEqual([200, 200]);
    expect(await orders().countDocuments()).toBe(before + 1);
    const folios = foliosTo(connector, conversationId);
    expect(folios).toHaveLength(2);
    expect(folios[0]).toBe(folios[1]);
    expect(await orders().countDocuments({ folio: folios[0] })).toBe(1);
    expect(textsTo(connector, conversationId).join('\n')).not.toMatch(/ocurrió un error/i);
  });

  it('answers a confirmation retried after it was answered (same activity id) with the folio already given', async () => {
    const conversationId = `a:retry-${randomUUID()}`;
    await atSummary(conversationId);
    const confirm = message(connector, conversationId, 'fernando.ruiz', { text: 'confirmar' });
    expect(await post(bot!.url, confirm)).toBe(200);
    const before = await orders().countDocuments();
    expect(await post(bot!.url, confirm)).toBe(200);
    expect(
      await post(bot!.url, message(connector, conversationId, 'fernando.ruiz', { value: { intake: 'confirm' } })),
    ).toBe(200);
    expect(await orders().countDocuments()).toBe(before);
    const folios = foliosTo(connector, conversationId);
    expect(folios).toHaveLength(3);
    expect(new Set(folios).size).toBe(1);
  });

  it('finds the order it already made when the confirmation is sent again after the turn died before saving the dialog', async () => {
    /** Storage that loses its next save, as a crash between the order insert and the state save would. */
    class FailingOnce extends MongoStorage {
      armed = false;
      override async write(changes: StoreItems): Promise<void> {
        if (this.armed) {
          this.armed = false;
          throw new Error('process died before the dialog state was saved');
        }
        return super.write(changes);
      }
    }
    const storage = new FailingOnce(w.tdb.db);
    const bot = new DeskBot({
      db: w.tdb.db,
      storage,
      logger: quietLogger(),
      ...botServices(w.store, w.directory),
    });
    const chat = new Chat(bot, userOf('maria.hernandez'), `a:crash-${randomUUID()}`);
    expect(await chat.text('la impresora de la sala 2 no imprime, inventario CJF-55')).toMatch(/Revisa los datos/);
    const before = await orders().countDocuments();
    storage.armed = true;
    const first = await chat.say('confirmar').catch((error: unknown) => error);
    expect(first).toBeInstanceOf(Error);
    expect(await orders().countDocuments()).toBe(before + 1);
    const made = (await orders().find({}).sort({ createdAt: -1 }).limit(1).toArray())[0]!;
    expect(await chat.text('confirmar')).toContain(made.folio);
    expect(await orders().countDocuments()).toBe(before + 1);
  });
});
