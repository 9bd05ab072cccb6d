import { botServices } from '../../support/order-services';
import { simpleParser } from 'mailparser';
import { createTeamsBot } from '../../../bot/endpoint';
import { saveConversationReference } from '../../../bot/conversation-refs';
import { CedulaIssuer } from '../../../services/cedula/cedula-issuer';
import { MongoCedulaStore } from '../../../services/cedula/cedula-store';
import { EmailChannel } from '../../../services/mail/email-channel';
import { SmtpMailSender } from '../../../services/mail/mail-sender';
import type { ServiceOrder } from '../../../services/orders/types';
import { NotificationDoc, OutboxDispatcher, OutboxRelay } from '../../../services/outbox';
import { EXAMPLE_DESK_TARGETS } from '../../support/desk-targets';
import { IntakeStore } from '../../../intake/intake-store';
import { startConnector } from '../../bot/support/connector';
import { mailsIn, waitFor } from '../../intake/support/harness';
import { guardLoopbackOnly } from '../../support/loopback-only';
import { MailStack, MailUser, startMailStack } from '../../support/mail-stack';
import { quietLogger } from '../outbox/fixtures';
import { openWorld, P, World } from '../orders/world';
import { closedThroughProvider, SECRET } from './support';

const BASE = 'https://mesa.example.gob.mx';
const DESK: MailUser = { user: 'mesa@cjf.example.mx', password: 'mesa' };
const REQUESTER: MailUser = { user: 'fernando.ruiz@cjf.example.mx', password: 'fernando' };
const JUDGE: MailUser = { user: 'patricia.garcia@cjf.example.mx', password: 'patricia' };

/**
 * The Cédula reaches the requester and the judge once issued: the requester (no Teams chat)
 * by mail through Exim and Dovecot with the PDF attached, the judge (a live chat) through a
 * Bot Connector stand-in with a card whose download and verify links are absolute.
 */
describe('Cédula delivery on closure', () => {
  const network = guardLoopbackOnly();
  let w: World;
  let stack: MailStack;
  let sender: SmtpMailSender;
  let connector: Awaited<ReturnType<typeof startConnector>>;
  let store: MongoCedulaStore;
  let order: ServiceOrder;

  beforeAll(async () => {
    [w, stack, connector] = await Promise.all([
      openWorld(),
      startMailStack({ users: [DESK, REQUESTER, JUDGE] }),
      startConnector(),
    ]);
    store = new MongoCedulaStore(w.t.db);
    await store.ensureIndexes();
    order = await closedThroughProvider(w);
    await new CedulaIssuer({
      store,
      directory: w.directory,
      desk: EXAMPLE_DESK_TARGETS,
      secret: SECRET,
      logger: quietLogger(),
    }).issueOnce();
    sender = new SmtpMailSender({ ...stack.smtp, secure: false, ignoreTLS: true, from: DESK.user });
  }, 120_000);
  afterAll(async () => {
    await sender?.close();
    await connector?.close();
    await stack?.stop();
    await w?.t.close();
    network.restore();
  });
  afterEach(() => {
    expect(network.attempts).toEqual([]);
  });

  it('mails the requester the PDF and shows the judge a card with the download link', async () => {
    await saveConversationReference(
      w.t.db,
      {
        channelId: 'msteams',
        serviceUrl: connector.url,
        bot: { id: '28:bot', name: 'Mesa' },
        user: { id: `29:${P.judge}`, name: P.judge },
        conversation: { id: 'a:judge', conversationType: 'personal', isGroup: false, name: '' },
      },
      undefined,
      new Date(),
      P.judge,
    );
    const { channel: teams } = createTeamsBot({
      bot: {},
      db: w.t.db,
      logger: quietLogger(),
      ...botServices(w.orders, w.directory),
      publicBaseUrl: BASE,
    });
    const intake = new IntakeStore(w.t.db);
    await intake.ensureIndexes();
    const email = new EmailChannel({
      sender,
      directory: w.directory,
      refs: intake,
      cedulaPdfs: store,
      publicBaseUrl: BASE,
    });
    const dispatcher = new OutboxDispatcher({
      db: w.t.db,
      logger: quietLogger(),
      channels: [teams, email],
      baseDelayMs: 50,
    });
    const relay = new OutboxRelay({ db: w.t.db, logger: quietLogger() });
    for (;;) {
      await relay.relayOnce();
      if ((await dispatcher.dispatchOnce(500)) === 0) break;
    }

    const record = (await store.byFolio(order.folio))!;
    const pdf = (await store.readPdf(record.fileId))!;
    const sent = await w.t.db
      .collection<NotificationDoc>('notifications')
      .find({ orderId: order._id, event: 'cedula_issued' })
      .toArray();
    expect(Object.fromEntries(sent.map((n) => [n.recipient.personId, n.outcome]))).toEqual({
      [P.requester]: 'sent_email',
      [P.judge]: 'sent_teams',
    });

    // The order's earlier notices reach the requester too; the Cédula's mail is the one that says so.
    const mail = await waitFor('the Cédula mail', async () => {
      const mails = await Promise.all((await mailsIn(stack, REQUESTER)).map((m) => simpleParser(m)));
      return mails.find((m) => m.subject?.includes(`Cédula de nivel de servicio emitida, orden ${order.folio}`));
    });
    expect(mail.text).toContain(`${BASE}/cedula/verify/${record.code}`);
    expect(mail.text).toContain(`${BASE}/cedula/${record.code}.pdf`);
    expect(mail.attachments.map((a) => [a.filename, a.contentType])).toEqual([
      [`cedula-${order.folio}.pdf`, 'application/pdf'],
    ]);
    expect(mail.attachments[0]!.content.equals(pdf)).toBe(true);

    const post = connector.posts.find((p) => p.conversationId === 'a:judge' && p.body.text?.includes('Cédula'))!;
    const card = post.body.attachments![0]!.content;
    expect(post.body.text).toContain(`${BASE}/cedula/verify/${record.code}`);
    expect(card.actions).toEqual([
      { type: 'Action.OpenUrl', title: 'Descargar PDF', url: `${BASE}/cedula/${record.code}.pdf` },
      { type: 'Action.OpenUrl', title: 'Verificar autenticidad', url: `${BASE}/cedula/verify/${record.code}` },
    ]);
    expect(JSON.stringify(card.body)).toContain(record.code);
  }, 120_000);
});
