import { join } from 'node:path';
import { MongoAssetOrders } from '../../services/assets/asset-orders';
import { MongoAssetStore } from '../../services/assets/asset-store';
import { importAssets } from '../../services/assets/load-assets';
import { reportOrder } from '../../services/orders/report-order';
import type { OrderServices } from '../../services/orders/order-services';
import type { ServiceOrder } from '../../services/orders/types';
import { orderServices } from '../support/order-services';
import { Card, cardText, executeActions } from './support/cards';
import { HttpBot, startHttpBot } from './support/http-bot';
import { BotWorld, openBotWorld } from './support/world';

const EXAMPLE_ASSETS = join(__dirname, '../../services/assets/example-assets.json');
const FOLIO = /OS-\d{4}-\d{6}/;

describe('order facts in Teams: the equipment register, priority and corrections', () => {
  let w: BotWorld;
  let bot: HttpBot;
  let extra: Partial<OrderServices>;
  const orders = () => w.tdb.db.collection<ServiceOrder>('orders');
  const byFolio = async (folio: string) => (await orders().findOne({ folio }))!;
  const textOf = (posts: Array<{ text?: string }>) => posts.map((p) => p.text ?? '').join('\n');
  const cardsIn = (posts: Array<{ attachments?: Array<{ content: Record<string, unknown> }> }>): Card[] =>
    posts.flatMap((p) => (p.attachments ?? []).map((a) => a.content));

  /** A new report's first message: with orders already open, Fernando says it is a new report. */
  async function sayReport(text: string) {
    const posts = await bot.say('fernando.ruiz', text);
    if (!/Tienes órdenes abiertas/.test(textOf(posts))) return posts;
    return bot.say('fernando.ruiz', { value: { followUp: 'new' } });
  }

  /** A report by Fernando (CJPF-CDMX) brought to its folio; answers are given to whatever is asked. */
  async function report(text: string, answers: Record<string, string> = {}): Promise<ServiceOrder> {
    let posts = await sayReport(text);
    for (let i = 0; i < 6 && !/Revisa los datos/.test(textOf(posts)); i++) {
      const asked = textOf(posts);
      const key = Object.keys(answers).find((k) => asked.includes(k));
      if (!key) throw new Error(`unexpected question: ${asked}`);
      posts = await bot.say('fernando.ruiz', answers[key]!);
    }
    const folio = FOLIO.exec(textOf(await bot.say('fernando.ruiz', 'confirmar')))?.[0];
    if (!folio) throw new Error('no folio');
    return byFolio(folio);
  }

  beforeAll(async () => {
    w = await openBotWorld();
    const assets = new MongoAssetStore(w.tdb.db);
    await assets.ensureIndexes();
    await importAssets({ assets, directory: w.directory }, { file: EXAMPLE_ASSETS });
    const assetOrders = new MongoAssetOrders(w.tdb.db);
    await assetOrders.ensureIndexes();
    extra = { assets, assetOrders, inventoryPattern: /\bCJF-\d{6}\b/i };
    bot = await startHttpBot(w, extra);
  }, 60_000);
  afterAll(async () => {
    await bot?.close();
    await w?.close();
  });

  it('links the registered asset named in a chat report: its type, place and contract', async () => {
    const order = await report('el sistema de grabación no graba, inventario CJF-020001, sala de audiencias 3');
    expect(order.equipment).toEqual({
      type: 'audio_video',
      inventoryNumber: 'CJF-020001',
      location: 'Sala de audiencias 3',
      register: 'linked',
    });
    expect(order.coverage).toEqual({ contractId: 'CT-2026-002', providerId: expect.any(String), source: 'asset' });
  });

  it('offers the equipment registered at the place, and keeps and flags a number the register lacks', async () => {
    const posts = await sayReport('la impresora de la sala 3 no imprime, etiqueta CJF-999999');
    const asked = posts.find((p) => /equipos registrados en «sala 3»/.test(p.text ?? ''));
    expect(asked).toBeDefined();
    const offered = (
      (asked as { suggestedActions?: { actions: Array<{ value: string }> } }).suggestedActions?.actions ?? []
    ).map((a) => a.value);
    expect(offered).toEqual(['CJF-020001', 'CJF-030001', 'Ninguno de estos']);
    expect(textOf(await bot.say('fernando.ruiz', 'Ninguno de estos'))).toMatch(/Revisa los datos/);
    const folio = FOLIO.exec(textOf(await bot.say('fernando.ruiz', 'confirmar')))![0];
    const order = await byFolio(folio);
    expect(order.equipment).toMatchObject({ inventoryNumber: 'CJF-999999', register: 'unknown', type: 'printer' });
    expect(order.description).toContain('CJF-999999');

    const analystCard = cardsIn(await bot.say('ana.lopez', `estado ${folio}`))[0]!;
    expect(cardText(analystCard)).toMatch(/El inventario CJF-999999 no está en el registro de equipos/);
    const requesterCard = cardsIn(await bot.say('fernando.ruiz', `estado ${folio}`))[0]!;
    expect(cardText(requesterCard)).not.toMatch(/registro de equipos/);
  });

  it('flags on the analyst card the third failure of one asset within 90 days', async () => {
    const services = orderServices(w.store, w.directory, extra);
    for (const n of [1, 2])
      await reportOrder(services, {
        channel: 'teams',
        actorId: 'fernando.ruiz',
        requesterId: 'fernando.ruiz',
        equipment: { type: 'printer' },
        description: `Falla ${n} de la impresora CJF-030001`,
      });
    const posts = await sayReport('la impresora de la sala 3 no imprime otra vez');
    expect(textOf(posts)).toMatch(/equipos registrados en «sala 3»/);
    expect(textOf(await bot.say('fernando.ruiz', 'CJF-030001'))).toMatch(/Revisa los datos/);
    const order = await byFolio(FOLIO.exec(textOf(await bot.say('fernando.ruiz', 'confirmar')))![0]);
    expect(order.equipment).toMatchObject({ inventoryNumber: 'CJF-030001', register: 'linked' });
    expect(order.repeatFailure).toMatchObject({ count: 3, windowDays: 90 });
    expect(order.repeatFailure!.earlier).toHaveLength(2);
    const card = cardsIn(await bot.say('ana.lopez', `estado ${order.folio}`))[0]!;
    expect(cardText(card)).toMatch(/Falla repetida: 3\.ª falla de este equipo en 90 días/);
  });

  describe('«prioridad» and «corregir»', () => {
    let order: ServiceOrder;
    beforeAll(async () => {
      order = await reportOrder(orderServices(w.store, w.directory, extra), {
        channel: 'teams',
        actorId: 'fernando.ruiz',
        requesterId: 'fernando.ruiz',
        equipment: { type: 'computer', location: 'Oficialía de partes' },
        description: 'La computadora no enciende',
      });
    });

    it('lets an analyst change the priority with a reason, on the history, telling the other analysts', async () => {
      const before = await byFolio(order.folio);
      const posts = await bot.say('ana.lopez', `prioridad ${order.folio} crítica hay audiencia en curso`);
      expect(textOf(posts)).toMatch(new RegExp(`La orden ${order.folio} tiene ahora prioridad \\*\\*Crítica\\*\\*`));
      const after = await byFolio(order.folio);
      expect(after.priority).toBe('critical');
      expect(after.version).toBe(before.version + 1);
      const entry = after.history.at(-1)!;
      expect(entry).toMatchObject({
        action: 'set_priority',
        note: 'hay audiencia en curso',
        by: { personId: 'ana.lopez' },
      });
      expect(entry.changes).toEqual([
        { field: 'priority', from: before.priority === 'critical' ? 'Crítica' : expect.any(String), to: 'Crítica' },
      ]);
      const notices = [
        ...after.outbox,
        ...(await w.tdb.db.collection('notifications').find({ orderId: after._id }).toArray()),
      ];
      const told = notices.filter((n) => n.event === 'priority_changed').map((n) => n.recipient.personId);
      expect(told.length).toBeGreaterThan(0);
      expect(told).not.toContain('ana.lopez');
    });

    it('takes impact × urgency too', async () => {
      await bot.say('ana.lopez', `prioridad ${order.folio} impacto bajo urgencia baja ya hay equipo de respaldo`);
      expect((await byFolio(order.folio)).priority).toBe('low');
    });

    it.each([
      ['without a reason', 'ana.lopez', (f: string) => `prioridad ${f} alta`, /No se hizo ningún cambio[\s\S]*motivo/i],
      ['by a requester', 'fernando.ruiz', (f: string) => `prioridad ${f} alta porque sí`, /solo para el personal/],
      ['by an engineer', 'miguel.torres', (f: string) => `prioridad ${f} alta urgente`, /solo para el personal/],
      ['with an unknown level', 'ana.lopez', (f: string) => `prioridad ${f} altísima urgente`, /Escribe \*\*prioridad/],
    ])('refuses a priority change %s, changing nothing', async (_what, who, command, answer) => {
      const before = await byFolio(order.folio);
      expect(textOf(await bot.say(who, command(order.folio)))).toMatch(answer);
      const after = await byFolio(order.folio);
      expect(after.version).toBe(before.version);
      expect(after.priority).toBe(before.priority);
    });

    it('lets an analyst correct a fact with a quoted value and a reason; an engineer not on the order may not', async () => {
      const posts = await bot.say(
        'ana.lopez',
        `corregir ${order.folio} ubicación "Sala de audiencias 2" la movieron ayer`,
      );
      expect(textOf(posts)).toMatch(/Se corrigieron los datos/);
      const after = await byFolio(order.folio);
      expect(after.equipment.location).toBe('Sala de audiencias 2');
      expect(after.history.at(-1)).toMatchObject({ action: 'correct_facts', note: 'la movieron ayer' });

      const refused = await bot.say('miguel.torres', `corregir ${order.folio} equipo impresora me equivoqué`);
      expect(textOf(refused)).toMatch(/No se hizo ningún cambio/);
      expect((await byFolio(order.folio)).version).toBe(after.version);
    });

    it('offers both on the analyst card and refuses a card drawn before the order changed', async () => {
      const card = cardsIn(await bot.say('ana.lopez', `estado ${order.folio}`))[0]!;
      const priority = executeActions(card).find((a) => a.verb === 'set_priority')!;
      const correct = executeActions(card).find((a) => a.verb === 'correct_facts')!;
      expect(priority.inputs).toEqual(['priority', 'reason']);
      expect(correct.inputs).toEqual(['equipmentType', 'location', 'inventoryNumber', 'addendum', 'reason']);

      const done = await bot.execute('ana.lopez', { ...priority.data, priority: 'high', reason: 'revisión' });
      expect(cardText(done)).toMatch(/Hecho: Cambiar la prioridad[\s\S]*Prioridad: Alta/);
      const stale = await bot.execute('ana.lopez', {
        ...correct.data,
        inventoryNumber: 'CJF-012346',
        equipmentType: '',
        reason: 'es otra',
      });
      expect(cardText(stale)).toMatch(/cambió|actualiz/i);
      const after = await byFolio(order.folio);
      expect(after.priority).toBe('high');
      expect(after.equipment.inventoryNumber).toBeUndefined();

      const fresh = await bot.execute('ana.lopez', {
        ...correct.data,
        version: after.version,
        inventoryNumber: 'CJF-012346',
        reason: 'es la de oficialía',
      });
      expect(cardText(fresh)).toMatch(/Hecho: Corregir datos/);
      expect((await byFolio(order.folio)).equipment).toMatchObject({
        inventoryNumber: 'CJF-012346',
        register: 'linked',
      });
    });
  });
});
