import { cardText, executeActions } from '../support/cards';
import type { Playground, StreamMessage } from './playground';
import { E2eWorld, openE2eWorld, PEOPLE } from './world';

/** The emulator shows a reply's text and its card as two messages; the card carries the notice line too. */
const cardOf = (m: StreamMessage) =>
  m.attachments?.find((a) => a.contentType === 'application/vnd.microsoft.card.adaptive')?.content;
const textOf = (m: StreamMessage) => `${m.text ?? ''}\n${cardOf(m) ? cardText(cardOf(m)!) : ''}`;

/**
 * The running service behind real HTTP, with Microsoft's Teams emulator (one instance per
 * person: requester, analyst, engineer) as the Bot Connector: install, report by chat, act
 * from cards, and receive proactive notifications in the right person's chat only.
 */
describe('Teams bot through the Microsoft 365 Agents Playground', () => {
  let w: E2eWorld;
  let requester: Playground;
  let analyst: Playground;
  let engineer: Playground;
  let folio = '';

  beforeAll(async () => {
    w = await openE2eWorld();
    [requester, analyst, engineer] = await Promise.all([
      w.open(PEOPLE.requester),
      w.open(PEOPLE.analyst),
      w.open(PEOPLE.engineer),
    ]);
  }, 90_000);
  afterAll(async () => {
    await w?.close();
  }, 60_000);

  it('greets each person on install and stores their own conversation reference', async () => {
    for (const pg of [requester, analyst, engineer]) {
      await pg.install();
      await pg.waitFor((m) => /Mesa de Servicio/.test(m.text ?? ''));
    }
  });

  it('takes a report by chat in Spanish and answers the folio', async () => {
    const start = requester.messages.length;
    await requester.say('la impresora de la sala 3 no imprime');
    await requester.waitFor((m) => /número de inventario/.test(m.text ?? ''), 30_000, start);
    await requester.say('no sé');
    const summary = await requester.waitFor((m) => /Resumen de tu reporte/.test(textOf(m)), 30_000, start);
    expect(textOf(summary)).toMatch(/Impresora[\s\S]*sala 3[\s\S]*la impresora de la sala 3 no imprime/);
    await requester.say('confirmar');
    const done = await requester.waitFor((m) => /folio \*\*OS-\d{4}-\d{6}\*\*/.test(m.text ?? ''), 30_000, start);
    folio = /OS-\d{4}-\d{6}/.exec(done.text!)![0];
  }, 60_000);

  it('notifies the analyst proactively, who assigns the engineer from the card', async () => {
    const notice = await analyst.waitFor(
      (m) =>
        Boolean(cardOf(m)) &&
        cardText(cardOf(m)!).startsWith(`Orden de servicio ${folio}`) &&
        executeActions(cardOf(m)!).some((a) => a.verb === 'assign_engineer'),
    );
    const assign = executeActions(cardOf(notice)!).find((a) => a.verb === 'assign_engineer')!;
    expect(assign.inputs).toEqual(['engineerId']);
    const answer = await analyst.execute(notice.id!, assign.verb, { ...assign.data, engineerId: 'miguel.torres' });
    expect(cardText(answer.value)).toMatch(
      /Hecho: Turnar a ingeniero en sitio[\s\S]*Turnada a ingeniero[\s\S]*Miguel Ángel Torres/,
    );
  }, 60_000);

  it('notifies the engineer in their own chat, who accepts from the card (updated in place)', async () => {
    const notice = await engineer.waitFor(
      (m) =>
        Boolean(cardOf(m)) &&
        cardText(cardOf(m)!).startsWith(`Orden de servicio ${folio}`) &&
        executeActions(cardOf(m)!).some((a) => a.verb === 'accept'),
    );
    const accept = executeActions(cardOf(notice)!).find((a) => a.verb === 'accept')!;
    const answer = await engineer.execute(notice.id!, accept.verb, accept.data);
    expect(cardText(answer.value)).toMatch(/En diagnóstico/);
    expect(
      executeActions(answer.value)
        .map((a) => a.verb)
        .sort(),
    ).toEqual(['add_note', 'correct_facts', 'message_requester', 'resolve_onsite', 'turn_to_provider']);
    const stale = await engineer.execute(notice.id!, accept.verb, accept.data);
    expect(cardText(stale.value)).toMatch(/^La orden cambió: ahora está «En diagnóstico»/);
  }, 60_000);

  it('finds a person by the email Teams gives when the directory has no AAD object id for them', async () => {
    const carlos = await w.open(PEOPLE.byEmail);
    await carlos.say('pendientes');
    const answer = await carlos.waitFor((m) => /órdenes|orden|personal/.test(m.text ?? ''));
    expect(answer.text).toMatch(/Hay \d+ (orden nueva|órdenes nuevas) por atender|No hay órdenes nuevas/);
  }, 60_000);

  it('keeps the requester informed, and each notice reaches only its person', async () => {
    await requester.waitFor((m) => (m.text ?? '').includes(`La orden ${folio} cambió a «En diagnóstico»`), 30_000);
    const texts = (pg: Playground) => pg.messages.filter((m) => m.from === 'bot').map((m) => m.text ?? '');
    expect(texts(requester).some((t) => t.includes('Se te turnó'))).toBe(false);
    expect(texts(engineer).some((t) => t.includes('Nueva orden de servicio'))).toBe(false);
    expect(texts(analyst).some((t) => t.includes('Se te turnó'))).toBe(false);
  }, 60_000);
});
