import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrowserContext, chromium, Page } from 'playwright-core';
import type { Playground } from './playground';
import { E2eWorld, openE2eWorld, PEOPLE } from './world';

const ARTIFACTS = join(__dirname, '../../../test-artifacts');
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * What a person sees: the emulator's own web UI in Debian's Chromium. The requester types a
 * report in the chat box, presses «Confirmar» on the summary card and reads the folio.
 */
describe('Teams emulator web UI (Chromium)', () => {
  let w: E2eWorld;
  let pg: Playground;
  let browser: BrowserContext;
  let page: Page;
  let profile: string;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    w = await openE2eWorld();
    pg = await w.open(PEOPLE.requester);
    profile = mkdtempSync(join(tmpdir(), 'chromium-profile-'));
    // A fresh profile per run (the persistent context is Playwright's way to pass --user-data-dir).
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: '/usr/bin/chromium',
      args: CHROMIUM_FLAGS,
      viewport: { width: 1280, height: 900 },
      locale: 'es-MX',
    });
    page = browser.pages()[0] ?? (await browser.newPage());
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await w?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  }, 30_000);

  const send = async (text: string) => {
    const box = page.getByRole('textbox').last();
    await box.click();
    await box.fill(text);
    await box.press('Enter');
  };

  it('shows the welcome, the questions, the summary card and the folio in Spanish', async () => {
    await page.goto(pg.url);
    await page.getByText('Personal Chat').first().click();
    await page
      .getByText(/soy la Mesa de Servicio de los Centros de Justicia Penal Federal/)
      .first()
      .waitFor({ timeout: 30_000 });

    await send('la impresora de la sala 3 no imprime');
    await page
      .getByText(/número de inventario/)
      .first()
      .waitFor({ timeout: 30_000 });
    await send('no sé');
    await page.getByText('Resumen de tu reporte').first().waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'teams-emulator-summary.png'), fullPage: true });
    await page.getByRole('button', { name: 'Confirmar' }).last().click();

    const folio = page.getByText(/Tu reporte quedó registrado con el folio/).first();
    await folio.waitFor({ timeout: 30_000 });
    const text = (await folio.textContent()) ?? '';
    await page.screenshot({ path: join(ARTIFACTS, 'teams-emulator-folio.png'), fullPage: true });
    const number = /OS-\d{4}-\d{6}/.exec(text)?.[0];
    expect(number).toBeDefined();
    // The same folio reached the person's chat as a message (not only on screen).
    expect(pg.messages.some((m) => (m.text ?? '').includes(number!))).toBe(true);
  }, 120_000);
});
