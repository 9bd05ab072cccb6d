import { ImapMailSource } from '../../intake';
import { AppError } from '../../services/errors';
import { AccessTokenSource, createTokenProvider, msalAcquirer } from '../../services/mail/oauth-token';
import { OAuthStandIn, startOAuthStandIn } from '../support/oauth-server';
import {
  allOrders,
  DESK,
  folderCounts,
  Harness,
  sendMail,
  silent,
  startHarness,
  waitFor,
  ALL_USERS,
} from './support/harness';

const CLIENT = {
  tenantId: 'tenant-cjpf',
  clientId: 'mesa-cliente',
  clientSecret: 'secreto-de-prueba',
  scope: 'https://outlook.office365.com/.default',
};
const LIFETIME_S = 6;
const RENEW_BEFORE_MS = 3000;

describe('XOAUTH2 sign-in (msal client credentials → Dovecot oauth2 passdb)', () => {
  let idp: OAuthStandIn;
  let h: Harness;
  const provider = (renewBeforeMs = RENEW_BEFORE_MS, secret = CLIENT.clientSecret) =>
    createTokenProvider({
      acquire: msalAcquirer({ ...CLIENT, clientSecret: secret, authority: idp.authority, tlsCa: idp.ca }),
      renewBeforeMs,
      logger: silent,
    });
  const source = (accessToken: AccessTokenSource) =>
    new ImapMailSource({
      ...h.stack.imap,
      secure: false,
      doSTARTTLS: false,
      user: DESK.user,
      accessToken,
      logger: silent,
    });

  beforeAll(async () => {
    idp = await startOAuthStandIn({
      tenant: CLIENT.tenantId,
      clientId: CLIENT.clientId,
      clientSecret: CLIENT.clientSecret,
      username: DESK.user,
      lifetimeSeconds: LIFETIME_S,
    });
    h = await startHarness(ALL_USERS, { oauth2: { introspectionUrl: idp.introspectionUrl } });
  });
  afterAll(async () => {
    await h?.close();
    await idp?.stop();
  });

  it('reads a mail into an order when the poller signs in by XOAUTH2 with an msal token', async () => {
    await sendMail(h.stack, {
      from: 'José Peña <jose.pena@cjf.example.mx>',
      to: DESK.user,
      messageId: '<oauth-1@cjf.example.mx>',
      subject: 'No enciende el monitor de la sala 2',
      text: 'El monitor no enciende.',
    });
    await waitFor('delivery', async () => (await folderCounts(h.stack)).INBOX === 1);
    const accessToken = provider();
    const poller = h.poller({ source: () => source(accessToken) });
    poller.start();
    try {
      await waitFor('processed', async () => (await folderCounts(h.stack)).Procesados === 1);
    } finally {
      await poller.stop();
    }
    expect((await allOrders(h)).map((o) => o.channel)).toEqual(['email']);
    expect(h.stack.logs()).toMatch(new RegExp(`Login: user=<${DESK.user}>, method=XOAUTH2`));
    expect(idp.introspected).toContain(idp.issued.at(-1)?.token);
  });

  it('is refused with an expired or unknown token, and a wrong client secret is an UPSTREAM error', async () => {
    const expired = idp.mint(-1000);
    for (const token of [expired, 'token-inventado']) {
      const s = source(async () => token);
      await expect(s.connect()).rejects.toThrow();
      await s.close().catch(() => undefined);
    }
    expect(idp.introspected).toEqual(expect.arrayContaining([expired, 'token-inventado']));
    const wrong = provider(RENEW_BEFORE_MS, 'otro-secreto');
    await expect(wrong()).rejects.toMatchObject({ code: 'UPSTREAM' });
    await expect(wrong()).rejects.toBeInstanceOf(AppError);
  });

  it('signs in again with a new token when the server refuses one revoked before its time', async () => {
    const accessToken = provider();
    const first = source(accessToken);
    await first.connect();
    await first.close();
    const revoked = idp.issued.at(-1)!.token;
    idp.revoke(revoked);
    const requests = idp.tokenRequests;
    const again = source(accessToken);
    await again.connect();
    await again.close();
    expect(idp.tokenRequests).toBe(requests + 1);
    expect(idp.introspected.slice(-2)).toEqual([revoked, idp.issued.at(-1)!.token]);
  });

  it('caches the token, shares one request between callers, and renews it before it expires', async () => {
    const accessToken = provider();
    const before = idp.tokenRequests;
    const [first, again] = await Promise.all([accessToken(), accessToken()]);
    expect(again).toBe(first);
    expect(await accessToken()).toBe(first);
    expect(idp.tokenRequests).toBe(before + 1);
    const firstExpiresAt = idp.issued.find((t) => t.token === first)!.expiresAt;

    // msal rounds expiry to whole seconds (up to 1 s late): with a 3 s margin the provider is
    // due 2 s before the real expiry, so a call 1 s before it must already bring a new token.
    await new Promise((resolve) => setTimeout(resolve, firstExpiresAt - 1000 - Date.now()));
    const renewed = await accessToken();
    expect(renewed).not.toBe(first);
    expect(Date.now()).toBeLessThan(firstExpiresAt); // renewed while the old one was still valid
    expect(idp.tokenRequests).toBe(before + 2);

    const s = source(accessToken);
    await s.connect();
    await s.close();
  });
});
