import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { ARTIFACTS, axeViolations, launchChromium, openDeskAs } from './chromium';
import { seedOrder, signInLocally, startDesk } from './desk-support';

interface Dashboard {
  months: Array<{
    month: string;
    orders: number;
    stillOpen: number;
    groups: Array<{ dimension: string; key: string; orders: number }>;
  }>;
}

describe('Mesa dashboard (/desk/api/dashboard)', () => {
  let desk: Awaited<ReturnType<typeof startDesk>>;
  let browser: Browser | undefined;
  beforeAll(async () => {
    desk = await startDesk();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await desk?.close();
  }, 30_000);

  it('gives each month the SLA report figures per centre, and what is still open; only to analysts', async () => {
    await seedOrder(desk.tdb, 301);
    await seedOrder(desk.tdb, 302, { status: 'closed' });
    await seedOrder(desk.tdb, 303, { centreId: 'CJPF-BC-TIJ' });
    const ana = await signInLocally(desk.base, 'ana.lopez');
    const body = (await (await ana.get('/desk/api/dashboard?months=3')).json()) as Dashboard;
    expect(body.months).toHaveLength(3);
    const current = body.months.at(-1)!;
    // The same figures the SLA report gives for this month.
    const now = new Date();
    const first = new Date(now.getFullYear(), now.getMonth(), 1);
    expect(current.month).toBe(`${first.getFullYear()}-${String(first.getMonth() + 1).padStart(2, '0')}`);
    expect(current.orders).toBe(3);
    expect(current.stillOpen).toBe(2);
    expect(current.groups).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ dimension: 'centre', key: 'CJPF-CDMX', orders: 2 }),
        expect.objectContaining({ dimension: 'centre', key: 'CJPF-BC-TIJ', orders: 1 }),
      ]),
    );
    expect((await ana.get('/desk/api/dashboard?months=13')).status).toBe(400);
    const miguel = await signInLocally(desk.base, 'miguel.torres');
    expect((await miguel.get('/desk/api/dashboard')).status).toBe(403);
  });

  it('shows each chart with a table alternative, passes axe, and prints without the navigation', async () => {
    browser = await launchChromium();
    const { context, page } = await openDeskAs(browser, desk.base, 'Ana Laura López Hernández');
    await page.getByRole('tab', { name: 'Tablero' }).click();
    await page.getByRole('table', { name: /Cumplimiento por mes/ }).waitFor();
    await page.getByRole('table', { name: 'Cumplimiento por sede y mes' }).waitFor();
    expect(await page.getByRole('table', { name: 'Cumplimiento por sede y mes' }).innerText()).toContain('CJPF-CDMX');
    const violations = await axeViolations(page, 'analyst-dashboard');
    expect(violations.filter((v) => v.startsWith('serious') || v.startsWith('critical'))).toEqual([]);
    await page.emulateMedia({ media: 'print' });
    expect(await page.getByRole('navigation', { name: 'Vistas' }).isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: 'Imprimir' }).isVisible()).toBe(false);
    await page.screenshot({ path: join(ARTIFACTS, 'analyst-dashboard-print.png'), fullPage: true });
    await context.close();
  }, 120_000);
});
