import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { guardLoopbackOnly } from '../support/loopback-only';
import { Card, cardText } from './support/cards';
import { cardsIn, HttpBotWorld, openHttpBotWorld } from './support/http-world';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');
const PDF = Buffer.from('%PDF-1.4\n%âãÏÓ\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

/** A loopback stand-in for Teams' file hosts: a photo and a PDF. */
async function startFileHost(): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const body = req.url === '/foto.png' ? PNG : req.url === '/informe.pdf' ? PDF : undefined;
    res.writeHead(body ? 200 : 404, { 'content-type': req.url === '/foto.png' ? 'image/png' : 'application/pdf' });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** The images of a card's image sets. */
const imagesOf = (card: Card): Array<{ url: string; altText: string }> => {
  const found: Array<{ url: string; altText: string }> = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const n = node as Card;
    if (n.type === 'Image') found.push({ url: String(n.url), altText: String(n.altText) });
    walk(n.body);
    walk(n.items);
    walk(n.images);
  };
  walk(card);
  return found;
};

describe('files of a report being drafted in Teams, on its summary card (real HTTP, CloudAdapter)', () => {
  const network = guardLoopbackOnly();
  let w: HttpBotWorld;
  let host: Awaited<ReturnType<typeof startFileHost>>;

  beforeAll(async () => {
    w = await openHttpBotWorld({ fileSecret: 'una-clave-de-prueba-de-al-menos-32-caracteres' });
    host = await startFileHost();
  }, 60_000);
  afterAll(async () => {
    await host?.close();
    await w?.close();
    network.restore();
  });
  afterEach(() => {
    expect(network.attempts).toEqual([]);
  });

  it('lists each file with its size, shows photos as thumbnails through signed links, before «confirmar»', async () => {
    const chat = w.chat('jose.chan');
    expect(await chat.text('la impresora de la sala 2 no imprime')).toMatch(/inventario/);
    await chat.say({
      attachments: [
        { contentType: 'image/png', contentUrl: `${host.url}/foto.png`, name: 'sala2.png' },
        {
          contentType: 'application/vnd.microsoft.teams.file.download.info',
          name: 'informe.pdf',
          content: { downloadUrl: `${host.url}/informe.pdf`, fileType: 'pdf' },
        },
      ],
    });
    const [summary] = cardsIn(await chat.say('no sé'));
    const text = cardText(summary!);
    expect(text).toMatch(/Resumen de tu reporte/);
    expect(text).toContain('Archivos (2)');
    expect(text).toContain(`📎 sala2.png (${PNG.length} B)`);
    expect(text).toContain(`📎 informe.pdf (${PDF.length} B)`);

    // One thumbnail, the photo's; its signed link opens it before the report exists.
    const images = imagesOf(summary!);
    expect(images.map((i) => i.altText)).toEqual(['sala2.png']);
    const link = images[0]!.url;
    expect(link).toMatch(/^\/files\//);
    const before = await fetch(`${w.baseUrl}${link}`);
    expect(before.status).toBe(200);
    expect(before.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await before.arrayBuffer())).toEqual(PNG);
    const forged = await fetch(`${w.baseUrl}${link.slice(0, -2)}xx`);
    expect(forged.status).toBe(403);

    const done = await chat.text('confirmar');
    const folio = /OS-\d{4}-\d{6}/.exec(done)![0];
    const made = (await w.store.findByFolio(folio))!;
    expect(made.attachments.map((a) => a.filename)).toEqual(['sala2.png', 'informe.pdf']);
    // The same link keeps opening the photo once the report is an order.
    expect((await fetch(`${w.baseUrl}${link}`)).status).toBe(200);
  });
});
