import type { ServiceOrder } from '../../services/orders/types';
import { makeOrder } from '../services/http/harness';
import { BotWorld, Chat, openBotWorld, userOf } from './support/world';

describe('the work lists (pendientes, mis asignadas)', () => {
  let w: BotWorld;
  const chatOf = (personId: string) => new Chat(w.newBot(), userOf(personId));
  const engineer = (personId: string) => ({ personId, name: personId, email: `${personId}@cjf.example.mx` });

  beforeAll(async () => {
    w = await openBotWorld();
    const orders: ServiceOrder[] = [
      // Miguel's one order is older than 120 orders of another engineer in the same state.
      makeOrder(1, { status: 'diagnosis', centreId: 'CJPF-CDMX', engineer: engineer('miguel.torres') }),
      ...Array.from({ length: 120 }, (_, i) =>
        makeOrder(100 + i, { status: 'diagnosis', centreId: 'CJPF-BC-TIJ', engineer: engineer('jorge.valdez') }),
      ),
      ...Array.from({ length: 130 }, (_, i) => makeOrder(300 + i, { centreId: 'CJPF-CDMX' })),
    ];
    await w.tdb.db.collection<ServiceOrder>('orders').insertMany(orders);
  });
  afterAll(async () => {
    await w?.close();
  });

  it("finds an engineer's assigned order however many newer ones others have", async () => {
    const text = await chatOf('miguel.torres').text('mis asignadas');
    expect(text).toMatch(/^Tienes 1 orden asignada:/);
  });

  it('counts the whole queue and says how many more there are than the cards shown', async () => {
    const replies = await chatOf('ana.lopez').say('pendientes');
    expect(replies[0]?.text).toBe(
      'Hay 130 órdenes nuevas por atender:\n… y 125 más. Consulta una con **estado <folio>**.',
    );
    expect(replies[0]?.attachments).toHaveLength(5);
    expect(await chatOf('jorge.valdez').text('mis asignadas')).toMatch(/^Tienes 120 órdenes asignadas:/);
  });
});
