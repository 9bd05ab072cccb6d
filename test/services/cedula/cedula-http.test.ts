import { createHttpService, HttpService } from '../../../services/http/server';
import type { OrderReads } from '../../../services/http/ports';
import { CedulaIssuer } from '../../../services/cedula/cedula-issuer';
import { cedulaReads } from '../../../services/cedula/cedula-routes';
import { MongoCedulaStore } from '../../../services/cedula/cedula-store';
import { verifyCedula } from '../../../services/cedula/verify-cedula';
import type { ServiceOrder } from '../../../services/orders/types';
import { EXAMPLE_DESK_TARGETS } from '../../support/desk-targets';
import { quietLogger } from '../outbox/fixtures';
import { openWorld, World } from '../orders/world';
import { closedThroughProvider, SECRET } from './support';

const TOKEN = 'cedula-token-0123456789';
let w: World;
let http: HttpService;
let base: string;
let order: ServiceOrder;
let code: string;

beforeAll(async () => {
  w = await openWorld();
  const store = new MongoCedulaStore(w.t.db);
  await store.ensureIndexes();
  order = await closedThroughProvider(w);
  await new CedulaIssuer({
    store,
    directory: w.directory,
    desk: EXAMPLE_DESK_TARGETS,
    secret: SECRET,
    logger: quietLogger(),
  }).issueOnce();
  code = (await store.byFolio(order.folio))!.code;
  http = createHttpService({
    logger: quietLogger(),
    apiToken: TOKEN,
    orders: {} as OrderReads,
    cedula: cedulaReads(store, (c) => verifyCedula({ store, secret: SECRET }, c)),
    health: { ping: async () => undefined, mailState: () => 'disabled' },
    botEndpoint: async (_req, res) => {
      res.send(404);
    },
  });
  base = `http://127.0.0.1:${await http.listen(0, '127.0.0.1')}`;
});
afterAll(async () => {
  await http.close();
  await w.t.close();
});

describe('GET /cedula/verify/:code', () => {
  it('shows a Spanish page saying the Cédula is authentic, without any token', async () => {
    const res = await fetch(`${base}/cedula/verify/${code}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html; charset=utf-8/);
    const html = await res.text();
    expect(html).toContain('Cédula auténtica y sin alteraciones');
    expect(html).toContain(order.folio);
  });

  it('answers JSON when asked for it', async () => {
    const res = await fetch(`${base}/cedula/verify/${code}`, { headers: { accept: 'application/json' } });
    expect(await res.json()).toMatchObject({ verdict: 'authentic', folio: order.folio, code });
  });

  it('says a code is unknown (404) and never echoes markup', async () => {
    const res = await fetch(`${base}/cedula/verify/${encodeURIComponent('<b>x</b>')}`);
    expect(res.status).toBe(404);
    const html = await res.text();
    expect(html).toContain('Código desconocido');
    expect(html).not.toContain('<b>x</b>');
  });

  it('says a code whose stored content changed is tampered', async () => {
    const cedulas = w.t.db.collection<{ _id: unknown; content: string }>('cedulas');
    const record = (await cedulas.findOne({ code }))!;
    await cedulas.updateOne({ code }, { $set: { content: record.content.replace(order.folio, 'OS-2026-999999') } });
    try {
      const res = await fetch(`${base}/cedula/verify/${code}`, { headers: { accept: 'application/json' } });
      expect(await res.json()).toMatchObject({ verdict: 'tampered' });
    } finally {
      await cedulas.updateOne({ code }, { $set: { content: record.content } });
    }
  });
});

describe('GET /api/orders/:folio/cedula', () => {
  it('downloads the PDF with the bearer token', async () => {
    const res = await fetch(`${base}/api/orders/${order.folio}/cedula`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(
      Buffer.from(await res.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
  });

  it('refuses without the token and answers 404 for an order without a Cédula', async () => {
    expect((await fetch(`${base}/api/orders/${order.folio}/cedula`)).status).toBe(401);
    const missing = await fetch(`${base}/api/orders/OS-2026-999999/cedula`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });
});

describe('GET /cedula/:code.pdf', () => {
  it('serves the issued PDF, byte for byte, to whoever holds the code, without a token', async () => {
    const store = new MongoCedulaStore(w.t.db);
    const issued = (await store.readPdf((await store.byCode(code))!.fileId))!;
    const res = await fetch(`${base}/cedula/${code}.pdf`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="cedula-${order.folio}.pdf"`);
    expect(Buffer.from(await res.arrayBuffer()).equals(issued)).toBe(true);
  });

  it('answers 404 for an unknown code, a malformed one and a name without .pdf', async () => {
    for (const path of ['/cedula/AAAAA-BBBBB-CCCCC-DDDDD.pdf', '/cedula/nada.pdf', `/cedula/${code}`]) {
      const res = await fetch(`${base}${path}`);
      expect([path, res.status]).toEqual([path, 404]);
      expect(await res.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    }
  });
});
