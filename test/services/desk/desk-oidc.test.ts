import { ChildProcess, spawn } from 'node:child_process';
import { createServer, AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { Browser, chromium } from 'playwright-core';
import { CLIENT, startDesk, TENANT } from './desk-support';

const SECRET = 'desk-oidc-test-client-secret';

/** Starts test/support/oidc-provider.mjs and resolves with its issuer. */
async function startProvider(redirectUri: string): Promise<{ issuer: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [join(__dirname, '../../support/oidc-provider.mjs'), CLIENT, SECRET, redirectUri, TENANT],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const line = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`oidc-provider exited ${code}`)));
    createInterface({ input: child.stdout! }).once('line', resolve);
  });
  return { issuer: (JSON.parse(line) as { issuer: string }).issuer, child };
}

/**
 * Browser sign-in against a real OpenID provider on loopback: the provider's own login and
 * consent pages, the code exchanged with PKCE, the ID token checked, a session opened.
 */
describe('Mesa sign-in by OpenID Connect in a browser', () => {
  let browser: Browser;
  let provider: { issuer: string; child: ChildProcess } | undefined;
  let desk: Awaited<ReturnType<typeof startDesk>> | undefined;
  let port = 0;

  beforeAll(async () => {
    // The redirect URI is registered with the provider before the service starts: take a free port first.
    port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as AddressInfo;
        probe.close(() => resolve(free));
      });
    });
    const base = `http://127.0.0.1:${port}`;
    provider = await startProvider(`${base}/desk/auth/callback`);
    desk = await startDesk({
      PORT: String(port),
      DESK_ENTRA_TENANT_ID: TENANT,
      DESK_ENTRA_CLIENT_ID: CLIENT,
      DESK_OIDC_ISSUER: provider.issuer,
      DESK_JWKS_URL: `${provider.issuer}/jwks`,
      DESK_OIDC_CLIENT_SECRET: SECRET,
    });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu'],
    });
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await desk?.close();
    provider?.child.kill('SIGTERM');
  }, 30_000);

  it('signs a directory person in through the provider and shows the page as them', async () => {
    const context = await browser.newContext({ locale: 'es-MX' });
    const page = await context.newPage();
    await page.goto(`${desk!.base}/desk/`);
    await page.getByRole('link', { name: 'Iniciar sesión con su cuenta institucional' }).click();
    await page.locator('input[name="login"]').fill('ana.lopez');
    await page.locator('input[name="password"]').fill('cualquiera');
    await page.locator('button[type="submit"]').click();
    await page.locator('button[type="submit"]').click(); // consent
    await page.getByText('Ana Laura López Hernández').waitFor();
    expect(page.url()).toBe(`${desk!.base}/desk/`);
    expect(await page.getByText('Inicio de sesión local').count()).toBe(0);
    const me = await page.evaluate(async () => (await fetch('/desk/api/me')).json());
    expect(me).toMatchObject({ person: { id: 'ana.lopez' }, signIn: 'oidc' });
    await context.close();
  }, 120_000);

  it('refuses a callback that no sign-in of this browser started', async () => {
    const res = await fetch(`${desk!.base}/desk/auth/callback?code=x&state=y`, { redirect: 'manual' });
    expect(res.status).toBe(401);
  });
});
