import { createHttpService, HttpService } from '../../services/http/server';
import { orderReadsFromStore } from '../../services/http/order-reads';
import {
  allOrders,
  ALL_USERS,
  folderCounts,
  Harness,
  heldMailActions,
  inboxOf,
  mailFromNewcomer,
  mailsIn,
  NEWCOMER,
  registerNewcomer,
  silent,
  startHarness,
} from './support/harness';

const TOKEN = 'a-test-api-token-0123456789';

describe('unknown colleagues', () => {
  let h: Harness;
  let http: HttpService;
  let base = '';
  beforeAll(async () => {
    h = await startHarness([...ALL_USERS, NEWCOMER]);
    http = createHttpService({
      logger: silent,
      apiToken: TOKEN,
      orders: orderReadsFromStore(h.orders),
      health: { ping: async () => undefined, mailState: () => 'disabled' },
      botEndpoint: async () => undefined,
      intake: { intakeStatus: async () => ({ mail: 'test', counters: null, held: [] }) },
      heldMails: heldMailActions(h),
    });
    base = `http://127.0.0.1:${await http.listen(0, '127.0.0.1')}`;
  }, 120_000);
  afterAll(async () => {
    await http?.close();
    await h?.close();
  });

  const fromNewcomer = (subject: string, text: string, id: string) =>
    mailFromNewcomer(h, {
      subject,
      text,
      messageId: id,
      attachments: [{ filename: 'foto.txt', content: 'la pantalla en negro' }],
    });
  const logOf = (id: string) => h.db.db.collection('mail_log').findOne({ messageId: id });
  const post = (path: string, body?: unknown) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
  const heldPath = async (id: string, verb: string) =>
    `/api/intake/held/${encodeURIComponent(String((await logOf(id))!._id))}/${verb}`;

  it('holds their mail and tells them once a day how to be registered; staff release it into an order after the import, or discard it with a reason', async () => {
    const orders = (await allOrders(h)).length;
    await fromNewcomer('No enciende el monitor', 'El monitor de la sala 4 no enciende.', '<n1@cjf.example.mx>');
    expect((await logOf('<n1@cjf.example.mx>'))!).toMatchObject({
      folder: 'quarantine',
      reason: expect.stringContaining('told how to be registered'),
    });
    const [answer] = await inboxOf(h, NEWCOMER, 1);
    expect(answer!.text).toContain('aún no está registrada en el directorio');
    expect(answer!.headers.get('auto-submitted')).toBe('auto-replied');

    await fromNewcomer('Otra cosa', 'Tampoco funciona el teclado.', '<n2@cjf.example.mx>');
    expect((await logOf('<n2@cjf.example.mx>'))!.reason).toContain('answer already sent');
    expect(await mailsIn(h.stack, NEWCOMER)).toHaveLength(1);
    expect((await folderCounts(h.stack)).Cuarentena).toBe(2);

    // Not registered yet: release refuses and the mail stays held.
    const early = await post(await heldPath('<n1@cjf.example.mx>', 'release'));
    expect(early.status).toBe(409);
    expect(((await early.json()) as { error: { message: string } }).error.message).toMatch(/sigue retenido/);
    expect((await folderCounts(h.stack)).Cuarentena).toBe(2);

    await registerNewcomer(h);
    const released = await post(await heldPath('<n1@cjf.example.mx>', 'release'));
    expect(released.status).toBe(200);
    expect(await released.json()).toMatchObject({ outcome: 'order_created', folder: 'processed' });
    const all = await allOrders(h);
    expect(all).toHaveLength(orders + 1);
    const made = all.at(-1)!;
    expect(made.requester.personId).toBe('lnueva');
    expect(made.description).toContain('El monitor de la sala 4 no enciende.');
    expect(made.attachments.map((a) => a.filename)).toEqual(['foto.txt']);

    const discarded = await post(await heldPath('<n2@cjf.example.mx>', 'discard'), {
      by: 'ana',
      reason: 'Duplicado de la orden recién registrada',
    });
    expect(discarded.status).toBe(200);
    expect((await logOf('<n2@cjf.example.mx>'))!).toMatchObject({
      folder: 'refused',
      reason: 'discarded by ana: Duplicado de la orden recién registrada',
    });
    const counts = await folderCounts(h.stack);
    expect(counts.Cuarentena).toBe(0);
    expect(counts.Rechazados).toBe(1);
    expect(counts.Procesados).toBe(1);
    expect(await allOrders(h)).toHaveLength(orders + 1);

    // Neither can be released or discarded again.
    expect((await post(await heldPath('<n1@cjf.example.mx>', 'release'))).status).toBe(404);
  }, 180_000);
});
