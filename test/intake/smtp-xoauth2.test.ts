import { simpleParser } from 'mailparser';
import { AppError } from '../../services/errors';
import { SmtpMailSender, type OutgoingMail } from '../../services/mail/mail-sender';
import { createTokenProvider, msalAcquirer } from '../../services/mail/oauth-token';
import { MailStack, startMailStack } from '../support/mail-stack';
import { OAuthStandIn, startOAuthStandIn } from '../support/oauth-server';
import { DESK, mailsIn, REQUESTER, silent, waitFor } from './support/harness';

// The SMTP half of MAIL_AUTH=oauth2: the service's own sender signs in to the stack's Exim
// by XOAUTH2; Exim's dovecot authenticator hands the exchange to Dovecot, whose oauth2
// passdb asks the identity stand-in's introspection endpoint about the token.
const CLIENT = {
  tenantId: 'tenant-cjpf',
  clientId: 'mesa-cliente',
  clientSecret: 'secreto-de-prueba',
  scope: 'https://outlook.office365.com/.default',
};
const LIFETIME_S = 6;
const RENEW_BEFORE_MS = 3000;

let sequence = 0;
function notice(subject: string): OutgoingMail {
  sequence += 1;
  return {
    to: REQUESTER.user,
    subject,
    text: `${subject}\n`,
    html: `<p>${subject}</p>`,
    messageId: `<smtp-xoauth2-${sequence}-${Date.now()}@cjf.example.mx>`,
    headers: { 'Auto-Submitted': 'auto-generated' },
  };
}

describe('SMTP XOAUTH2 sign-in (msal client credentials → Exim dovecot authenticator → oauth2 passdb)', () => {
  let idp: OAuthStandIn;
  let stack: MailStack;
  const senders: SmtpMailSender[] = [];

  const provider = (secret = CLIENT.clientSecret) =>
    createTokenProvider({
      acquire: msalAcquirer({ ...CLIENT, clientSecret: secret, authority: idp.authority, tlsCa: idp.ca }),
      renewBeforeMs: RENEW_BEFORE_MS,
      logger: silent,
    });
  const sender = (accessToken: () => Promise<string>) => {
    const s = new SmtpMailSender({
      ...stack.smtp,
      secure: false,
      ignoreTLS: true,
      user: DESK.user,
      accessToken,
      from: DESK.user,
    });
    senders.push(s);
    return s;
  };
  /** Exim's reception line ("<=") of one message, if it was accepted (Exim logs the id without brackets). */
  const received = (messageId: string) =>
    stack
      .logs()
      .split('\n')
      .find((l) => l.includes(' <= ') && l.includes(` id=${messageId.replace(/^<|>$/g, '')}`));
  const subjectsOf = async () =>
    Promise.all((await mailsIn(stack, REQUESTER)).map(async (s) => (await simpleParser(s)).subject));

  beforeAll(async () => {
    idp = await startOAuthStandIn({
      tenant: CLIENT.tenantId,
      clientId: CLIENT.clientId,
      clientSecret: CLIENT.clientSecret,
      username: DESK.user,
      lifetimeSeconds: LIFETIME_S,
    });
    stack = await startMailStack({ users: [DESK, REQUESTER], oauth2: { introspectionUrl: idp.introspectionUrl } });
  });
  afterAll(async () => {
    await Promise.all(senders.map((s) => s.close()));
    await stack?.stop();
    await idp?.stop();
  });

  it('sends a notice signed in by XOAUTH2 with an msal token, and it reaches the INBOX', async () => {
    const mail = notice('Orden OS-2026-000101 registrada');
    await sender(provider()).send(mail);

    const line = received(mail.messageId);
    expect(line).toBeDefined();
    expect(line).toContain(`P=esmtpa A=xoauth2:${DESK.user} `);
    const token = idp.issued.at(-1)!.token;
    expect(idp.introspected).toContain(token);
    expect(stack.logs()).not.toMatch(/passwd-file\([^)]*\): Password mismatch/); // the token is no password
    await waitFor('delivery to the requester', async () => (await subjectsOf()).includes(mail.subject));
  });

  it('refuses an expired or unknown token: UPSTREAM error, nothing accepted or delivered', async () => {
    const before = (await mailsIn(stack, REQUESTER)).length;
    const refused: OutgoingMail[] = [];
    for (const token of [idp.mint(-1000), 'token-inventado']) {
      const mail = notice(`No debe llegar (${token.slice(0, 6)})`);
      refused.push(mail);
      const attempt = sender(async () => token).send(mail);
      await expect(attempt).rejects.toBeInstanceOf(AppError);
      await expect(attempt).rejects.toMatchObject({
        code: 'UPSTREAM',
        message: expect.stringMatching(/SMTP send failed: Invalid login: 535\b/),
      });
      expect(idp.introspected).toContain(token);
    }
    expect(stack.logs()).toMatch(/xoauth2 authenticator failed for .*535 Incorrect authentication data/);
    for (const mail of refused) expect(received(mail.messageId)).toBeUndefined();
    // Delivery is asynchronous: give Exim a moment before checking nothing arrived.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await mailsIn(stack, REQUESTER)).toHaveLength(before);
  });

  it('surfaces a token the identity provider will not issue as UPSTREAM, without sending', async () => {
    const mail = notice('Tampoco debe llegar');
    await expect(sender(provider('otro-secreto')).send(mail)).rejects.toMatchObject({
      code: 'UPSTREAM',
      message: expect.stringContaining('mail access token'),
    });
    expect(received(mail.messageId)).toBeUndefined();
  });

  it('renews the token before it expires, and a send signed in with the renewed token arrives', async () => {
    const accessToken = provider();
    const first = notice('Antes de renovar');
    await sender(accessToken).send(first);
    const firstToken = idp.issued.at(-1)!;
    expect(received(first.messageId)).toContain(`A=xoauth2:${DESK.user} `);

    // Past the first token's expiry: only a renewed token can sign in now. A new sender opens
    // a new connection (a pooled one stays signed in), as after an idle disconnect.
    await new Promise((resolve) => setTimeout(resolve, firstToken.expiresAt + 200 - Date.now()));
    const requests = idp.tokenRequests;
    const second = notice('Después de renovar');
    await sender(accessToken).send(second);
    expect(idp.tokenRequests).toBe(requests + 1);
    const renewed = idp.issued.at(-1)!;
    expect(renewed.token).not.toBe(firstToken.token);
    expect(idp.introspected.at(-1)).toBe(renewed.token);
    expect(received(second.messageId)).toContain(`A=xoauth2:${DESK.user} `);
    await waitFor('both mails delivered', async () => {
      const subjects = await subjectsOf();
      return subjects.includes(first.subject) && subjects.includes(second.subject);
    });
  });

  it('replaces a token the server refuses before its time (revoked) and the send still goes out', async () => {
    const accessToken = provider();
    const first = notice('Con el primer token');
    await sender(accessToken).send(first);
    const firstToken = idp.issued.at(-1)!;
    idp.revoke(firstToken.token);
    // A new connection signs in with the cached token, is refused, and asks for a new one.
    const requests = idp.tokenRequests;
    const second = notice('Con el token de reemplazo');
    await sender(accessToken).send(second);
    expect(idp.tokenRequests).toBe(requests + 1);
    const replacement = idp.issued.at(-1)!;
    expect(replacement.token).not.toBe(firstToken.token);
    expect(idp.introspected.slice(-2)).toEqual([firstToken.token, replacement.token]);
    expect(received(second.messageId)).toContain(`A=xoauth2:${DESK.user} `);
    await waitFor('the second mail delivered', async () => (await subjectsOf()).includes(second.subject));
  });
});
