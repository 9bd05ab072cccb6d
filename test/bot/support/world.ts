import { Activity, TestAdapter } from 'botbuilder';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MongoDirectoryStore } from '../../../services/directory/directory-store';
import { parseDirectory } from '../../../services/directory/validate';
import { MongoOrderStore } from '../../../services/orders/order-store';
import { DeskBot } from '../../../bot/desk-bot';
import { MongoStorage } from '../../../bot/mongo-storage';
import { openTestDatabase, TestDatabase } from '../../support/mongo';
import { botServices } from '../../support/order-services';
import { quietLogger } from '../../services/outbox/fixtures';

const EXAMPLE = join(__dirname, '../../../services/directory/example-directory.json');

/** A deterministic Teams AAD object id per directory person. */
export const aadOf = (personId: string): string => {
  let h = 0;
  for (const c of personId) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return `00000000-0000-4000-8000-${h.toString(16).padStart(12, '0')}`;
};

/** The example directory, with every person given an AAD object id (as a Teams tenant would). */
export function botDirectoryJson(): Record<string, unknown> {
  const json = JSON.parse(readFileSync(EXAMPLE, 'utf8')) as { people: Array<Record<string, unknown>> };
  for (const p of json.people) p.aadObjectId = aadOf(String(p.id));
  return json;
}

export interface BotWorld {
  tdb: TestDatabase;
  directory: MongoDirectoryStore;
  store: MongoOrderStore;
  /** A fresh bot instance over the same database (a restart of the service). */
  newBot(options?: { tenantId?: string }): DeskBot;
  close(): Promise<void>;
}

export async function openBotWorld(): Promise<BotWorld> {
  const tdb = await openTestDatabase();
  const directory = new MongoDirectoryStore(tdb.client, tdb.db);
  const store = new MongoOrderStore(tdb.db);
  await directory.ensureIndexes();
  await store.ensureIndexes();
  await directory.replaceAll(parseDirectory(botDirectoryJson()));
  return {
    tdb,
    directory,
    store,
    newBot: (options = {}) =>
      new DeskBot({
        db: tdb.db,
        storage: new MongoStorage(tdb.db),
        ...botServices(store, directory),
        logger: quietLogger(),
        tenantId: options.tenantId,
      }),
    close: () => tdb.close(),
  };
}

/** A user as Teams would present them: a known person (by directory id) or a stranger. */
export function userOf(personId: string | null, name = 'Persona Desconocida'): Partial<Activity> {
  return personId
    ? { from: { id: `29:${personId}`, name: personId, aadObjectId: aadOf(personId) } }
    : { from: { id: '29:stranger', name } };
}

/** One person's 1:1 chat with a bot instance; `say` returns every activity the bot sent back. */
export class Chat {
  readonly adapter: TestAdapter;

  constructor(bot: DeskBot, who: Partial<Activity>, conversationId = `a:${String(who.from?.id)}`) {
    this.adapter = new TestAdapter((context) => bot.run(context), {
      channelId: 'test',
      conversation: { id: conversationId, conversationType: 'personal', isGroup: false, name: '' },
      ...who,
    } as Partial<Activity>);
    this.adapter.locale = 'es-MX';
  }

  async say(input: string | Partial<Activity>): Promise<Partial<Activity>[]> {
    const activity = typeof input === 'string' ? { type: 'message', text: input } : { type: 'message', ...input };
    await this.adapter.receiveActivity(activity);
    return this.adapter.activeQueue.splice(0);
  }

  /** All texts of the replies, joined (for table assertions). */
  async text(input: string | Partial<Activity>): Promise<string> {
    return (await this.say(input)).map((a) => a.text ?? '').join('\n');
  }
}
