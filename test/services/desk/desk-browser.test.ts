import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ObjectId } from 'mongodb';
import type { NotificationDoc } from '../../../services/outbox';
import { MongoOrderStore } from '../../../services/orders/order-store';
import { makeOrder } from '../http/harness';
import { ARTIFACTS, axeViolations, launchChromium, openDeskAs } from './chromium';
import { seedOrder, signInLocally, startDesk } from './desk-support';

/**
 * One order walked through Mesa in real Chromium by the people who work it: the analyst
 * takes and assigns it, the engineer accepts and resolves it, the requester confirms, the
 * judge signs, the engineer documents, the analyst closes. Every view is checked with axe.
 */
describe('Mesa in Chromium', () => {
  let desk: Awaited<ReturnType<typeof startDesk>>;
  let browser: Browser;

  beforeAll(async () => {
    desk = await startDesk({ ONSITE_REQUIRES_VALIDATION: 'true' });
    browser = await launchChromium();
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await desk?.close();
  }, 30_000);

  /** A fresh browser (own cookies) signed in locally as the person named. */
  async function signIn(name: string): Promise<{ context: BrowserContext; page: Page }> {
    const opened = await openDeskAs(browser, desk.base, name);
    await opened.page.getByText('Inicio de sesión local (solo para pruebas').waitFor();
    return opened;
  }

  async function checkAccessible(page: Page, view: string): Promise<void> {
    const violations = await axeViolations(page, view);
    expect(violations.filter((v) => v.startsWith('serious') || v.startsWith('critical'))).toEqual([]);
  }

  async function act(
    page: Page,
    label: string,
    fill: Record<string, string> = {},
    select: Record<string, string> = {},
  ) {
    const card = page
      .getByRole('group', { name: label })
      .or(page.locator(`[aria-label="${label}"]`))
      .first();
    for (const [field, value] of Object.entries(fill)) await card.getByLabel(field).fill(value);
    for (const [field, value] of Object.entries(select)) await card.getByLabel(field).selectOption({ label: value });
    await card.getByRole('button', { name: label }).click();
    await page.getByText(`Hecho: ${label}.`).waitFor();
  }

  it('walks an order from the queue to closure, and each actor sees it change without reloading', async () => {
    const order = await seedOrder(desk.tdb, 201, {
      description: 'No imprime <img src=x onerror="window.hacked=1"> \u202Eotpircs',
    });
    const local = await browser.newContext({ locale: 'es-MX' });
    const signInPage = await local.newPage();
    await signInPage.goto(`${desk.base}/desk/`);
    await signInPage.getByRole('button', { name: 'Ana Laura López Hernández' }).waitFor();
    await signInPage.screenshot({ path: join(ARTIFACTS, 'local-sign-in.png'), fullPage: true });
    await local.close();

    const analyst = await signIn('Ana Laura López Hernández');
    await analyst.page.getByRole('button', { name: order.folio, exact: true }).waitFor();
    await checkAccessible(analyst.page, 'analyst-queue');
    await analyst.page.getByRole('button', { name: order.folio, exact: true }).click();
    await analyst.page.getByRole('heading', { name: new RegExp(order.folio) }).waitFor();
    // Hostile text is shown as text: no element made from it, no bidi override left.
    const shown = await analyst.page.locator('.description-full').innerText();
    expect(shown).toContain('<img src=x');
    expect(shown).not.toContain('\u202E');
    expect(await analyst.page.evaluate(() => (globalThis as unknown as { hacked?: number }).hacked)).toBeUndefined();
    await checkAccessible(analyst.page, 'analyst-order');
    await act(analyst.page, 'Tomar la orden');
    await act(
      analyst.page,
      'Turnar a ingeniero en sitio',
      {},
      { 'el ingeniero en sitio': 'Miguel Ángel Torres Sánchez' },
    );

    // The engineer was told on Teams: the notice is queued for him.
    const notices = desk.tdb.db.collection<NotificationDoc>('notifications');
    const told = async () =>
      (await notices.countDocuments({ orderId: order._id, 'recipient.personId': 'miguel.torres' })) +
      ((await desk.tdb.db.collection('orders').findOne({ _id: order._id }))?.outbox ?? []).filter(
        (n: { recipient: { personId?: string } }) => n.recipient.personId === 'miguel.torres',
      ).length;
    const deadline = Date.now() + 10_000;
    while ((await told()) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await told()).toBeGreaterThan(0);

    const engineer = await signIn('Miguel Ángel Torres Sánchez');
    await engineer.page.getByRole('button', { name: order.folio, exact: true }).waitFor();
    await checkAccessible(engineer.page, 'engineer-assigned');
    await engineer.page.getByRole('button', { name: order.folio, exact: true }).click();
    await act(engineer.page, 'Aceptar y diagnosticar');
    await act(engineer.page, 'Documentar solución en sitio', {
      'la documentación de la atención': 'Se cambió el fusor.',
    });

    // The analyst's open page follows the change made by the engineer, without a reload.
    await analyst.page
      .getByRole('heading', { name: `${order.folio} · Pendiente de validación` })
      .waitFor({ timeout: 5000 });

    const requester = await signInLocally(desk.base, 'fernando.ruiz');
    const version = ((await (await requester.get(`/desk/api/orders/${order.folio}`)).json()) as { version: number })
      .version;
    expect((await requester.post(`/desk/api/orders/${order.folio}/actions`, { verb: 'confirm', version })).status).toBe(
      200,
    );

    const judge = await signIn('Patricia García Morales');
    await judge.page.getByRole('button', { name: order.folio, exact: true }).waitFor();
    await checkAccessible(judge.page, 'judge-signatures');
    await judge.page.getByRole('button', { name: order.folio, exact: true }).click();
    await judge.page.getByText('Se cambió el fusor.').first().waitFor();
    await act(judge.page, 'Firmar y sellar');

    await engineer.page.getByRole('heading', { name: `${order.folio} · Validada` }).waitFor({ timeout: 5000 });
    await act(engineer.page, 'Documentar la atención', {
      'la documentación de la atención': 'Fusor sustituido; pruebas correctas.',
    });

    await analyst.page.getByRole('heading', { name: `${order.folio} · Resuelta` }).waitFor({ timeout: 5000 });
    await act(analyst.page, 'Cerrar la orden');
    await analyst.page.getByRole('heading', { name: `${order.folio} · Cerrada` }).waitFor();
    await analyst.page.screenshot({ path: join(ARTIFACTS, 'analyst-closed.png'), fullPage: true });
    const stored = await desk.tdb.db.collection('orders').findOne({ _id: order._id });
    expect(stored?.status).toBe('closed');
    for (const c of [analyst, engineer, judge]) await c.context.close();
  }, 180_000);

  it('finds an order with the search box and corrects its equipment, inventory number and location from the page', async () => {
    const { folio: _unused, ...draft } = makeOrder(1, {
      _id: new ObjectId(),
      requester: { personId: 'fernando.ruiz', name: 'Fernando Ruiz Delgado', email: 'fernando.ruiz@cjf.example.mx' },
      centreId: 'CJPF-CDMX',
      description: 'El proyector de la sala 2 parpadea <b>mucho</b>',
      equipment: { type: 'other', location: 'Sala 2' },
      createdAt: new Date(),
      updatedAt: new Date(),
    });
    const { order } = await new MongoOrderStore(desk.tdb.db).create(draft, 2031);
    const analyst = await signIn('Ana Laura López Hernández');
    const { page } = analyst;
    await page.getByRole('tab', { name: 'Buscar' }).click();
    await page.getByRole('textbox', { name: 'Buscar órdenes' }).fill('PROYECTOR parpadea');
    await page.getByRole('button', { name: 'Buscar', exact: true }).click();
    await page.getByRole('button', { name: order.folio, exact: true }).waitFor();
    await checkAccessible(page, 'analyst-search');
    await page.getByRole('button', { name: order.folio, exact: true }).click();
    await act(page, 'Tomar la orden');
    await act(
      page,
      'Corregir datos de la orden',
      {
        'Número de inventario': 'CJF-PRY-0042',
        Ubicación: 'Sala de audiencias 2',
        'el motivo': 'Lo confirmó el ingeniero',
      },
      { 'Tipo de equipo': 'Grabación de audiencias / video' },
    );
    await page.getByText('Número de inventario: — → CJF-PRY-0042').waitFor();
    await checkAccessible(page, 'analyst-corrected');
    const stored = await desk.tdb.db.collection('orders').findOne({ _id: order._id });
    expect(stored?.equipment).toMatchObject({
      type: 'audio_video',
      inventoryNumber: 'CJF-PRY-0042',
      location: 'Sala de audiencias 2',
    });
    // The corrected inventory number finds the order too.
    await page.getByRole('button', { name: '← Volver' }).click();
    await page.getByRole('textbox', { name: 'Buscar órdenes' }).fill('cjf-pry-0042');
    await page.getByRole('button', { name: 'Buscar', exact: true }).click();
    await page.getByRole('button', { name: order.folio, exact: true }).waitFor();
    await analyst.context.close();
  }, 120_000);
});
