import type { ParsedMail } from 'mailparser';
import { createHttpService, HttpService } from '../../services/http/server';
import { orderReadsFromStore } from '../../services/http/order-reads';
import { MongoLinkUses, providerActionLink, ProviderLinkDeps } from '../../services/links/provider-links';
import { loadProviderFacts, providerMailParagraphs } from '../../services/notifications/provider-brief';
import { acceptOrder } from '../../services/orders/accept-order';
import { assignEngineer } from '../../services/orders/assign-engineer';
import { confirmValidation } from '../../services/orders/confirm-validation';
import { reportOrder } from '../../services/orders/report-order';
import { signOrder } from '../../services/orders/sign-order';
import { takeOrder } from '../../services/orders/take-order';
import { turnToProvider } from '../../services/orders/turn-to-provider';
import type { ServiceOrder } from '../../services/orders/types';
import { SEED_POLICY } from '../../services/workflow';
import {
  DESK,
  DIRECTORY,
  ENGINEER,
  Harness,
  mailMatching,
  PROVIDER,
  runPollerUntilEmpty,
  sendMail,
  silent,
  startHarness,
  waitForDesk,
} from './support/harness';

const SECRET = 'a-test-secret-of-at-least-thirty-two-characters';
const ZONE = 'America/Mexico_City';

describe('a provider by email', () => {
  let h: Harness;
  let http: HttpService;
  let base = '';
  const linkDeps = (): ProviderLinkDeps => ({
    secret: SECRET,
    publicBaseUrl: base,
    ttlMs: 3600_000,
    directory: h.directory,
  });

  beforeAll(async () => {
    h = await startHarness(undefined, undefined, {
      providerMail: async (order, email) =>
        providerMailParagraphs(
          order,
          await loadProviderFacts(h.directory, order),
          await providerActionLink(linkDeps(), order, email),
        ),
    });
    await h.directory.replaceAll({
      ...DIRECTORY,
      centres: DIRECTORY.centres.map((c) => ({ ...c, address: 'Av. Insurgentes Sur 1000, Col. Del Valle' })),
      people: DIRECTORY.people.map((p) => (p.id === 'jpena' ? { ...p, extension: '4321' } : p)),
    });
    http = createHttpService({
      logger: silent,
      orders: orderReadsFromStore(h.orders),
      health: { ping: async () => undefined, mailState: () => 'disabled' },
      botEndpoint: async () => undefined,
      providerActions: {
        secret: SECRET,
        uses: new MongoLinkUses(h.db.db),
        services: { orders: h.orders, directory: h.directory, policy: SEED_POLICY, analystRouting: 'all' },
      },
    });
    base = `http://127.0.0.1:${await http.listen(0, '127.0.0.1')}`;
  }, 120_000);
  afterAll(async () => {
    await http?.close();
    await h?.close();
  });

  const deps = () => ({ orders: h.orders, directory: h.directory, timeZone: ZONE });
  const current = async (o: ServiceOrder) => (await h.orders.findById(o._id))!;
  const linkIn = (mail: ParsedMail) => {
    const found = /http:\/\/127\.0\.0\.1:\d+\/provider\/[A-Za-z0-9._~%-]+/.exec(mail.text ?? '');
    expect(found).not.toBeNull();
    return found![0];
  };
  const formTokenIn = (html: string) => /name="form" value="([^"]+)"/.exec(html)?.[1] ?? '';
  const post = (url: string, fields: Record<string, string>) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });

  async function orderAtProvider(description: string): Promise<ServiceOrder> {
    const o = await reportOrder(deps(), {
      channel: 'email',
      requesterId: 'jpena',
      centreId: 'CJPF-CDMX',
      equipment: { type: 'printer', location: 'Sala de audiencias 3' },
      description,
    });
    const orderId = o._id.toHexString();
    await takeOrder(deps(), { orderId, actorId: 'ana', channel: 'teams' });
    await assignEngineer(deps(), { orderId, actorId: 'ana', channel: 'teams', engineerId: 'ingeniero' });
    await acceptOrder(deps(), { orderId, actorId: 'ingeniero', channel: 'teams' });
    await turnToProvider(deps(), { orderId, actorId: 'ingeniero', channel: 'teams', contractId: 'CT-1' });
    await h.deliverNotices();
    return current(o);
  }

  it('mails the provider what a visit needs and a link whose page records the attention once, as the provider', async () => {
    const o = await orderAtProvider('La impresora <b>no</b> imprime & hace ruido');
    const mail = await mailMatching(h, PROVIDER, (m) => (m.subject ?? '').includes(o.folio));
    const text = mail.text ?? '';
    for (const fact of [
      'CJPF Ciudad de México',
      'Av. Insurgentes Sur 1000, Col. Del Valle',
      'Ubicación: Sala de audiencias 3',
      'Solicitante: José Peña',
      'Extensión: 4321',
      'jose.pena@cjf.example.mx',
      'Contrato: CT-2026-01',
      '(hora de America/Mexico_City)',
    ])
      expect(text).toContain(fact);
    expect(text).toMatch(/Plazo de atención: \d{1,2} de \w+ de \d{4},? (a las )?\d{1,2}:\d{2}/);
    const link = linkIn(mail);

    // A scanner (or the provider) opening the link twice changes nothing.
    for (let i = 0; i < 2; i += 1) {
      const page = await fetch(link);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toContain("form-action 'self'");
      const html = await page.text();
      expect(html).toContain('La impresora &#60;b&#62;no&#60;/b&#62; imprime &#38; hace ruido');
      expect(html).not.toContain('<b>no</b>');
      expect(html).toContain('Registrar atención');
      expect(html).not.toContain('name="documentation"');
    }
    expect((await current(o)).status).toBe('provider');
    const html = await (await fetch(link)).text();

    // Without the page's form token nothing happens.
    expect((await post(link, { action: 'record_provider_attention' })).status).toBe(403);
    expect((await current(o)).status).toBe('provider');

    const done = await post(link, {
      form: formTokenIn(html),
      action: 'record_provider_attention',
      note: 'Cambio de fusor',
    });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('Pendiente de validación');
    const after = await current(o);
    expect(after.status).toBe('validation');
    expect(after.history.at(-1)).toMatchObject({
      action: 'record_provider_attention',
      by: { personId: 'prov1' },
      role: 'provider',
      channel: 'email',
      note: 'Cambio de fusor',
    });

    // Used once: a second post and a later visit are refused, and nothing changes.
    expect((await post(link, { form: formTokenIn(html), action: 'record_provider_attention' })).status).toBe(410);
    const again = await fetch(link);
    expect(again.status).toBe(410);
    expect(await again.text()).toContain('ya se usó');
    expect((await current(o)).version).toBe(after.version);

    // The engineer who turned it hears that the provider attended.
    await h.deliverNotices();
    const told = await mailMatching(h, ENGINEER, (m) =>
      (m.subject ?? '').includes(`El proveedor atendió la orden ${o.folio}`),
    );
    expect(told.text).toContain('registró la atención');
  }, 120_000);

  it('refuses forged and expired links with a clear page, and says what the state is now on a stale one', async () => {
    const o = await orderAtProvider('El equipo no enciende');
    const link = (await providerActionLink(linkDeps(), o, PROVIDER.user))!;
    const forged = `${link.slice(0, -3)}${link.endsWith('AAA') ? 'BBB' : 'AAA'}`;
    const bad = await fetch(forged);
    expect(bad.status).toBe(403);
    expect(await bad.text()).toContain('El enlace no es válido');
    const expired = (await providerActionLink(
      { ...linkDeps(), ttlMs: 1000, now: () => Date.now() - 60_000 },
      o,
      PROVIDER.user,
    ))!;
    const gone = await fetch(expired);
    expect(gone.status).toBe(410);
    expect(await gone.text()).toContain('El enlace ya venció');

    // The page was shown while the order was with the provider; the engineer records it first.
    const form = formTokenIn(await (await fetch(link)).text());
    await (
      await import('../../services/orders/record-provider-attention')
    ).recordProviderAttention(deps(), { orderId: o._id.toHexString(), actorId: 'ingeniero', channel: 'teams' });
    const before = await current(o);
    const stale = await post(link, { form, action: 'record_provider_attention' });
    expect(stale.status).toBe(409);
    expect(await stale.text()).toContain('está ahora «Pendiente de validación»');
    expect((await current(o)).version).toBe(before.version);
    // Nothing happened, so the link was not spent: it still opens.
    expect((await fetch(link)).status).toBe(200);
  }, 120_000);

  it('documents the resolution from the link of the signed-order mail, and the engineer hears plain replies', async () => {
    const o = await orderAtProvider('No escanea');
    const orderId = o._id.toHexString();
    await (
      await import('../../services/orders/record-provider-attention')
    ).recordProviderAttention(deps(), { orderId, actorId: 'prov1', channel: 'email' });
    await confirmValidation(deps(), { orderId, actorId: 'jpena', channel: 'teams' });
    const toSign = await current(o);
    await signOrder(deps(), { orderId, actorId: 'juez', channel: 'teams', expectedVersion: toSign.version });
    await h.deliverNotices();
    const signed = await mailMatching(h, PROVIDER, (m) => (m.subject ?? '').includes(`Orden ${o.folio} firmada`));
    const link = linkIn(signed);
    const html = await (await fetch(link)).text();
    expect(html).toContain('name="documentation"');
    const empty = await post(link, { form: formTokenIn(html), action: 'document', documentation: '' });
    expect(empty.status).toBe(400);
    expect((await current(o)).status).toBe('validated');
    const done = await post(link, {
      form: formTokenIn(html),
      action: 'document',
      documentation: 'Se sustituyó el módulo de escaneo.',
    });
    expect(done.status).toBe(200);
    const resolved = await current(o);
    expect(resolved.status).toBe('resolved');
    expect(resolved.resolution?.documentation).toBe('Se sustituyó el módulo de escaneo.');

    // A plain reply from the provider stays a comment, and the engineer hears it.
    const other = await orderAtProvider('No enciende el monitor');
    await sendMail(h.stack, {
      from: `Pedro Proveedor <${PROVIDER.user}>`,
      to: DESK.user,
      subject: `Re: [${other.folio}] Orden turnada`,
      text: 'Atendimos la orden el día de hoy; quedó funcionando.',
      envelope: { from: PROVIDER.user, to: DESK.user },
    });
    await waitForDesk(h);
    await runPollerUntilEmpty(h);
    const commented = await current(other);
    expect(commented.status).toBe('provider');
    expect(commented.history.at(-1)).toMatchObject({ action: 'comment', by: { personId: 'prov1' } });
    await h.deliverNotices();
    const heard = await mailMatching(h, ENGINEER, (m) =>
      (m.subject ?? '').includes(`Nuevo comentario en la orden ${other.folio}`),
    );
    expect(heard.text).toContain('Atendimos la orden');
  }, 180_000);
});
