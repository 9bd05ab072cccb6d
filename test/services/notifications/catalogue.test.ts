import { ObjectId } from 'mongodb';
import { EmailChannel } from '../../../services/mail/email-channel';
import type { MailSender, OutgoingMail } from '../../../services/mail/mail-sender';
import { NOTICE_EVENTS } from '../../../services/notifications/events';
import { genericNotice, noticeMessage } from '../../../services/notifications/messages';
import { EVENT_ROUTES, TRANSITION_ROUTES, VARIANT_ROUTES } from '../../../services/notifications/rules';
import type { ServiceOrder } from '../../../services/orders/types';
import type { NotificationDoc } from '../../../services/outbox/types';

const NOW = new Date('2026-03-02T16:00:00Z');
const FOLIO = 'OS-2026-000042';
const CODE = 'ABCDE-FGHJK-LMNPQ-RSTUV';

/**
 * Every event a rule of the routing table can emit, plus the comment notice of add-order-comment.
 * The Teams side of the same promise is in test/bot/teams-channel.test.ts (over NOTICE_EVENTS).
 */
const EMITTED = [
  ...new Set(
    [
      ...Object.values(TRANSITION_ROUTES).flat(),
      ...Object.values(VARIANT_ROUTES).flatMap((rules) => rules ?? []),
      ...Object.values(EVENT_ROUTES).flat(),
    ]
      .map((rule) => rule.event as string)
      .concat('order_comment'),
  ),
].sort();

const order = (over: Partial<ServiceOrder> = {}): ServiceOrder => ({
  _id: new ObjectId('65f000000000000000000042'),
  folio: FOLIO,
  status: 'closed',
  version: 9,
  requester: { personId: 'req', name: 'Fernando Ruiz', email: 'req@cjf.example.mx' },
  centreId: 'C1',
  channel: 'email',
  equipment: { type: 'printer' },
  description: 'No imprime',
  priority: 'high',
  attachments: [],
  timestamps: {},
  createdAt: NOW,
  updatedAt: NOW,
  outbox: [],
  history: [{ at: NOW, action: 'comment', by: { name: 'Fernando Ruiz' }, channel: 'email', note: 'Sigue igual.' }],
  engineer: { personId: 'eng', name: 'Miguel Torres', email: 'eng@cjf.example.mx' },
  provider: { providerId: 'P1', contractId: 'K1', name: 'Tecnoservicios' },
  cedula: { code: CODE, issuedAt: NOW },
  ...over,
});

/** The email channel over a sender that keeps what it is given. */
function emailChannel() {
  const sent: OutgoingMail[] = [];
  const sender: MailSender = {
    from: 'mesa@cjf.example.mx',
    send: async (m) => {
      sent.push(m);
    },
    close: async () => undefined,
  };
  const channel = new EmailChannel({
    sender,
    directory: { personById: async () => null },
    refs: { rememberRef: async () => undefined, firstReceived: async () => undefined },
  });
  return { channel, sent };
}

const doc = (event: string, o: ServiceOrder): NotificationDoc => ({
  _id: `${o._id.toHexString()}:${o.version}:${event}:req`,
  orderId: o._id,
  event,
  recipient: { personId: 'req', email: 'req@cjf.example.mx', role: 'requester' },
  state: 'claimed',
  attempts: 1,
  dueAt: NOW,
  log: [],
  createdAt: NOW,
  updatedAt: NOW,
});

describe('the notice catalogue', () => {
  it('has words of its own for every event the routing table and the comment use case emit', () => {
    expect(EMITTED.filter((e) => !(NOTICE_EVENTS as readonly string[]).includes(e))).toEqual([]);
    expect([...NOTICE_EVENTS].sort()).toEqual(EMITTED);
  });

  it.each(EMITTED)(
    'gives the email channel a specific Spanish subject and body naming the folio for %s',
    async (event) => {
      const o = order();
      const generic = genericNotice(o);
      const { channel, sent } = emailChannel();
      await channel.send(doc(event, o), o);
      const mail = sent[0]!;
      expect(mail.subject).toContain(`[${FOLIO}]`);
      expect(mail.subject).not.toContain(generic.subject);
      expect(mail.subject.replace(`[${FOLIO}]`, '')).toContain(FOLIO);
      expect(mail.text).toContain(FOLIO);
      expect(mail.text).not.toContain(generic.paragraphs[0]);
      const message = noticeMessage(event, o);
      for (const paragraph of message.paragraphs) expect(mail.text).toContain(paragraph);
      expect(mail.html).toContain('lang="es-MX"');
    },
  );

  it('says the Cédula was issued, how to verify it and where to download it', async () => {
    const o = order();
    const { channel, sent } = emailChannel();
    await channel.send(doc('cedula_issued', o), o);
    expect(sent[0]!.subject).toContain('Cédula de nivel de servicio emitida');
    expect(sent[0]!.text).toContain(`/cedula/verify/${CODE}`);
    expect(sent[0]!.text).toContain(`/cedula/${CODE}.pdf`);
    expect(noticeMessage('cedula_issued', o).line).toContain(`/cedula/verify/${CODE}`);
    expect(noticeMessage('cedula_issued', o, { publicBaseUrl: 'https://mesa.example.gob.mx' }).line).toContain(
      `https://mesa.example.gob.mx/cedula/verify/${CODE}`,
    );
  });

  it('carries the comment itself in the comment notice', async () => {
    const o = order({ status: 'provider' });
    const { channel, sent } = emailChannel();
    await channel.send(doc('order_comment', o), o);
    expect(sent[0]!.subject).toContain('Nuevo comentario');
    expect(sent[0]!.text).toContain('Sigue igual.');
    expect(noticeMessage('order_comment', o).line).toBe(`Fernando Ruiz comentó en la orden ${FOLIO}: Sigue igual.`);
  });

  it('keeps a stray event readable with the generic status words', () => {
    expect(noticeMessage('something_else', order()).line).toBe(`La orden ${FOLIO} está en «Cerrada».`);
  });
});
