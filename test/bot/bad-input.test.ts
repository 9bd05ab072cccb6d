import type { ServiceOrder } from '../../services/orders/types';
import { cardText, execute, invoke } from './support/cards';
import { BotWorld, Chat, openBotWorld, userOf } from './support/world';

describe('bad input to the bot', () => {
  let w: BotWorld;
  const count = () => w.tdb.db.collection<ServiceOrder>('orders').countDocuments();
  beforeAll(async () => {
    w = await openBotWorld();
  });
  afterAll(async () => {
    await w?.close();
  });

  it.each([
    ['empty text', { text: '' }, /No recibí texto/],
    ['only spaces', { text: '   \n\t ' }, /No recibí texto/],
    ['a 20 KB message', { text: 'la impresora no imprime '.repeat(850) }, /demasiado largo \(máximo 4000/],
    [
      'an image with no text',
      {
        text: '',
        attachments: [{ contentType: 'image/png', contentUrl: 'https://example.invalid/x.png', name: 'x.png' }],
      },
      /no puedo recibir archivos/,
    ],
    [
      'a Teams file with no text',
      {
        attachments: [
          {
            contentType: 'application/vnd.microsoft.teams.file.download.info',
            content: { downloadUrl: 'x' },
            name: 'a.pdf',
          },
        ],
      },
      /no puedo recibir archivos/,
    ],
    ['emoji only', { text: '🖨️🔥😡' }, /Escribe \*\*ayuda\*\*/],
    ['mixed scripts', { text: 'Привет 你好 مرحبا hola' }, /Escribe \*\*ayuda\*\*/],
    ['a stray card submit', { value: { foo: 'bar' } }, /Escribe \*\*ayuda\*\*/],
  ])('answers %s clearly and creates nothing', async (_what, activity, expected) => {
    const before = await count();
    const chat = new Chat(w.newBot(), userOf('fernando.ruiz'));
    expect(await chat.text(activity)).toMatch(expected);
    expect(await count()).toBe(before);
  });

  it('treats a sender as unknown when the Teams member lookup fails, and still takes the report', async () => {
    const chat = new Chat(w.newBot(), { ...userOf(null, 'Visitante Externo'), channelId: 'msteams' });
    expect(await chat.text('reportar')).toMatch(/la Mesa de Servicio confirmará tus datos/);
    await chat.say('cancelar');
  });

  it('keeps emoji and mixed scripts of a real report intact in the order', async () => {
    const chat = new Chat(w.newBot(), userOf('fernando.ruiz'));
    await chat.say('🖨️ la impresora de la sala 3 no imprime — 打印机 ошибка');
    await chat.say('no sé');
    expect(await chat.text('confirmar')).toMatch(/folio/);
    const order = (
      await w.tdb.db.collection<ServiceOrder>('orders').find({}).sort({ createdAt: -1 }).limit(1).toArray()
    )[0];
    expect(order?.description).toBe('🖨️ la impresora de la sala 3 no imprime — 打印机 ошибка');
  });

  it('handles a file attached to a text report: says files are not taken, goes on with the text', async () => {
    // Someone with no open order: a first report, not a follow-up.
    const chat = new Chat(w.newBot(), userOf('jose.chan'));
    const answer = await chat.text({
      text: 'la impresora de la sala 3 no imprime',
      attachments: [{ contentType: 'image/jpeg', contentUrl: 'https://example.invalid/p.jpg' }],
    });
    expect(answer).toMatch(/no puedo recibir archivos[\s\S]*inventario/);
    await chat.say('cancelar');
  });

  it('re-asks a too-long answer inside the dialog without losing the dialog', async () => {
    const chat = new Chat(w.newBot(), userOf('fernando.ruiz'));
    await chat.say('reportar');
    expect(await chat.text('x'.repeat(20_000))).toMatch(/demasiado largo/);
    expect(await chat.text('Red')).toMatch(/sala o área/);
    await chat.say('cancelar');
  });

  describe('with MicrosoftAppTenantId set', () => {
    const TENANT = '72f988bf-0000-4000-8000-000000000001';
    const withTenant = (tenantId: string) => ({ channelData: { tenant: { id: tenantId } } });

    it('refuses a message from another tenant politely, stores no reference and creates nothing', async () => {
      const before = await count();
      const chat = new Chat(w.newBot({ tenantId: TENANT }), userOf('fernando.ruiz'), 'a:tenant-check');
      expect(
        await chat.text({ ...withTenant('another-tenant'), text: 'la impresora de la sala 3 no imprime' }),
      ).toMatch(/solo atiende a personal de los Centros/);
      expect(await count()).toBe(before);
      expect(await w.tdb.db.collection('conversationRefs').findOne({ conversationId: 'a:tenant-check' })).toBeNull();
    });

    it('refuses a card action from another tenant', async () => {
      const chat = new Chat(w.newBot({ tenantId: TENANT }), userOf('ana.lopez'));
      const replies = await chat.say({
        ...withTenant('another-tenant'),
        type: 'invoke',
        name: 'adaptiveCard/action',
        value: execute({ orderId: 'a'.repeat(24), verb: 'take', version: 1 }),
      });
      const card = (
        replies.find((r) => r.type === 'invokeResponse')?.value as { body: { value: Record<string, unknown> } }
      ).body.value;
      expect(cardText(card)).toMatch(/solo atiende a personal/);
    });

    it('serves its own tenant', async () => {
      const chat = new Chat(w.newBot({ tenantId: TENANT }), userOf('fernando.ruiz'));
      expect(await chat.text({ ...withTenant(TENANT.toUpperCase()), text: 'ayuda' })).toMatch(/Puedo ayudarte/);
    });
  });

  it('answers invoke names it does not handle without a crash', async () => {
    const chat = new Chat(w.newBot(), userOf('fernando.ruiz'));
    const replies = await chat.say({ type: 'invoke', name: 'composeExtension/query', value: {} });
    expect(replies.find((r) => r.type === 'invokeResponse')).toBeDefined();
    void invoke;
  });
});
