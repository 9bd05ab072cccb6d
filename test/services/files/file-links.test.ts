import { GridFSBucket, ObjectId } from 'mongodb';
import { orderCardJson } from '../../../bot/order-cards';
import { MongoDirectoryStore } from '../../../services/directory/directory-store';
import { parseDirectory } from '../../../services/directory/validate';
import { FILE_LINK_TTL_MS, fileLinker } from '../../../services/files/file-links';
import { gridFsFileReads } from '../../../services/files/file-routes';
import { orderReadsFromStore } from '../../../services/http/order-reads';
import { createHttpService, HttpService } from '../../../services/http/server';
import { signToken } from '../../../services/links/signed-token';
import { noticeMessage } from '../../../services/notifications/messages';
import { MongoOrderStore } from '../../../services/orders/order-store';
import { reportOrder } from '../../../services/orders/report-order';
import type { AttachmentMeta, ServiceOrder } from '../../../services/orders/types';
import { botDirectoryJson } from '../../bot/support/world';
import { guardLoopbackOnly } from '../../support/loopback-only';
import { openTestDatabase, TestDatabase } from '../../support/mongo';
import { TEST_ZONE } from '../../support/order-services';
import { quietLogger } from '../outbox/fixtures';

const SECRET = 'k'.repeat(48);
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
const HTML = Buffer.from('<html><script>alert(1)</script></html>');

describe('order files by signed link (GET /files/:token)', () => {
  const network = guardLoopbackOnly();
  let tdb: TestDatabase;
  let http: HttpService;
  let base = '';
  let store: MongoOrderStore;
  let directory: MongoDirectoryStore;
  let order: ServiceOrder;
  let photo: AttachmentMeta;
  let page: AttachmentMeta;
  const link = fileLinker(SECRET);
  const get = (path: string) => fetch(`${base}${path}`);

  async function put(filename: string, contentType: string, content: Buffer): Promise<AttachmentMeta> {
    const id = new ObjectId();
    const bucket = new GridFSBucket(tdb.db, { bucketName: 'attachments' });
    await new Promise<void>((ok, fail) =>
      bucket.openUploadStreamWithId(id, filename).once('error', fail).once('finish', ok).end(content),
    );
    return { fileId: id.toHexString(), filename, contentType, size: content.length };
  }

  beforeAll(async () => {
    tdb = await openTestDatabase();
    store = new MongoOrderStore(tdb.db);
    directory = new MongoDirectoryStore(tdb.client, tdb.db);
    await store.ensureIndexes();
    await directory.ensureIndexes();
    await directory.replaceAll(parseDirectory(botDirectoryJson()));
    photo = await put('foto impresora.png', 'image/png', PNG);
    page = await put('página.html', 'text/html', HTML);
    order = await reportOrder(
      { orders: store, directory, timeZone: TEST_ZONE },
      {
        channel: 'email',
        actorId: 'fernando.ruiz',
        requesterId: 'fernando.ruiz',
        equipment: { type: 'printer' },
        description: 'La impresora atora el papel',
        attachments: [photo, page],
      },
    );
    http = createHttpService({
      logger: quietLogger(),
      orders: orderReadsFromStore(store),
      health: { ping: async () => undefined, mailState: () => 'disabled', timeoutMs: 1500 },
      botEndpoint: async () => undefined,
      files: { reads: gridFsFileReads(tdb.db, store), secret: SECRET },
    });
    base = `http://127.0.0.1:${await http.listen(0, '127.0.0.1')}`;
  }, 60_000);
  afterAll(async () => {
    await http?.close();
    await tdb?.close();
    network.restore();
  });
  afterEach(() => {
    expect(network.attempts).toEqual([]);
  });

  it('serves an image as an image, with nosniff', async () => {
    const res = await get(link(order, photo)!);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-disposition')).toMatch(/^inline; filename="foto impresora.png"/);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(PNG);
  });

  it('serves any other file as an opaque download, never as a page', async () => {
    const res = await get(link(order, page)!);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="p_gina.html"; filename*=UTF-8''${encodeURIComponent('página.html')}`,
    );
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain('sandbox');
  });

  it('mints a different, unguessable link each time', () => {
    expect(link(order, photo)).not.toBe(link(order, photo));
    expect(link(order, { filename: 'x', contentType: 'text/plain', size: 1 })).toBeUndefined();
  });

  it.each([
    ['a forged token', () => `${link(order, photo)!.slice(0, -4)}AAAA`, 403, /El enlace no es válido/],
    ['garbage', () => '/files/no-es-un-token', 403, /El enlace no es válido/],
    [
      'a token of another purpose',
      () =>
        `/files/${signToken(SECRET, { purpose: 'provider-action', subject: photo.fileId!, data: { orderId: order._id.toHexString() }, ttlMs: 60_000 })}`,
      403,
      /El enlace no es válido/,
    ],
    [
      'an expired link',
      () => fileLinker(SECRET, undefined, () => Date.now() - FILE_LINK_TTL_MS - 1000)(order, photo)!,
      410,
      /El enlace ya venció/,
    ],
  ])('refuses %s with the Spanish reason and no file', async (_what, path, status, message) => {
    const res = await get(path());
    expect(res.status).toBe(status);
    const body = (await res.json()) as { error: { message: string } };
    expect(body.error.message).toMatch(message);
  });

  it('refuses a valid token for a file that is not the named order’s', async () => {
    const other = await put('ajeno.png', 'image/png', PNG);
    const res = await get(link(order, other)!);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/ya no está disponible/);
  });

  it('shows the files on the order card (images as thumbnails) through links that open them', async () => {
    const ana = (await directory.personById('ana.lopez'))!;
    const card = await orderCardJson(order, ana, directory, TEST_ZONE, undefined, link);
    const json = JSON.stringify(card);
    const images = [...json.matchAll(/"type":"Image","url":"([^"]+)"/g)].map((m) => m[1]!);
    expect(images).toHaveLength(1);
    expect((await get(images[0]!)).status).toBe(200);
    expect(json).toMatch(/📎 \[página.html\]\(\/files\/v1\./);
  });

  it('lists the files with their links in the mail notice', () => {
    const text = noticeMessage('new_order', order, { fileLink: link }).paragraphs.join('\n');
    expect(text).toMatch(/Archivos \(2\):\n• foto impresora.png: \/files\/v1\.[^\n]+\n• página.html: \/files\/v1\./);
  });
});
