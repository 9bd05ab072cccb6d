import { reportOrder } from '../../services/orders/report-order';
import { orderServices } from '../support/order-services';
import type { ServiceOrder } from '../../services/orders/types';
import { cardsOf, cardText } from './support/cards';
import { BotWorld, Chat, openBotWorld, userOf } from './support/world';

describe('estado <folio>', () => {
  let w: BotWorld;
  let order: ServiceOrder;
  const statusAs = async (who: ReturnType<typeof userOf>, folio: string) => {
    const replies = await new Chat(w.newBot(), who).say(`estado ${folio}`);
    return { text: replies.map((r) => r.text ?? '').join('\n'), cards: cardsOf(replies).map(cardText).join('\n') };
  };

  beforeAll(async () => {
    w = await openBotWorld();
    order = await reportOrder(orderServices(w.store, w.directory), {
      channel: 'teams',
      actorId: 'fernando.ruiz',
      requesterId: 'fernando.ruiz',
      equipment: { type: 'printer', location: 'Sala 3' },
      description: 'La impresora de la sala 3 no imprime',
    });
  });
  afterAll(async () => {
    await w?.close();
  });

  it('shows the order to its requester and to an analyst', async () => {
    for (const who of ['fernando.ruiz', 'ana.lopez']) {
      const seen = await statusAs(userOf(who), order.folio);
      expect(seen.text).toMatch(/está en estado: \*\*Reportada\*\*/);
      expect(seen.cards).toContain('La impresora de la sala 3 no imprime');
    }
  });

  it.each([
    ['a requester of another centre', userOf('maria.hernandez')],
    ['a judge of another centre', userOf('ricardo.navarro')],
    ['someone not in the directory', userOf(null, 'Persona Curiosa')],
  ])('answers %s exactly as for a folio that does not exist, and shows nothing of the order', async (_who, who) => {
    const hidden = await statusAs(who, order.folio);
    const missing = await statusAs(who, 'OS-1999-999999');
    expect(hidden.text).toBe(missing.text.replace('OS-1999-999999', order.folio));
    expect(hidden.cards).toBe('');
    expect(hidden.text).not.toMatch(/Fernando|impresora|CJPF/i);
  });
});
