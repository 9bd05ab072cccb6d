import type { Browser } from 'playwright-core';
import { loadConfig } from '../../../services/config';
import { DeskSessions } from '../../../services/desk/sessions';
import { intakeReadsFrom } from '../../../services/http/intake-reads';
import { orderReadsFromStore } from '../../../services/http/order-reads';
import { createHttpService, HttpService } from '../../../services/http/server';
import { orderServices } from '../../support/order-services';
import {
  ALL_USERS,
  allOrders,
  folderCounts,
  Harness,
  heldMailActions,
  mailFromNewcomer,
  NEWCOMER,
  registerNewcomer,
  silent,
  startHarness,
  waitFor,
} from '../../intake/support/harness';
import { axeViolations, launchChromium, openDeskAs } from './chromium';
import { signInLocally } from './desk-support';

interface IntakeBody {
  held: { items: Array<{ key: string; folder: string; sender: string; subject: string; reason: string }> };
}

/**
 * Mesa's intake view over a real desk mailbox (Dovecot + Exim): mail from someone not in
 * the directory is held; an analyst sees it with why, discards one with a reason and,
 * once the sender is registered, releases the other into an order, from the page.
 */
describe('Mesa intake health (/desk/api/intake)', () => {
  let h: Harness;
  let http: HttpService;
  let browser: Browser | undefined;
  let base = '';
  beforeAll(async () => {
    h = await startHarness([...ALL_USERS, NEWCOMER]);
    const intake = intakeReadsFrom(h.store, { state: () => 'connected', stats: () => undefined });
    http = createHttpService({
      logger: silent,
      orders: orderReadsFromStore(h.orders),
      health: { ping: async () => undefined, mailState: () => 'connected' },
      botEndpoint: async () => undefined,
      desk: {
        services: orderServices(h.orders, h.directory),
        auth: { sessions: new DeskSessions(), directory: h.directory },
        desk: h.directory,
        intake,
        heldMails: heldMailActions(h),
        staticDir: loadConfig({}).desk.staticDir,
        host: '127.0.0.1',
        directoryList: async () =>
          (await h.directory.snapshot()).people.map((p) => ({ id: p.id, name: p.name, roles: p.roles })),
        secureCookies: false,
      },
    });
    base = `http://127.0.0.1:${await http.listen(0, '127.0.0.1')}`;
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await http?.close();
    await h?.close();
  }, 30_000);

  const fromNewcomer = async (subject: string, text: string, id: string) => {
    const before = (await folderCounts(h.stack)).Cuarentena ?? 0;
    await mailFromNewcomer(h, { subject, text, messageId: id });
    await waitFor('the mail held', async () => ((await folderCounts(h.stack)).Cuarentena ?? 0) > before);
  };

  it('lists held mail with why, discards with a reason, and releases from the page once the sender is registered', async () => {
    const hostile = 'No enciende <img src=x onerror="window.hacked=1"> \u202Eotpircs';
    await fromNewcomer(hostile, 'El monitor de la sala 4 no enciende.', '<d1@cjf.example.mx>');
    await fromNewcomer('Otra cosa', 'Tampoco funciona el teclado.', '<d2@cjf.example.mx>');

    const ana = await signInLocally(base, 'ana');
    const listed = (await (await ana.get('/desk/api/intake')).json()) as IntakeBody;
    expect(listed.held.items.map((m) => m.subject)).toEqual(['Otra cosa', hostile]);
    expect(listed.held.items[0]).toMatchObject({ folder: 'quarantine', sender: NEWCOMER.user });
    expect(listed.held.items[0]!.reason).toEqual(expect.any(String));
    const [second, first] = listed.held.items as [IntakeBody['held']['items'][0], IntakeBody['held']['items'][0]];

    // Other roles, a cookie without the CSRF header, unknown parameters, a missing reason: nothing changes.
    const engineer = await signInLocally(base, 'ingeniero');
    expect((await engineer.get('/desk/api/intake')).status).toBe(403);
    expect((await ana.get('/desk/api/intake?folder=inbox')).status).toBe(400);
    expect((await ana.post(`/desk/api/intake/held/${second.key}/discard`, { reason: 'duplicado' }, {})).status).toBe(
      403,
    );
    const noReason = await ana.post(`/desk/api/intake/held/${second.key}/discard`, { reason: ' ' });
    expect(noReason.status).toBe(400);
    expect((await folderCounts(h.stack)).Cuarentena).toBe(2);

    const discarded = await ana.post(`/desk/api/intake/held/${encodeURIComponent(second.key)}/discard`, {
      reason: 'Duplicado del primer correo',
    });
    expect(discarded.status).toBe(200);
    const refused = (await (await ana.get('/desk/api/intake?folder=refused')).json()) as IntakeBody;
    expect(refused.held.items).toEqual([
      expect.objectContaining({
        subject: 'Otra cosa',
        reason: 'discarded by Ana Analista: Duplicado del primer correo',
      }),
    ]);

    // Not registered yet: release is refused in Spanish and the mail stays held.
    const early = await ana.post(`/desk/api/intake/held/${encodeURIComponent(first.key)}/release`, {});
    expect(early.status).toBe(409);
    expect(((await early.json()) as { error: { message: string } }).error.message).toMatch(/sigue retenido/);

    await registerNewcomer(h);
    const orders = (await allOrders(h)).length;

    browser = await launchChromium();
    const { context, page } = await openDeskAs(browser, base, 'Ana Analista');
    await page.getByRole('tab', { name: 'Correo apartado' }).click();
    await page.getByRole('button', { name: /^Liberar: / }).waitFor();
    const shown = await page.getByRole('table', { name: 'Correos apartados' }).innerText();
    expect(shown).toContain('<img src=x');
    expect(shown).not.toContain('\u202E');
    expect(shown).toContain('Duplicado del primer correo');
    expect(await page.evaluate(() => (globalThis as unknown as { hacked?: number }).hacked)).toBeUndefined();
    const violations = await axeViolations(page, 'analyst-intake');
    expect(violations.filter((v) => v.startsWith('serious') || v.startsWith('critical'))).toEqual([]);

    await page.getByRole('button', { name: /^Liberar: / }).click();
    await page.getByText('Correo liberado: se registró una orden.').waitFor();
    expect(await allOrders(h)).toHaveLength(orders + 1);
    expect((await allOrders(h)).at(-1)!.requester.personId).toBe('lnueva');
    const counts = await folderCounts(h.stack);
    expect(counts.Cuarentena).toBe(0);
    expect(counts.Rechazados).toBe(1);
    await context.close();
  }, 240_000);
});
