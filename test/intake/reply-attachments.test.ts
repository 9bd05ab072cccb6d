import { GridFSBucket, MongoNetworkError, ObjectId } from 'mongodb';
import type { Request, Response } from 'restify';
import { orderReadsFromStore } from '../../services/http/order-reads';
import { createHttpService } from '../../services/http/server';
import { takeOrder } from '../../services/orders/take-order';
import { assignEngineer } from '../../services/orders/assign-engineer';
import type { OrderStore } from '../../services/orders/order-store';
import type { AttachmentMeta, HistoryEntry, ServiceOrder } from '../../services/orders/types';
import type { IntakeStore } from '../../intake/intake-store';
import {
  allOrders,
  appendRaw,
  DESK,
  folderCounts,
  Harness,
  mailsIn,
  REQUESTER,
  runPollerUntilEmpty,
  sendMail,
  silent,
  toValidation,
  useHarness,
  waitForDesk,
} from './support/harness';
import { first, last } from '../support/present';

/** A small PNG-looking and a PDF-looking file: the bytes matter, not whether a viewer opens them. */
const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7) % 256)),
]);
const PDF = Buffer.concat([
  Buffer.from('%PDF-1.4\n% reporte de error\n'),
  Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 13) % 256)),
]);
const API_TOKEN = 'token-de-prueba-lectura-0123';

describe('attachments of replies by mail', () => {
  let h: Harness;
  let bucket: GridFSBucket;
  useHarness((started) => {
    h = started;
    bucket = new GridFSBucket(h.db.db, { bucketName: 'attachments' });
  });

  const deps = () => ({ orders: h.orders, directory: h.directory });
  type Attachment = { filename: string; content: Buffer; contentType: string };
  const fromRequester = (o: { subject: string; text: string; id: string; attachments?: Attachment[] }) =>
    sendMail(h.stack, {
      from: `José Peña <${REQUESTER.user}>`,
      to: DESK.user,
      subject: o.subject,
      text: o.text,
      messageId: o.id,
      attachments: o.attachments ?? [],
      envelope: { from: REQUESTER.user, to: DESK.user },
    });
  const delivered = async (count = 1) => waitForDesk(h, count);
  const order = async (id: ServiceOrder['_id']) => (await h.orders.findById(id))!;
  const entryOf = (o: ServiceOrder, messageId: string) => o.history.filter((e) => e.sourceId === `mid:${messageId}`);

  /** The bytes of one stored file, read back through the driver's own GridFS bucket. */
  async function gridFsBytes(fileId: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of bucket.openDownloadStream(ObjectId.createFromHexString(fileId)))
      chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }
  /** Every GridFS file stored for one mail (their seeds start with the mail's key). */
  const filesOf = (messageId: string) =>
    bucket
      .find({ 'metadata.seed': { $regex: `^mid:${messageId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}#` } })
      .sort({ _id: 1 })
      .toArray();

  async function newOrder(subject: string, id: string): Promise<ServiceOrder> {
    const before = (await allOrders(h)).length;
    await fromRequester({ subject, text: 'No funciona.', id });
    await delivered();
    await runPollerUntilEmpty(h);
    const orders = await allOrders(h);
    expect(orders).toHaveLength(before + 1);
    return last(orders);
  }

  async function expectStored(meta: AttachmentMeta | undefined, expected: Attachment): Promise<void> {
    expect(meta).toEqual({
      fileId: expect.stringMatching(/^[0-9a-f]{24}$/),
      filename: expected.filename,
      contentType: expected.contentType,
      size: expected.content.length,
    });
    expect((await gridFsBytes(meta!.fileId!)).equals(expected.content)).toBe(true);
  }

  it('stores an image and a PDF sent with a reply, names them on its history entry, and shows them in the read API', async () => {
    const o = await newOrder('La impresora marca error', '<ra-1@cjf.example.mx>');
    await takeOrder(deps(), { orderId: o._id.toHexString(), actorId: 'ana', channel: 'teams' });
    await assignEngineer(deps(), {
      orderId: o._id.toHexString(),
      actorId: 'ana',
      channel: 'teams',
      engineerId: 'ingeniero',
    });
    const processedBefore = (await folderCounts(h.stack)).Procesados;
    const screenshot = { filename: 'foto del error.png', content: PNG, contentType: 'image/png' };
    const report = { filename: 'reporte técnico.pdf', content: PDF, contentType: 'application/pdf' };
    const files = [screenshot, report];
    await fromRequester({
      subject: `RE: [${o.folio}] Reporte recibido`,
      id: '<ra-1-reply@cjf.example.mx>',
      text: 'Aquí va la foto del error.',
      attachments: files,
    });
    await delivered();
    await runPollerUntilEmpty(h);

    const stored = await order(o._id);
    const entry = first(entryOf(stored, '<ra-1-reply@cjf.example.mx>'));
    expect(entry).toMatchObject({
      action: 'comment',
      channel: 'email',
      by: { personId: 'jpena' },
      note: 'Aquí va la foto del error.',
    });
    expect(entry.attachments).toHaveLength(2);
    await expectStored(entry.attachments![0], screenshot);
    await expectStored(entry.attachments![1], report);
    expect(stored.status).toBe('engineer_assigned');
    expect(await h.store.logged('mid:<ra-1-reply@cjf.example.mx>')).toMatchObject({
      outcome: 'comment_added',
      folder: 'processed',
    });
    expect((await folderCounts(h.stack)).Procesados).toBe(processedBefore + 1);
    // The engineer is told of the comment, as for any reply.
    expect(stored.outbox.some((n) => n.event === 'order_comment' && n.recipient.personId === 'ingeniero')).toBe(true);

    // Staff read the order through the read API: the entry names each file with its stored id.
    const http = createHttpService({
      logger: silent,
      apiToken: API_TOKEN,
      orders: orderReadsFromStore(h.orders),
      health: { ping: async () => undefined, mailState: () => 'connected' },
      botEndpoint: async (_req: Request, res: Response) => {
        res.send(404);
      },
    });
    const port = await http.listen(0, '127.0.0.1');
    try {
      const answer = await fetch(`http://127.0.0.1:${port}/api/orders/${o.folio}`, {
        headers: { authorization: `Bearer ${API_TOKEN}` },
      });
      expect(answer.status).toBe(200);
      const body = (await answer.json()) as { history: Array<Pick<HistoryEntry, 'sourceId' | 'attachments'>> };
      const read = body.history.find((e) => e.sourceId === 'mid:<ra-1-reply@cjf.example.mx>');
      expect(read?.attachments).toEqual(entry.attachments);
    } finally {
      await http.close();
    }
  });

  it('records attachments over the size or count limit as not stored, with why, and still appends the text', async () => {
    const o = await newOrder('El monitor parpadea', '<ra-2@cjf.example.mx>');
    const small = { filename: 'nota.pdf', content: PDF, contentType: 'application/pdf' };
    const second = { filename: 'otra.png', content: PNG, contentType: 'image/png' };
    const big = { filename: 'video-pantalla.jpg', content: Buffer.alloc(300 * 1024, 9), contentType: 'image/jpeg' };
    await fromRequester({
      subject: `RE: [${o.folio}] Reporte recibido`,
      id: '<ra-2-reply@cjf.example.mx>',
      text: 'Les mando lo que tengo.',
      attachments: [small, big, second],
    });
    await delivered();
    await runPollerUntilEmpty(h, { rules: { maxAttachmentBytes: 200 * 1024, maxAttachments: 1 } });

    const entry = first(entryOf(await order(o._id), '<ra-2-reply@cjf.example.mx>'));
    expect(entry.action).toBe('comment');
    expect(entry.note).toBe(
      'Les mando lo que tengo.\n\nAdjuntos no guardados: video-pantalla.jpg (300 KB, excede el límite); otra.png (excede el número de adjuntos)',
    );
    await expectStored(entry.attachments![0], small);
    expect(entry.attachments!.slice(1)).toEqual([
      { filename: 'video-pantalla.jpg', contentType: 'image/jpeg', size: big.content.length, notStored: 'too_large' },
      { filename: 'otra.png', contentType: 'image/png', size: PNG.length, notStored: 'too_many' },
    ]);
    expect((await filesOf('<ra-2-reply@cjf.example.mx>')).map((f) => f.filename)).toEqual(['nota.pdf']);
    expect(await h.store.logged('mid:<ra-2-reply@cjf.example.mx>')).toMatchObject({
      outcome: 'comment_added',
      folder: 'processed',
      reason: expect.stringMatching(/^attachments not stored: video-pantalla\.jpg .*otra\.png/),
    });
  });

  it('keeps the photo of a validation answer: "sí" still confirms and "no" still rejects, each entry naming its file', async () => {
    const yes = await newOrder('El escáner no enciende', '<ra-3@cjf.example.mx>');
    const no = await newOrder('La computadora no enciende', '<ra-4@cjf.example.mx>');
    await toValidation(h, yes);
    await toValidation(h, no);
    const photo = { filename: 'funcionando.png', content: PNG, contentType: 'image/png' };
    const proof = { filename: 'sigue-fallando.pdf', content: PDF, contentType: 'application/pdf' };
    await fromRequester({
      subject: `RE: [${yes.folio}] Valide la atención`,
      id: '<ra-3-yes@cjf.example.mx>',
      text: 'Sí, quedó resuelto. Va la foto.',
      attachments: [photo],
    });
    await fromRequester({
      subject: `RE: [${no.folio}] Valide la atención`,
      id: '<ra-4-no@cjf.example.mx>',
      text: 'No, sigue fallando; adjunto el reporte.',
      attachments: [proof],
    });
    await delivered(2);
    await runPollerUntilEmpty(h);

    const confirmed = await order(yes._id);
    expect(confirmed.status).toBe('signature');
    expect(confirmed.validation).toMatchObject({ channel: 'email', confirmedBy: { personId: 'jpena' } });
    const confirm = first(entryOf(confirmed, '<ra-3-yes@cjf.example.mx>'));
    expect(confirm).toMatchObject({ action: 'confirm', from: 'validation', to: 'signature' });
    await expectStored(confirm.attachments?.[0], photo);

    const rejected = await order(no._id);
    expect(rejected.status).toBe('provider');
    const reject = first(entryOf(rejected, '<ra-4-no@cjf.example.mx>'));
    expect(reject).toMatchObject({ action: 'reject', note: 'No, sigue fallando; adjunto el reporte.' });
    await expectStored(reject.attachments?.[0], proof);
    expect(await h.store.logged('mid:<ra-3-yes@cjf.example.mx>')).toMatchObject({
      outcome: 'validation_confirmed',
      folder: 'processed',
    });
    expect(await h.store.logged('mid:<ra-4-no@cjf.example.mx>')).toMatchObject({
      outcome: 'validation_rejected',
      folder: 'processed',
    });
  });

  it('stores nothing twice when a reply is imported again: after a crash before the append, and after one before the outcome was logged', async () => {
    const o = await newOrder('El teclado no responde', '<ra-5@cjf.example.mx>');
    const photo = { filename: 'teclado.png', content: PNG, contentType: 'image/png' };
    const diagnosis = { filename: 'diagnóstico.pdf', content: PDF, contentType: 'application/pdf' };
    const files = [photo, diagnosis];
    const id = '<ra-5-reply@cjf.example.mx>';
    await fromRequester({
      subject: `RE: [${o.folio}] Reporte recibido`,
      id,
      text: 'Adjunto foto y diagnóstico.',
      attachments: files,
    });
    await delivered();

    // First pass: the files are stored, then the database drops before the comment is written.
    let appends = 0;
    const crashing: OrderStore = Object.create(h.orders);
    crashing.applyChange = async (change) => {
      appends += 1;
      if (appends === 1) throw new MongoNetworkError('connection reset (simulated crash)');
      return h.orders.applyChange(change);
    };
    await runPollerUntilEmpty(h, { deps: { orders: crashing } });
    expect(appends).toBe(2);
    let stored = await order(o._id);
    expect(entryOf(stored, id)).toHaveLength(1);
    const entry = first(entryOf(stored, id));
    await expectStored(entry.attachments![0], photo);
    await expectStored(entry.attachments![1], diagnosis);
    const afterRetry = await filesOf(id);
    expect(afterRetry.map((f) => f._id.toHexString())).toEqual(entry.attachments!.map((a) => a.fileId).sort());
    expect(
      await h.db.db
        .collection('attachments.chunks')
        .countDocuments({ files_id: { $in: afterRetry.map((f) => f._id) } }),
    ).toBe(2);

    // Second import: the comment was written but the outcome was lost, so the mail comes back.
    const source = (await mailsIn(h.stack, DESK, 'Procesados')).find((s) => s.includes(id))!;
    expect(source).toBeDefined();
    await h.store.log.deleteOne({ _id: `mid:${id}` });
    await appendRaw(h.stack, [source]);
    await runPollerUntilEmpty(h);
    stored = await order(o._id);
    expect(entryOf(stored, id)).toHaveLength(1);
    expect(stored.history.filter((e) => e.action === 'comment')).toHaveLength(1);
    const afterReimport = await filesOf(id);
    expect(afterReimport.map((f) => [f._id.toHexString(), f.uploadDate.getTime()])).toEqual(
      afterRetry.map((f) => [f._id.toHexString(), f.uploadDate.getTime()]),
    );
    expect(await h.store.logged(`mid:${id}`)).toMatchObject({
      outcome: 'comment_added',
      folder: 'processed',
      reason: 'already appended by an earlier pass',
    });
  });

  it('holds a reply whose attachment cannot be stored in quarantine, and appends nothing', async () => {
    const o = await newOrder('No hay red en la sala 2', '<ra-6@cjf.example.mx>');
    const quarantinedBefore = (await folderCounts(h.stack)).Cuarentena;
    const refusing: IntakeStore = Object.create(h.store);
    refusing.storeAttachment = async () => {
      throw new Error('GridFS refused the file (simulated)');
    };
    await fromRequester({
      subject: `RE: [${o.folio}] Reporte recibido`,
      id: '<ra-6-reply@cjf.example.mx>',
      text: 'Va la captura.',
      attachments: [{ filename: 'captura.png', content: PNG, contentType: 'image/png' }],
    });
    await delivered();
    await runPollerUntilEmpty(h, { deps: { store: refusing } });
    expect(entryOf(await order(o._id), '<ra-6-reply@cjf.example.mx>')).toHaveLength(0);
    expect(await h.store.logged('mid:<ra-6-reply@cjf.example.mx>')).toMatchObject({
      folder: 'quarantine',
      reason: expect.stringMatching(/GridFS refused/),
    });
    expect((await folderCounts(h.stack)).Cuarentena).toBe(quarantinedBefore + 1);
  });
});
