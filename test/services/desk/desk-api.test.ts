import { MongoDirectoryStore } from '../../../services/directory/directory-store';
import { DeskSessions } from '../../../services/desk/sessions';
import { orderReadsFromStore } from '../../../services/http/order-reads';
import { createHttpService } from '../../../services/http/server';
import { MongoOrderStore } from '../../../services/orders/order-store';
import { openTestDatabase } from '../../support/mongo';
import { orderServices } from '../../support/order-services';
import { startDesk, seedOrder, signInLocally, silent, startJwks, TENANT, CLIENT } from './desk-support';

describe('Mesa API (/desk/api)', () => {
  let desk: Awaited<ReturnType<typeof startDesk>>;
  beforeAll(async () => {
    desk = await startDesk();
  }, 60_000);
  afterAll(async () => {
    await desk?.close();
  });

  it('refuses every API call without a sign-in, and offers the local sign-in on a loopback HOST', async () => {
    expect((await fetch(`${desk.base}/desk/api/me`)).status).toBe(401);
    expect((await fetch(`${desk.base}/desk/api/queue`)).status).toBe(401);
    expect(await (await fetch(`${desk.base}/desk/api/sign-in`)).json()).toEqual({
      local: true,
      teams: false,
      oidc: false,
    });
    const people = (await (await fetch(`${desk.base}/desk/api/local/people`)).json()) as {
      people: Array<{ name: string }>;
    };
    expect(people.people.map((p) => p.name)).toContain('Ana Laura López Hernández');
  });

  it('serves the built page with a policy that lets Teams frame it and no inline scripts', async () => {
    const res = await fetch(`${desk.base}/desk/`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain('frame-ancestors');
    expect(csp).toContain('https://teams.microsoft.com');
    expect(res.headers.get('x-frame-options')).toBeNull();
    const html = await res.text();
    const script = /src="(\/desk\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    expect((await fetch(`${desk.base}${script}`)).status).toBe(200);
    expect((await fetch(`${desk.base}/desk/assets/..%2Fpackage.json`)).status).toBe(404);
  });

  it("shows the analyst the queue with counts, and takes an order with the page's version", async () => {
    const order = await seedOrder(desk.tdb, 101, { description: '<script>alert(1)</script> ‮no imprime' });
    const ana = await signInLocally(desk.base, 'ana.lopez');
    const queue = (await (await ana.get('/desk/api/queue?view=new')).json()) as {
      items: Array<{ folio: string; description: string }>;
      counts: Record<string, number>;
    };
    expect(queue.items.map((i) => i.folio)).toContain(order.folio);
    expect(queue.counts.new).toBeGreaterThanOrEqual(1);
    const detail = (await (await ana.get(`/desk/api/orders/${order.folio}`)).json()) as {
      version: number;
      actions: Array<{ verb: string }>;
    };
    expect(detail.actions.map((a) => a.verb)).toContain('take');

    // A cookie alone changes nothing: the CSRF header must come with it.
    const noCsrf = await ana.post(
      `/desk/api/orders/${order.folio}/actions`,
      { verb: 'take', version: detail.version },
      {},
    );
    expect(noCsrf.status).toBe(403);
    const taken = await ana.post(`/desk/api/orders/${order.folio}/actions`, { verb: 'take', version: detail.version });
    expect(taken.status).toBe(200);
    const after = (await taken.json()) as { order: { status: string; version: number } };
    expect(after.order.status).toBe('desk');
    const mine = (await (await ana.get('/desk/api/queue?view=mine')).json()) as { items: Array<{ folio: string }> };
    expect(mine.items.map((i) => i.folio)).toContain(order.folio);

    // The same action from a page drawn before the take is stale: the answer is the order now and what changed.
    const stale = await ana.post(`/desk/api/orders/${order.folio}/actions`, {
      verb: 'cancel',
      version: detail.version,
      reason: 'duplicada',
    });
    expect(stale.status).toBe(409);
    const body = (await stale.json()) as {
      order: { status: string };
      changedSince: Array<{ action: string; by: string }>;
    };
    expect(body.order.status).toBe('desk');
    expect(body.changedSince).toEqual([expect.objectContaining({ action: 'take', by: 'Ana Laura López Hernández' })]);
  });

  it('answers a folio the person may not see as not found, and refuses views of other roles', async () => {
    const order = await seedOrder(desk.tdb, 102, { centreId: 'CJPF-BC-TIJ' });
    const patricia = await signInLocally(desk.base, 'patricia.garcia');
    expect((await patricia.get(`/desk/api/orders/${order.folio}`)).status).toBe(404);
    expect((await patricia.get('/desk/api/queue')).status).toBe(403);
    expect((await patricia.get('/desk/api/signatures')).status).toBe(200);
  });

  it('refuses a forged session cookie', async () => {
    const ana = await signInLocally(desk.base, 'ana.lopez');
    const forged = ana.cookie.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    expect((await fetch(`${desk.base}/desk/api/me`, { headers: { cookie: forged } })).status).toBe(401);
  });

  it('tells a page about a change made elsewhere within 2 s, over the event stream', async () => {
    const order = await seedOrder(desk.tdb, 103);
    const ana = await signInLocally(desk.base, 'ana.lopez');
    const controller = new AbortController();
    const stream = await fetch(`${desk.base}/desk/api/events`, {
      headers: { cookie: ana.cookie },
      signal: controller.signal,
    });
    expect(stream.headers.get('content-type')).toContain('text/event-stream');
    const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
    await reader.read(); // the greeting
    const started = Date.now();
    // Another actor, another channel: a direct write as the bot's use cases leave it.
    await desk.tdb.db
      .collection('orders')
      .updateOne({ _id: order._id }, { $set: { status: 'desk', updatedAt: new Date() }, $inc: { version: 1 } });
    let text = '';
    while (!text.includes(order.folio)) text += (await reader.read()).value ?? '';
    expect(Date.now() - started).toBeLessThan(2000);
    expect(text).toContain('event: orders');
    controller.abort();
  });
});

describe('Mesa sign-in by Entra ID (Teams SSO)', () => {
  let jwks: Awaited<ReturnType<typeof startJwks>>;
  let desk: Awaited<ReturnType<typeof startDesk>>;
  const issuer = `https://login.microsoftonline.com/${TENANT}/v2.0`;
  beforeAll(async () => {
    jwks = await startJwks();
    desk = await startDesk({ DESK_ENTRA_TENANT_ID: TENANT, DESK_ENTRA_CLIENT_ID: CLIENT, DESK_JWKS_URL: jwks.url });
  }, 60_000);
  afterAll(async () => {
    await desk?.close();
    await jwks?.close();
  });

  const me = (token: string) => fetch(`${desk.base}/desk/api/me`, { headers: { authorization: `Bearer ${token}` } });
  const claims = {
    iss: issuer,
    aud: `api://mesa.example/${CLIENT}`,
    tid: TENANT,
    preferred_username: 'ana.lopez@cjf.example.mx',
  };

  it('signs in the directory person a valid token names', async () => {
    const res = await me(await jwks.sign(claims));
    expect(res.status).toBe(200);
    expect(((await res.json()) as { person: { id: string }; signIn: string }).person.id).toBe('ana.lopez');
  });

  it.each([
    ['signed by another key', { ...claims }, { foreignKey: true }],
    ['expired', { ...claims }, { expiresIn: Math.floor(Date.now() / 1000) - 3600 }],
    ['of another tenant', { ...claims, tid: '99999999-2222-3333-4444-555555555555' }, {}],
    ['for another app', { ...claims, aud: 'api://mesa.example/00000000-0000-0000-0000-000000000000' }, {}],
    ['from another issuer', { ...claims, iss: 'https://login.example.com/v2.0' }, {}],
  ])('refuses a token %s with 401', async (_what, c, options) => {
    expect((await me(await jwks.sign(c, options))).status).toBe(401);
  });

  it('has no local sign-in when Entra is configured', async () => {
    expect((await fetch(`${desk.base}/desk/api/local/people`)).status).toBe(404);
    const res = await fetch(`${desk.base}/desk/api/local/sign-in`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ personId: 'ana.lopez' }),
    });
    expect(res.status).toBe(404);
  });
});

describe('the local sign-in on a service others can reach', () => {
  it('does not exist when the service listens on a non-loopback interface', async () => {
    const tdb = await openTestDatabase();
    const store = new MongoOrderStore(tdb.db);
    const directory = new MongoDirectoryStore(tdb.client, tdb.db);
    const http = createHttpService({
      logger: silent,
      orders: orderReadsFromStore(store),
      health: { ping: async () => undefined, mailState: () => 'disabled' },
      botEndpoint: async (_req, res) => {
        res.send(404);
      },
      desk: {
        services: orderServices(store, directory),
        auth: { sessions: new DeskSessions(), directory },
        desk: directory,
        staticDir: '/nonexistent',
        host: '0.0.0.0',
        directoryList: async () => [{ id: 'ana.lopez', name: 'Ana', roles: ['analyst'] }],
        secureCookies: false,
      },
    });
    // Configured for every interface, listening on loopback only for the test.
    const port = await http.listen(0, '127.0.0.1');
    try {
      const base = `http://127.0.0.1:${port}`;
      expect(await (await fetch(`${base}/desk/api/sign-in`)).json()).toEqual({
        local: false,
        teams: false,
        oidc: false,
      });
      expect((await fetch(`${base}/desk/api/local/people`)).status).toBe(404);
      const res = await fetch(`${base}/desk/api/local/sign-in`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ personId: 'ana.lopez' }),
      });
      expect(res.status).toBe(404);
    } finally {
      await http.close();
      await tdb.close();
    }
  });
});
