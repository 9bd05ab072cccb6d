import { guardLoopbackOnly } from '../support/loopback-only';
import { Teardown } from '../support/teardown';
import {
  CardHand,
  DayWorld,
  mailsAbout,
  noticesOf,
  openDayWorld,
  orderByFolio,
  reportByChat,
  reportByMail,
  settled,
  stillWaitingFor,
  until,
} from './world';

/**
 * A day at the desk with real clients only: Microsoft's Teams emulator for the requester,
 * analyst, engineer and judge (one instance each), the real mail stack for an email-only
 * requester and the provider, and a second analyst whose Teams conversation answers 403.
 * Every path of the seed; for each order, exactly the notices "Who hears what" names, each
 * on the right channel — checked in the service's records and in each person's chat or inbox.
 */
const FER = 'fernando.ruiz';
const ANA = 'ana.lopez';
const CARLOS = 'carlos.ramirez';
const MIGUEL = 'miguel.torres';
const PATRICIA = 'patricia.garcia';
const MARIA = 'maria.hernandez';
const PROVIDER = ['soporte@tecnoservicios.example.mx', 'mesa@tecnoservicios.example.mx'];

/** Analysts on duty hear it: ana in Teams, carlos by email (his Teams conversation is gone). */
const analysts = (event: string) => [`${ANA}:${event}:sent_teams`, `${CARLOS}:${event}:sent_email`];
const provider = (event: string) => PROVIDER.map((e) => `${e}:${event}:sent_email`);
const teams = (who: string, ...events: string[]) => events.map((e) => `${who}:${e}:sent_teams`);

describe('a day in the life of the service desk', () => {
  const network = guardLoopbackOnly();
  let w: DayWorld;
  let hands: Record<'requester' | 'analyst' | 'engineer' | 'judge', CardHand>;

  const teardown = new Teardown();

  beforeAll(async () => {
    w = await openDayWorld(teardown);
    hands = {
      requester: new CardHand(w.pg.requester),
      analyst: new CardHand(w.pg.analyst),
      engineer: new CardHand(w.pg.engineer),
      judge: new CardHand(w.pg.judge),
    };
  }, 120_000);
  afterAll(async () => {
    try {
      await teardown.close();
    } finally {
      network.restore();
    }
  }, 60_000);
  afterEach(() => {
    const pending = stillWaitingFor();
    if (pending.length > 0) console.error(`still waiting for: ${pending.join('; ')}`);
    expect(network.attempts).toEqual([]);
  });

  /** Every Teams notice of the order reached that person's chat, and nothing more did. */
  async function expectTeamsChats(folio: string, expected: string[]): Promise<void> {
    const byPerson = {
      [FER]: hands.requester,
      [ANA]: hands.analyst,
      [MIGUEL]: hands.engineer,
      [PATRICIA]: hands.judge,
    };
    for (const [person, hand] of Object.entries(byPerson)) {
      const owed = expected.filter((n) => n.startsWith(`${person}:`) && n.endsWith(':sent_teams')).length;
      await until(`${owed} Teams notices of ${folio} for ${person}`, async () => hand.notices(folio).length >= owed);
      expect([person, hand.notices(folio).length]).toEqual([person, owed]);
    }
  }

  /** Every email notice reached that inbox, once. */
  async function expectMail(folio: string, expected: string[]): Promise<void> {
    const owed = new Map<string, number>();
    for (const n of expected.filter((x) => /:sent_email$|:fell_back$/.test(x))) {
      const who = n.split(':')[0]!;
      const address = who.includes('@') ? who : `${who}@cjf.example.mx`;
      owed.set(address, (owed.get(address) ?? 0) + 1);
    }
    for (const [address, count] of owed) {
      const mails = await until(`${count} mails of ${folio} for ${address}`, async () => {
        const m = await mailsAbout(w.stack, address, folio);
        return m.length >= count && m;
      });
      expect([address, mails.length]).toEqual([address, count]);
    }
  }

  async function expectExactly(folio: string, expected: string[]): Promise<void> {
    await settled(w);
    expect(await noticesOf(w, folio)).toEqual([...expected].sort());
    await expectTeamsChats(folio, expected);
    await expectMail(folio, expected);
  }

  async function closedWithCedula(folio: string): Promise<void> {
    await until(`the Cédula of ${folio}`, async () => Boolean((await orderByFolio(w, folio)).cedula));
    await settled(w);
  }

  it('remote resolution (2 → 8) for a requester who only uses email; a Teams 403 falls back to email', async () => {
    await reportByMail(
      w.stack,
      `${MARIA}@cjf.example.mx`,
      'No hay red en la oficialía de partes',
      'Desde hoy no hay red en la oficialía de partes. Extensión 4410.',
    );
    const receipt = await until('the folio receipt by mail', async () => {
      const mails = await mailsAbout(w.stack, `${MARIA}@cjf.example.mx`);
      return mails[0];
    });
    const folio = /OS-\d{4}-\d{6}/.exec(receipt.subject!)![0];
    await settled(w);
    await hands.analyst.act(folio, 'take');
    await settled(w);
    await hands.analyst.act(folio, 'close_remotely', {
      solution: 'Se reinició el conmutador de la oficialía; la red quedó restablecida.',
    });
    await closedWithCedula(folio);
    const expected = [
      `${MARIA}:order_reported:sent_email`,
      `${ANA}:new_order:sent_teams`,
      `${CARLOS}:new_order:fell_back`,
      `${MARIA}:status_changed:sent_email`,
      `${MARIA}:status_changed:sent_email`,
      // Closed remotely, no judge signed: the Cédula goes to the requester only.
      `${MARIA}:cedula_issued:sent_email`,
    ];
    await expectExactly(folio, expected);
    const order = await orderByFolio(w, folio);
    const fellBack = order.history.find((h) => h.notification?.outcome === 'fell_back')!;
    expect(fellBack.notification).toMatchObject({
      recipient: CARLOS,
      channel: 'email',
      detail: expect.stringMatching(/403/),
    });
  }, 180_000);

  it('on-site resolution (4 → 7 → 8) in Teams', async () => {
    const folio = await reportByChat(w.pg.requester, 'la impresora de la sala 3 no imprime');
    await settled(w);
    await hands.analyst.act(folio, 'assign_engineer', { engineerId: MIGUEL });
    await settled(w);
    await hands.engineer.act(folio, 'accept');
    await settled(w);
    await hands.engineer.act(folio, 'resolve_onsite', {
      documentation: 'Se limpió el rodillo y se cambió el tóner; imprime correctamente.',
    });
    await settled(w);
    await hands.analyst.act(folio, 'close');
    await closedWithCedula(folio);
    await expectExactly(folio, [
      // Fernando reported by chat: the reply gave him the folio, no receipt follows.
      ...analysts('new_order'),
      `${MIGUEL}:order_assigned:sent_teams`,
      ...teams(FER, 'status_changed', 'status_changed', 'status_changed', 'status_changed'),
      ...analysts('order_resolved'),
      // No judge took part: the Cédula goes to the requester only.
      ...teams(FER, 'cedula_issued'),
    ]);
  }, 180_000);

  it('provider path (4 → 5 → 6 → 7 → 8) with one rejection and one refused signature', async () => {
    const folio = await reportByChat(w.pg.requester, 'la computadora de la sala 2 no enciende');
    await settled(w);
    await hands.analyst.act(folio, 'assign_engineer', { engineerId: MIGUEL });
    await settled(w);
    await hands.engineer.act(folio, 'accept');
    await settled(w);
    await hands.engineer.act(folio, 'turn_to_provider', { contractId: 'CT-2026-001' });
    await settled(w);
    await hands.engineer.act(folio, 'record_provider_attention');
    await settled(w);
    await hands.requester.act(folio, 'reject', { reason: 'La computadora sigue sin encender.' });
    await settled(w);
    await hands.engineer.act(folio, 'record_provider_attention');
    await settled(w);
    await hands.requester.act(folio, 'confirm');
    await settled(w);
    await hands.judge.act(folio, 'refuse_signature', {
      reason: 'Falta el número de inventario del equipo reemplazado.',
    });
    await settled(w);
    await hands.requester.act(folio, 'confirm');
    await settled(w);
    await hands.judge.act(folio, 'sign');
    await settled(w);
    await hands.engineer.act(folio, 'document', {
      documentation: 'El proveedor reemplazó la fuente de poder (inventario CJF-778812).',
    });
    await settled(w);
    await hands.analyst.act(folio, 'close');
    await closedWithCedula(folio);
    await expectExactly(folio, [
      // Fernando reported by chat: the reply gave him the folio, no receipt follows.
      ...analysts('new_order'),
      `${MIGUEL}:order_assigned:sent_teams`,
      ...teams(FER, 'status_changed', 'status_changed'),
      ...provider('turned_to_provider'),
      ...teams(FER, 'status_changed'),
      ...teams(FER, 'validation_request'),
      ...teams(MIGUEL, 'validation_rejected'),
      ...provider('validation_rejected'),
      ...teams(FER, 'validation_request'),
      ...teams(PATRICIA, 'signature_request'),
      ...analysts('order_validated'),
      ...teams(FER, 'validation_request'),
      ...teams(MIGUEL, 'signature_refused'),
      ...provider('signature_refused'),
      ...analysts('signature_refused'),
      ...teams(PATRICIA, 'signature_request'),
      ...analysts('order_validated'),
      ...teams(FER, 'status_changed'),
      ...teams(MIGUEL, 'order_signed'),
      ...provider('order_signed'),
      ...analysts('signature_done'),
      ...teams(FER, 'status_changed'),
      ...analysts('order_resolved'),
      ...teams(FER, 'status_changed'),
      ...teams(FER, 'cedula_issued'),
      ...teams(PATRICIA, 'cedula_issued'),
    ]);
    const order = await orderByFolio(w, folio);
    expect(order.signature?.judge).toMatchObject({ personId: PATRICIA, aadObjectId: expect.any(String) });
    expect(order.history.filter((h) => h.action !== 'notification').map((h) => h.action)).toEqual([
      'report',
      'assign_engineer',
      'accept',
      'turn_to_provider',
      'record_provider_attention',
      'reject',
      'record_provider_attention',
      'confirm',
      'refuse_signature',
      'confirm',
      'sign',
      'document',
      'close',
    ]);
  }, 240_000);

  it('a cancellation tells the requester and the engineer who was on it', async () => {
    const folio = await reportByChat(w.pg.requester, 'el teléfono de la sala 1 no tiene tono');
    await settled(w);
    await hands.analyst.act(folio, 'assign_engineer', { engineerId: MIGUEL });
    await settled(w);
    await hands.analyst.act(folio, 'cancel', { reason: 'Reporte duplicado de OS anterior.' });
    await expectExactly(folio, [
      // Fernando reported by chat: the reply gave him the folio, no receipt follows.
      ...analysts('new_order'),
      `${MIGUEL}:order_assigned:sent_teams`,
      ...teams(FER, 'status_changed'),
      ...teams(FER, 'status_changed'),
      ...teams(MIGUEL, 'order_cancelled'),
    ]);
  }, 120_000);
});
