import { first } from '../../support/present';
import type { Activity } from 'botbuilder';
import type { ServiceOrder } from '../../../services/orders/types';
import { BotWorld, Chat, openBotWorld, userOf } from '../support/world';

const orders = (w: BotWorld) => w.tdb.db.collection<ServiceOrder>('orders');
const lastOrder = async (w: BotWorld) =>
  first(await orders(w).find({}).sort({ createdAt: -1 }).limit(1).toArray(), 'an order');

/** Runs a conversation table: each row is what the person says and what the bot's answer must contain. */
async function table(chat: Chat, rows: Array<[string | Partial<Activity>, RegExp]>): Promise<void> {
  for (const [input, expected] of rows) {
    const answer = await chat.text(input);
    try {
      expect(answer).toMatch(expected);
    } catch (error) {
      throw new Error(`after ${JSON.stringify(input)}: expected ${expected} in «${answer}»`, { cause: error });
    }
  }
}

describe('intake dialog', () => {
  let w: BotWorld;
  beforeAll(async () => {
    w = await openBotWorld();
  });
  afterAll(async () => {
    await w?.close();
  });

  it('asks every missing field in Spanish and creates the order with a folio when confirmed', async () => {
    const chat = new Chat(w.newBot(), userOf('maria.hernandez'));
    await table(chat, [
      ['reportar', /Vamos a registrar tu reporte[\s\S]*¿Qué equipo falla\?/],
      ['Telefonía', /¿En qué sala o área/],
      ['Oficialía de partes', /número de inventario/],
      ['TEL-00981', /Describe brevemente la falla/],
      ['El teléfono no da tono desde ayer', /Revisa los datos de tu reporte/],
      ['confirmar', /folio \*\*OS-\d{4}-\d{6}\*\*/],
    ]);
    const order = await lastOrder(w);
    expect(order).toMatchObject({
      status: 'reported',
      channel: 'teams',
      centreId: 'CJPF-BC-TIJ',
      description: 'El teléfono no da tono desde ayer',
      equipment: { type: 'telephony', location: 'Oficialía de partes', inventoryNumber: 'TEL-00981' },
      contact: { extension: '6110' },
      requester: { personId: 'maria.hernandez' },
    });
  });

  it('takes the equipment from a choice number and the extension when the directory has none', async () => {
    const before = await orders(w).countDocuments();
    const chat = new Chat(w.newBot(), userOf(null, 'Pedro Páramo'));
    await table(chat, [
      ['reportar', /la Mesa de Servicio confirmará tus datos[\s\S]*correo electrónico/],
      ['no es un correo', /no parece válido/],
      ['pedro.paramo@cjf.example.mx', /¿Qué equipo falla\?/],
      ['2', /¿En qué centro/],
      ['Tijuana', /sala o área/],
      ['Sala 1', /inventario/],
      ['no sé', /Describe/],
      ['No imprime nada', /extensión/],
      ['abc', /solo números/],
      ['ninguna', /Revisa los datos/],
      ['sí', /folio/],
    ]);
    expect(await orders(w).countDocuments()).toBe(before + 1);
    expect(await lastOrder(w)).toMatchObject({
      equipment: { type: 'printer', location: 'Sala 1' },
      centreId: 'CJPF-BC-TIJ',
      requester: { name: 'Pedro Páramo', email: 'pedro.paramo@cjf.example.mx', unverified: true },
    });
    expect((await lastOrder(w)).equipment.inventoryNumber).toBeUndefined();
  });

  it('prefills what one free-text message already says and asks only the rest', async () => {
    const chat = new Chat(w.newBot(), userOf('fernando.ruiz'));
    const first = await chat.text('la impresora de la sala 3 no imprime');
    expect(first).toMatch(/número de inventario/);
    expect(first).not.toMatch(/¿Qué equipo falla|sala o área|Describe/);
    await table(chat, [
      ['no sé', /Revisa los datos/],
      ['confirmar', /folio/],
    ]);
    expect(await lastOrder(w)).toMatchObject({
      equipment: { type: 'printer', location: 'sala 3' },
      description: 'la impresora de la sala 3 no imprime',
      centreId: 'CJPF-CDMX',
      contact: { extension: '5110' },
    });
  });

  it('lets the person correct a field from the summary card and by typing', async () => {
    const chat = new Chat(w.newBot(), userOf('fernando.ruiz'));
    await table(chat, [
      // Fernando has an open order by now: he says this one is a new report.
      ['la impresora de la sala 3 no imprime, inventario CJF-7788', /¿Tu mensaje es sobre alguna de ellas\?/],
      [{ value: { followUp: 'new' } }, /Revisa los datos/],
      [{ value: { intake: 'edit', field: 'location' } }, /sala o área/],
      ['Sala 4', /Revisa los datos/],
      ['corregir descripción', /Describe brevemente/],
      ['Imprime hojas en blanco', /Revisa los datos/],
      ['corregir algo', /Responde \*\*confirmar\*\*/],
      [{ value: { intake: 'confirm' } }, /folio/],
    ]);
    expect(await lastOrder(w)).toMatchObject({
      equipment: { type: 'printer', location: 'Sala 4', inventoryNumber: 'CJF-7788' },
      description: 'Imprime hojas en blanco',
    });
  });

  it.each([
    ['at the equipment question', ['reportar']],
    ['at the location question', ['reportar', 'Red']],
    ['at the summary', ['la impresora de la sala 3 no imprime', { value: { followUp: 'new' } }, 'no sé']],
  ])('leaves with «cancelar» %s and stores nothing', async (_where, steps) => {
    const before = await orders(w).countDocuments();
    const chat = new Chat(w.newBot(), userOf('fernando.ruiz'));
    for (const step of steps) await chat.say(step as string | Partial<Activity>);
    expect(await chat.text('Cancelar')).toMatch(/Cancelé el reporte/);
    expect(await chat.text('cancelar')).toMatch(/No hay ningún reporte en captura/);
    expect(await orders(w).countDocuments()).toBe(before);
  });

  it('cancels from the summary card button', async () => {
    const before = await orders(w).countDocuments();
    const chat = new Chat(w.newBot(), userOf('fernando.ruiz'));
    await table(chat, [
      ['la impresora de la sala 3 no imprime', /¿Tu mensaje es sobre alguna de ellas\?/],
      [{ value: { followUp: 'new' } }, /inventario/],
      ['no sé', /Revisa/],
      [{ value: { intake: 'cancel' } }, /Cancelé/],
    ]);
    expect(await orders(w).countDocuments()).toBe(before);
  });

  it("keeps the summary's facts, not its card, in the stored dialog state, and shows the card again when asked for help", async () => {
    const chat = new Chat(w.newBot(), userOf('fernando.ruiz'), 'a:summary-state');
    await chat.say('la impresora de la sala 3 no imprime, inventario CJF-77');
    const summary = await chat.say({ value: { followUp: 'new' } });
    const card = JSON.stringify(summary.flatMap((a) => a.attachments ?? []));
    expect(card).toContain('Resumen de tu reporte');
    expect(card).toContain('CJF-77');
    const stored = await w.tdb.db
      .collection<{ _id: string; json: string }>('botState')
      .findOne({ _id: { $regex: 'a:summary-state' } });
    expect(stored?.json).toContain('CJF-77');
    expect(stored?.json).not.toContain('AdaptiveCard');
    const again = await chat.say('ayuda');
    expect(again.map((a) => a.text).join('\n')).toContain('Puedo ayudarte');
    expect(JSON.stringify(again.flatMap((a) => a.attachments ?? []))).toBe(card);
    await table(chat, [['confirmar', /folio/]]);
    expect(await lastOrder(w)).toMatchObject({ equipment: { type: 'printer', inventoryNumber: 'CJF-77' } });
  });

  it('resumes mid-dialog after a restart (a new bot instance on the same storage)', async () => {
    const who = userOf('maria.hernandez');
    const first = new Chat(w.newBot(), who, 'a:restart');
    await table(first, [
      ['reportar', /¿Qué equipo/],
      ['Red', /sala o área/],
    ]);
    const second = new Chat(w.newBot(), who, 'a:restart');
    await table(second, [
      ['Site de comunicaciones', /inventario/],
      ['no sé', /Describe/],
      ['Sin internet en todo el piso', /Revisa/],
      ['confirmar', /folio/],
    ]);
    expect(await lastOrder(w)).toMatchObject({
      equipment: { type: 'network', location: 'Site de comunicaciones' },
      description: 'Sin internet en todo el piso',
    });
  });

  it('lets an analyst register a phone report on behalf of a requester', async () => {
    const chat = new Chat(w.newBot(), userOf('ana.lopez'));
    await table(chat, [
      ['reporte telefónico', /¿Quién reporta\?/],
      ['nadie@ejemplo.mx', /No encontré a esa persona/],
      ['jose.chan@cjf.example.mx', /Reporte a nombre de \*\*/],
      ['Grabación', /sala o área/],
      ['Sala de audiencias 1', /inventario/],
      ['no sé', /Describe/],
      ['La cámara no graba', /Revisa/],
      ['confirmar', /quedó registrado con el folio/],
    ]);
    const order = await lastOrder(w);
    expect(order).toMatchObject({
      channel: 'phone',
      centreId: 'CJPF-QROO-CUN',
      requester: { personId: 'jose.chan' },
      contact: { extension: '7110' },
    });
    expect(order!.history[0]).toMatchObject({ by: { personId: 'ana.lopez' }, role: 'analyst', channel: 'phone' });
  });

  it('refuses the phone report to someone who is not an analyst', async () => {
    expect(await new Chat(w.newBot(), userOf('fernando.ruiz')).text('reporte telefónico')).toMatch(
      /solo para el personal de la Mesa/,
    );
  });
});
