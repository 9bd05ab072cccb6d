import { AttachmentFiles } from '../../services/files/attachment-files';
import { reportOrder } from '../../services/orders/report-order';
import type { ServiceOrder } from '../../services/orders/types';
import { fileHostAllowed } from '../../bot/teams-files';
import { TEST_ZONE } from '../support/order-services';
import { FileHost, PDF, PNG, startFileHost } from './support/file-host';
import { useHttpBotWorld } from './support/http-suite';
import type { HttpBotWorld } from './support/http-world';

describe('photos and files sent in a Teams chat (real HTTP, CloudAdapter)', () => {
  let w: HttpBotWorld;
  let host: FileHost;
  let order: ServiceOrder;
  const stored = async (o: ServiceOrder) => (await w.store.findById(o._id))!;
  const image = (name: string, path: string) => ({ contentType: 'image/png', contentUrl: `${host.url}${path}`, name });
  const upload = (name: string, url: string) => ({
    contentType: 'application/vnd.microsoft.teams.file.download.info',
    name,
    content: { downloadUrl: url, fileType: name.split('.').pop() },
  });

  useHttpBotWorld(async (opened) => {
    w = opened;
    host = await startFileHost();
    order = await reportOrder(
      { orders: w.store, directory: w.directory, timeZone: TEST_ZONE },
      {
        channel: 'teams',
        actorId: 'fernando.ruiz',
        requesterId: 'fernando.ruiz',
        equipment: { type: 'printer' },
        description: 'La impresora no imprime',
      },
    );
  });
  afterAll(async () => {
    await host?.close();
  });

  it('keeps a photo and a file sent with a follow-up and attaches them to the chosen order', async () => {
    const chat = w.chat('fernando.ruiz');
    const text = await chat.text({
      text: 'así se ve el error en la pantalla',
      attachments: [image('foto.png', '/foto.png'), upload('informe.pdf', `${host.url}/informe.pdf`)],
    });
    expect(text).toMatch(/Recibí 2 archivos: foto.png, informe.pdf\./);
    expect(text).toMatch(/¿Tu mensaje es sobre alguna de ellas\?/);
    expect(await chat.text({ value: { followUp: 'order', orderId: order._id.toHexString() } })).toMatch(
      /Agregué tu mensaje/,
    );
    const entry = (await stored(order)).history.at(-1)!;
    expect(entry).toMatchObject({ action: 'comment', channel: 'teams', note: 'así se ve el error en la pantalla' });
    expect(entry.attachments?.map((a) => [a.filename, a.contentType, a.size])).toEqual([
      ['foto.png', 'image/png', PNG.length],
      ['informe.pdf', 'application/pdf', PDF.length],
    ]);
    const files = new AttachmentFiles(w.tdb.db);
    expect(await files.read(entry.attachments![0]!.fileId!)).toEqual(PNG);
    expect(await files.read(entry.attachments![1]!.fileId!)).toEqual(PDF);
  });

  it('refuses, and says why, a file over the limit (cut while streaming) and one from a host that is not Teams', async () => {
    const before = host.requests.length;
    const text = await w.chat('fernando.ruiz').text({
      text: 'más archivos de la falla de hoy',
      attachments: [
        upload('enorme.bin', `${host.url}/enorme.bin`),
        image('ajena.png', 'https://example.invalid/ajena.png'),
      ],
    });
    expect(text).toMatch(/No guardé: enorme.bin \(excede 10 MB\); ajena.png \(no proviene de Teams\)\./);
    expect(text).not.toMatch(/Recibí/);
    expect(host.requests.slice(before)).toEqual(['/enorme.bin']);
  });

  it('adds a photo sent while a report is being taken to the draft, and to the order at confirm', async () => {
    const chat = w.chat('jose.chan');
    expect(await chat.text('la impresora de la sala 2 no imprime')).toMatch(/inventario/);
    const text = await chat.text({ attachments: [image('sala2.png', '/foto.png')] });
    expect(text).toMatch(/Recibí el archivo: sala2.png\.[\s\S]*inventario/);
    await chat.say('no sé');
    const done = await chat.text('confirmar');
    const folio = /OS-\d{4}-\d{6}/.exec(done)![0];
    const made = (await w.store.findByFolio(folio))!;
    expect(made.attachments.map((a) => a.filename)).toEqual(['sala2.png']);
  });

  it.each([
    ['https://smba.trafficmanager.net/amer/v3/attachments/x', true],
    ['https://contoso.sharepoint.com/personal/a/b.pdf', true],
    ['https://sharepoint.com.evil.example/x', false],
    ['http://contoso.sharepoint.com/x', false],
    ['https://user:pw@contoso.sharepoint.com/x', false],
    ['file:///etc/passwd', false],
    ['http://169.254.169.254/latest/meta-data', false],
  ])('allows downloads from %s only when it is a Teams host over https: %s', (url, allowed) => {
    expect(fileHostAllowed(url, ['smba.trafficmanager.net', '.sharepoint.com'])).toBe(allowed);
  });

  it('allows only loopback when no host list is configured (a local emulator)', () => {
    expect(fileHostAllowed('http://127.0.0.1:9/x.png', undefined)).toBe(true);
    expect(fileHostAllowed('https://contoso.sharepoint.com/x', undefined)).toBe(false);
  });
});
