import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';

/** Where the Mesa suites leave their screenshots, for a person to look at after a run. */
export const ARTIFACTS = join(__dirname, '../../../test-artifacts/desk');
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** The system's headless Chromium (test/support/install-chromium.sh), with ARTIFACTS made. */
export async function launchChromium(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}

/**
 * A fresh browser context (own cookies) on Mesa at `base`, signed in locally as the person
 * whose button is `name`. axe is injected into these pages, so their CSP is bypassed.
 */
export async function openDeskAs(
  browser: Browser,
  base: string,
  name: string,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    locale: 'es-MX',
    viewport: { width: 1280, height: 900 },
    bypassCSP: true,
  });
  const page = await context.newPage();
  await page.goto(`${base}/desk/`);
  await page.getByRole('button', { name }).click();
  return { context, page };
}

/**
 * Saves the page as `<view>.png` under ARTIFACTS, then runs axe over it and gives every
 * violation as `impact:id` followed by the offending markup.
 */
export async function axeViolations(page: Page, view: string): Promise<string[]> {
  await page.screenshot({ path: join(ARTIFACTS, `${view}.png`), fullPage: true });
  await page.addScriptTag({ content: AXE });
  return page.evaluate(async () => {
    // Fluent UI's focus manager (tabster) places aria-hidden focus sentinels that hand focus on
    // at once; they are never a stop for a keyboard or a screen reader, so axe skips them.
    const result = await (
      globalThis as unknown as {
        axe: { run(context: unknown): Promise<{ violations: Array<{ id: string; impact: string }> }> };
      }
    ).axe.run({ exclude: [['[data-tabster-dummy]']] });
    return result.violations.map(
      (v) =>
        `${v.impact}:${v.id} ${JSON.stringify((v as unknown as { nodes: Array<{ html: string }> }).nodes.map((n) => n.html)).slice(0, 400)}`,
    );
  });
}
