import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser, ParsedMail } from 'mailparser';
import { saveConversationReference } from '../../bot/conversation-refs';
import { loadConfig } from '../../services/config';
import { RunningService, startService } from '../../services/index';
import type { ServiceOrder } from '../../services/orders/types';
import type { NotificationDoc } from '../../services/outbox';
import { cardText, executeActions } from '../bot/support/cards';
import { startConnector } from '../bot/support/connector';
import { aadOf, botDirectoryJson } from '../bot/support/world';
import { Playground, PlaygroundUser, StreamMessage } from '../bot/e2e/playground';
import { PEOPLE, TENANT } from '../bot/e2e/world';
import { mailsIn, sendMail, silent } from '../intake/support/harness';
import { MailStack, MailUser, startMailStack } from '../support/mail-stack';
import { openTestDatabase, TestDatabase } from '../support/mongo';
import type { Teardown } from '../support/teardown';

export const DESK: MailUser = { user: 'escritorio@cjf.example.mx', password: 'clave' };

/** Every address of the example directory gets a mailbox, so no notice bounces. */
function mailUsers(directory: {
  people: Array<{ email: string }>;
  providers: Array<{ contactEmails: string[] }>;
}): MailUser[] {
  const emails = new Set([
    DESK.user,
    ...directory.people.map((p) => p.email),
    ...directory.providers.flatMap((p) => p.contactEmails),
  ]);
  return [...emails].map((user) => ({ user, password: 'clave' }));
}

/**
 * The running service (in this process), its database, the real mail stack and one Teams
 * emulator per person. Analysts on duty: ana.lopez (Teams) and carlos.ramirez, whose stored
 * Teams conversation answers 403 (a local Bot Connector stand-in), so his notices fall back
 * to email.
 */
export interface DayWorld {
  tdb: TestDatabase;
  stack: MailStack;
  service: RunningService;
  connector: Awaited<ReturnType<typeof startConnector>>;
  pg: Record<'requester' | 'analyst' | 'engineer' | 'judge', Playground>;
  dir: string;
}

/**
 * Starts the day's world, registering each part on `teardown` as soon as it runs, so the
 * suite's `afterAll` stops whatever came up even when this fails or times out half-way.
 */
export async function openDayWorld(teardown: Teardown, env: Record<string, string> = {}): Promise<DayWorld> {
  const dir = await teardown.add(mkdtempSync(join(tmpdir(), 'day-e2e-')), async (d) =>
    rmSync(d, { recursive: true, force: true }),
  );
  const directory = botDirectoryJson() as {
    people: Array<Record<string, unknown> & { email: string }>;
    providers: Array<{ contactEmails: string[] }>;
  };
  for (const p of directory.people) if (p.id === 'ana.lopez' || p.id === 'carlos.ramirez') p.onDuty = true;
  writeFileSync(join(dir, 'directory.json'), JSON.stringify(directory));
  const [tdb, stack, connector] = await Promise.all([
    openTestDatabase().then((t) => teardown.add(t, (x) => x.close())),
    startMailStack({ users: mailUsers(directory) }).then((m) => teardown.add(m, (x) => x.stop())),
    startConnector().then((c) => teardown.add(c, (x) => x.close())),
  ]);
  await saveConversationReference(
    tdb.db,
    {
      channelId: 'msteams',
      serviceUrl: connector.url,
      bot: { id: '28:bot', name: 'Mesa' },
      user: { id: '29:carlos', name: 'Carlos Ramírez' },
      conversation: { id: 'a:carlos', conversationType: 'personal', isGroup: false, name: '' },
    },
    aadOf('carlos.ramirez'),
    new Date(),
    'carlos.ramirez',
  );
  connector.statusFor.set('a:carlos', 403);
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    DATA_DIR: join(dir, 'data'),
    MONGODB_URI: tdb.uri.replace('/?', `/${tdb.dbName}?`),
    CEDULA_SECRET: 'e2e-cedula-secret-0123456789abcdef',
    DIRECTORY_FILE: join(dir, 'directory.json'),
    ANALYST_ROUTING: 'roster',
    // Every notice on its own, so each person's notices can be checked one by one; digests
    // are covered in test/services/outbox/batching.test.ts and test/bot/teams-channel.test.ts.
    NOTIFY_DIGEST_SECONDS: '0',
    IMAP_HOST: '127.0.0.1',
    IMAP_PORT: String(stack.imap.port),
    IMAP_SECURE: 'false',
    IMAP_USER: DESK.user,
    IMAP_PASSWORD: DESK.password,
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(stack.smtp.port),
    SMTP_SECURE: 'false',
    MAIL_FROM: DESK.user,
    MAIL_AUTHSERV_ID: 'mx.cjf.example.mx',
    ...env,
  });
  const service = await teardown.add(await startService(config, silent), (x) => x.stop());
  const botUrl = `http://127.0.0.1:${service.port}/api/messages`;
  const everyone = Object.values(PEOPLE);
  const open = async (person: PlaygroundUser) => {
    const pg = await teardown.add(
      new Playground(
        person,
        everyone.filter((p) => p.id !== person.id).slice(0, 5),
        `a:chat-${person.id}`,
        join(dir, person.id),
        TENANT,
      ),
      (x) => x.stop(),
    );
    await pg.start(botUrl);
    await pg.install();
    await pg.waitFor((m) => /Mesa de Servicio/.test(m.text ?? ''), Infinity);
    return pg;
  };
  const [requester, analyst, engineer, judge] = await Promise.all([
    open(PEOPLE.requester),
    open(PEOPLE.analyst),
    open(PEOPLE.engineer),
    open(PEOPLE.judge),
  ]);
  const pg = { requester, analyst, engineer, judge };
  return { tdb, stack, service, connector, pg, dir };
}

const cardOf = (m: StreamMessage) =>
  m.attachments?.find((a) => a.contentType === 'application/vnd.microsoft.card.adaptive')?.content;

/** Cards a person holds for an order: those pushed to their chat and those their own actions returned. */
export class CardHand {
  private readonly answered = new Map<string, { replyToId: string; card: Record<string, unknown> }>();

  constructor(readonly pg: Playground) {}

  /** The proactive cards about `folio` in this chat (one per notice). */
  notices(folio: string): StreamMessage[] {
    return this.pg.messages.filter(
      (m) => m.from === 'bot' && m.action === 'createMessage' && cardOf(m) && cardText(cardOf(m)!).includes(folio),
    );
  }

  /** Presses `verb` on the freshest card of `folio` offering it, with `inputs`; returns the card answered. */
  async act(
    folio: string,
    verb: string,
    inputs: Record<string, string> = {},
    timeoutMs = Infinity,
  ): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const candidates = [
        ...this.notices(folio).map((m) => ({ replyToId: m.id!, card: cardOf(m)! })),
        ...(this.answered.has(folio) ? [this.answered.get(folio)!] : []),
      ].flatMap((c) =>
        executeActions(c.card)
          .filter((a) => a.verb === verb)
          .map((a) => ({ ...c, action: a })),
      );
      const best = candidates.sort((a, b) => Number(b.action.data.version) - Number(a.action.data.version))[0];
      if (best) {
        const answer = await this.pg.execute(best.replyToId, verb, { ...best.action.data, ...inputs });
        const text = cardText(answer.value);
        if (!/Hecho:/.test(text)) throw new Error(`${this.pg.me.name} could not ${verb} ${folio}: ${text}`);
        this.answered.set(folio, { replyToId: best.replyToId, card: answer.value });
        return answer.value;
      }
      if (Date.now() > deadline) throw new Error(`${this.pg.me.name} holds no card of ${folio} offering ${verb}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** The folio the requester reads after reporting by chat. */
export async function reportByChat(pg: Playground, text: string): Promise<string> {
  const start = pg.messages.length;
  await pg.say(text);
  await pg.waitFor((m) => /número de inventario/.test(m.text ?? ''), Infinity, start);
  await pg.say('no sé');
  await pg.waitFor(
    (m) => /Revisa los datos|Resumen de tu reporte/.test(`${m.text ?? ''}${cardOf(m) ? cardText(cardOf(m)!) : ''}`),
    Infinity,
    start,
  );
  await pg.say('confirmar');
  const done = await pg.waitFor((m) => /folio \*\*OS-\d{4}-\d{6}\*\*/.test(m.text ?? ''), Infinity, start);
  return /OS-\d{4}-\d{6}/.exec(done.text!)![0];
}

export async function reportByMail(stack: MailStack, from: string, subject: string, text: string): Promise<void> {
  await sendMail(stack, {
    from,
    to: DESK.user,
    subject,
    text,
    messageId: `<${Date.now()}.${Math.random().toString(36).slice(2)}@cjf.example.mx>`,
  });
}

/** What the suite's waits are waiting for right now (see `until`), for the report of a test that timed out. */
const waiting = new Set<string>();
export const stillWaitingFor = (): string[] => [...waiting];

/**
 * Waits until `probe` finds what it looks for. It sets no deadline of its own unless given
 * one: how long the machine takes is not a guess a wait should make. The test's timeout
 * bounds it, and `stillWaitingFor` names what it was waiting for when that fired.
 */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs = Infinity,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  const entry = `${what} (since ${new Date().toISOString()})`;
  waiting.add(entry);
  try {
    for (;;) {
      const value = await probe();
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 150));
    }
  } finally {
    waiting.delete(entry);
  }
}

/** Waits until every notice owed so far has a final outcome (nothing in outboxes, nothing pending). */
export async function settled(w: DayWorld): Promise<void> {
  await until('the outbox to drain', async () => {
    const [outboxes, open] = await Promise.all([
      w.tdb.db.collection<ServiceOrder>('orders').countDocuments({ 'outbox.0': { $exists: true } }),
      w.tdb.db.collection<NotificationDoc>('notifications').countDocuments({ state: { $in: ['pending', 'claimed'] } }),
    ]);
    return outboxes === 0 && open === 0;
  });
}

export async function orderByFolio(w: DayWorld, folio: string): Promise<ServiceOrder> {
  return until(`order ${folio}`, () => w.tdb.db.collection<ServiceOrder>('orders').findOne({ folio }));
}

/** `recipient:event:outcome` for every notice of the order, sorted. */
export async function noticesOf(w: DayWorld, folio: string): Promise<string[]> {
  const order = await orderByFolio(w, folio);
  const docs = await w.tdb.db.collection<NotificationDoc>('notifications').find({ orderId: order._id }).toArray();
  return docs.map((n) => `${n.recipient.personId ?? n.recipient.email}:${n.event}:${n.outcome}`).sort();
}

/** Mails in a user's INBOX about `folio` (any folio when omitted), parsed. */
export async function mailsAbout(stack: MailStack, user: string, folio?: string): Promise<ParsedMail[]> {
  const parsed = await Promise.all((await mailsIn(stack, { user, password: 'clave' })).map((m) => simpleParser(m)));
  return parsed.filter((m) =>
    folio ? (m.subject ?? '').includes(`[${folio}]`) : /\[OS-\d{4}-\d{6}\]/.test(m.subject ?? ''),
  );
}
