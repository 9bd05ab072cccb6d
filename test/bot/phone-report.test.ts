import type { ServiceOrder } from '../../services/orders/types';
import { contactIn } from '../../bot/intake/intake-dialog';
import { HttpBot, startHttpBot } from './support/http-bot';
import { BotWorld, openBotWorld } from './support/world';

const FOLIO = /OS-\d{4}-\d{6}/;

describe('phone reports in Teams', () => {
  let w: BotWorld;
  let bot: HttpBot;
  const orders = () => w.tdb.db.collection<ServiceOrder>('orders');

  beforeAll(async () => {
    w = await openBotWorld();
    bot = await startHttpBot(w);
  }, 60_000);
  afterEach(async () => {
    await bot.say('ana.lopez', 'cancelar');
  });
  afterAll(async () => {
    await bot?.close();
    await w?.close();
  });

  /** Ana López answers each question in turn; the last answer is expected to give the folio. */
  async function call(steps: Array<[string, RegExp]>): Promise<ServiceOrder> {
    let last = '';
    for (const [say, expected] of steps) {
      last = (await bot.say('ana.lopez', say)).map((p) => p.text ?? '').join('\n');
      expect(last).toMatch(expected);
    }
    return (await orders().findOne({ folio: FOLIO.exec(last)![0] }))!;
  }

  it('registers a caller not in the directory with a name, phone and email, who is told by mail', async () => {
    const order = await call([
      ['reporte telefónico', /¿Quién reporta\?/],
      ['Javier Ku Pech', /no está en el directorio[\s\S]*correo electrónico/],
      ['javier.ku@proveedor-externo.mx', /equipo falla/],
      ['computadora', /centro/],
      ['CJPF Ciudad de México', /sala o área/],
      ['Oficialía de partes', /inventario/],
      ['no sé', /Describe/],
      ['La computadora no enciende', /teléfono o extensión/],
      ['ninguna', /Escribe una extensión/],
      ['+52 998 123 4567', /Revisa/],
      ['confirmar', /Javier Ku Pech quedó registrado con el folio/],
    ]);
    expect(order).toMatchObject({
      channel: 'phone',
      requester: { name: 'Javier Ku Pech', email: 'javier.ku@proveedor-externo.mx', unverified: true },
      contact: { phone: '+52 998 123 4567', email: 'javier.ku@proveedor-externo.mx' },
    });
    expect(order.history[0]).toMatchObject({ by: { personId: 'ana.lopez' }, role: 'analyst', channel: 'phone' });
    const receipts = order.outbox.filter((n) => n.event === 'order_reported');
    expect(receipts.map((n) => n.recipient.email)).toEqual(['javier.ku@proveedor-externo.mx']);
  });

  it('registers a caller without email with the extension they give, and sends them nothing', async () => {
    const order = await call([
      ['reporte telefónico', /¿Quién reporta\?/],
      ['María de la Luz Pérez', /no está en el directorio/],
      ['no tiene', /equipo falla/],
      ['grabación', /centro/],
      ['CJPF Ciudad de México', /sala o área/],
      ['Sala de audiencias 2', /inventario/],
      ['no sé', /Describe/],
      ['No hay audio en la sala', /teléfono o extensión/],
      ['4521', /Revisa/],
      ['confirmar', /folio/],
    ]);
    expect(order.requester).toEqual({ name: 'María de la Luz Pérez', unverified: true });
    expect(order.contact).toEqual({ extension: '4521' });
    expect(order.outbox.filter((n) => n.event === 'order_reported')).toEqual([]);
  });

  it('still refuses an address that is not in the directory', async () => {
    expect((await bot.say('ana.lopez', 'reporte telefónico')).map((p) => p.text).join()).toMatch(/¿Quién reporta/);
    expect((await bot.say('ana.lopez', 'nadie@ejemplo.mx')).map((p) => p.text).join()).toMatch(/No encontré/);
  });
});

describe('contactIn', () => {
  it.each([
    ['5110', { extension: '5110' }],
    [' 45 21 ', { extension: '4521' }],
    ['55 1234 5678', { phone: '55 1234 5678' }],
    ['(998) 123-4567', { phone: '(998) 123-4567' }],
    ['+52 998 123 4567', { phone: '+52 998 123 4567' }],
    ['ninguna', null],
    ['12-34', null],
  ])('reads %j', (text, expected) => {
    expect(contactIn(text)).toEqual(expected);
  });
});
