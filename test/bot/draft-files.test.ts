import { Card, cardText } from './support/cards';
import { FileHost, PDF, PNG, startFileHost } from './support/file-host';
import { useHttpBotWorld } from './support/http-suite';
import { cardsIn, HttpBotWorld } from './support/http-world';

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
  let w: HttpBotWorld;
  let host: FileHost;

  useHttpBotWorld(
    async (opened) => {
      w = opened;
      host = await startFileHost();
    },
    { fileSecret: 'una-clave-de-prueba-de-al-menos-32-caracteres' },
  );
  afterAll(async () => {
    await host?.close();
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
