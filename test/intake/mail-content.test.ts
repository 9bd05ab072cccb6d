import type { ServiceOrder } from '../../services/orders/types';
import {
  allOrders,
  DESK,
  folderCounts,
  Harness,
  REQUESTER,
  runPollerUntilEmpty,
  startHarness,
  waitFor,
} from './support/harness';
import { bytesSample, sendBytes } from './support/samples';

const latin1 = (s: string) => Buffer.from(s, 'latin1');
const HEAD = (id: string, subject: string | Buffer, extra: string[] = []): Array<string | Buffer> => [
  `From: José Peña <${REQUESTER.user}>\nTo: ${DESK.user}\nSubject: `,
  subject,
  `\nDate: Tue, 03 Mar 2026 09:15:00 -0600\nMessage-ID: <${id}@cjf.example.mx>\n`,
  ...extra.map((l) => `${l}\n`),
];

/** A TNEF stream as Outlook writes one: signature, key, then one attachment's attributes. */
function tnef(files: Array<{ title: string; data: Buffer }>): Buffer {
  const attr = (level: number, id: number, data: Buffer) => {
    const head = Buffer.alloc(9);
    head.writeUInt8(level, 0);
    head.writeUInt32LE(id, 1);
    head.writeUInt32LE(data.length, 5);
    const sum = Buffer.alloc(2);
    sum.writeUInt16LE(
      data.reduce((a, b) => (a + b) & 0xffff, 0),
      0,
    );
    return Buffer.concat([head, data, sum]);
  };
  const start = Buffer.alloc(6);
  start.writeUInt32LE(0x223e9f78, 0);
  start.writeUInt16LE(0x1234, 4);
  return Buffer.concat([
    start,
    attr(1, 0x00089006, Buffer.from('IPM.Microsoft Mail.Note\0', 'latin1')), // attMessageClass
    ...files.flatMap((f) => [
      attr(2, 0x00069002, Buffer.alloc(14)), // attAttachRendData
      attr(2, 0x00018010, Buffer.from(`${f.title}\0`, 'latin1')), // attAttachTitle
      attr(2, 0x0006800f, f.data), // attAttachData
    ]),
  ]);
}

const b64 = (b: Buffer) => b.toString('base64').replace(/.{76}/g, '$&\n');

describe('what a mail says and carries, as real clients write it', () => {
  let h: Harness;
  let orders: Map<string, ServiceOrder>;

  beforeAll(async () => {
    h = await startHarness();
    const samples = [
      bytesSample('utf-7 subject and body', REQUESTER.user, [
        ...HEAD('utf7', '=?utf-7?Q?Fr+APY-sche_und_+APw-ber?='),
        'MIME-Version: 1.0\nContent-Type: text/plain; charset="utf-7"\n\n',
        'Die Fr+APY-sche sind +APw-ber dem Drucker.\n',
      ]),
      bytesSample('latin-1 without a charset (old Spanish client)', REQUESTER.user, [
        ...HEAD('latin1', latin1('Formación de la red')),
        'MIME-Version: 1.0\nContent-Type: text/plain\nContent-Transfer-Encoding: 8bit\n\n',
        latin1('Solicito información: la Formação del equipo falló.\n'),
      ]),
      bytesSample('windows-1252 without any MIME headers', REQUESTER.user, [
        ...HEAD('cp1252', 'Teclado'),
        Buffer.from([
          ...Buffer.from('El teclado dice '),
          0x93,
          ...Buffer.from('error'),
          0x94,
          ...Buffer.from(' y la '),
          0xf1,
          ...Buffer.from('a no sirve.\n'),
        ]),
      ]),
      bytesSample('utf-8 without a charset stays utf-8', REQUESTER.user, [
        ...HEAD('utf8bare', 'Cámara'),
        'MIME-Version: 1.0\nContent-Type: text/plain\n\n',
        'La cámara de la sala 1 no graba.\n',
      ]),
      bytesSample('parts without names or dispositions', REQUESTER.user, [
        ...HEAD('parts', 'Invitación y evidencia'),
        'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="M"\n\n',
        '--M\nContent-Type: multipart/related; boundary="R"\n\n--R\nContent-Type: text/html; charset=utf-8\n\n<p>Adjunto la <b>evidencia</b> del proyector <img src="cid:img1"></p>\n',
        '--R\nContent-Type: image/png\nContent-ID: <img1>\nContent-Transfer-Encoding: base64\n\niVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==\n--R--\n',
        '--M\nContent-Type: message/rfc822\n\nFrom: ana@cjf.example.mx\nSubject: Falla previa\nContent-Type: text/plain\n\nEl proyector ya fallaba.\n',
        '--M\nContent-Type: text/calendar; method=REQUEST; charset=utf-8\nContent-Transfer-Encoding: 7bit\n\nBEGIN:VCALENDAR\nMETHOD:REQUEST\nBEGIN:VEVENT\nSUMMARY:Revisión del proyector\nEND:VEVENT\nEND:VCALENDAR\n',
        '--M--\n',
      ]),
      bytesSample('malformed part header', REQUESTER.user, [
        ...HEAD('badtype', 'Foto del monitor'),
        'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="B"\n\n',
        '--B\nContent-Type: text/plain; charset=utf-8\n\nEl monitor tiene una raya.\n',
        '--B\nContent-Type: ; name="x.jpg"\nContent-Transfer-Encoding: base64\n\n/9j/4AAQSkZJRgABAQ==\n--B--\n',
      ]),
      bytesSample('TNEF winmail.dat', REQUESTER.user, [
        ...HEAD('tnef', 'Reporte con archivos'),
        'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="T"\nX-MS-TNEF-Correlator: <00000000A1B2@cjf.example.mx>\n\n',
        '--T\nContent-Type: text/plain; charset=utf-8\n\nLa impresora marca error; adjunto bitácora.\n',
        `--T\nContent-Type: application/ms-tnef; name="winmail.dat"\nContent-Disposition: attachment; filename="winmail.dat"\nContent-Transfer-Encoding: base64\n\n${b64(
          tnef([
            { title: 'BITACORA.TXT', data: Buffer.from('error 0x50 a las 9:00\n') },
            { title: 'FOTO.JPG', data: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]) },
          ]),
        )}\n`,
        '--T--\n',
      ]),
      bytesSample('broken TNEF kept as it came', REQUESTER.user, [
        ...HEAD('badtnef', 'Otro reporte'),
        'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="T"\n\n',
        '--T\nContent-Type: text/plain; charset=utf-8\n\nNo imprime.\n',
        `--T\nContent-Type: application/ms-tnef\nContent-Transfer-Encoding: base64\n\n${b64(Buffer.from('this is not tnef at all'))}\n--T--\n`,
      ]),
      bytesSample('a forwarded report (Gmail)', REQUESTER.user, [
        ...HEAD('fwd', 'Fwd: Falla del conmutador'),
        'MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n',
        'FYI\n\n-- \nJosé Peña\nExt. 1234\n\n---------- Forwarded message ---------\nFrom: Ana Analista <ana@cjf.example.mx>\nDate: lun, 2 mar 2026 a las 10:00\nSubject: Falla del conmutador\n\nEl conmutador de la sala 5 no da tono desde el lunes.\n',
      ]),
      bytesSample('a forwarded report (Outlook, Spanish)', REQUESTER.user, [
        ...HEAD('fwd2', 'RV: Sin audio en la sala 3'),
        'MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n',
        'Para su atención.\n\n________________________________\nDe: Juez Administrador <juez@cjf.example.mx>\nEnviado: lunes, 2 de marzo de 2026 10:00\nPara: José Peña\nAsunto: Sin audio en la sala 3\n\nLa sala 3 no tiene audio para la audiencia de mañana.\n',
      ]),
    ];
    for (const s of samples) await sendBytes(h.stack, s);
    await waitFor('delivery', async () => (await folderCounts(h.stack)).INBOX === samples.length, 30000);
    const poller = await runPollerUntilEmpty(h, { rules: { maxPerSenderPerHour: 1000 } });
    expect(poller.stats()).toMatchObject({ processed: samples.length, quarantined: 0, automated: 0 });
    const all = await allOrders(h);
    const log = await h.store.log.find({}).toArray();
    orders = new Map(
      log.map((e) => [e.messageId!.replace(/^<|@.*$/g, ''), all.find((o) => o._id.equals(e.orderId!))!]),
    );
  }, 90_000);
  afterAll(async () => {
    await h?.close();
  });

  it('decodes UTF-7 in the subject and the body', () => {
    expect(orders.get('utf7')!.description).toContain('Frösche und über');
    expect(orders.get('utf7')!.description).toContain('Die Frösche sind über dem Drucker.');
  });

  it('reads undeclared 8-bit text as Windows-1252 instead of U+FFFD, and leaves UTF-8 alone', () => {
    expect(orders.get('latin1')!.description).toContain('Formación de la red');
    expect(orders.get('latin1')!.description).toContain('Solicito información: la Formação del equipo falló.');
    expect(orders.get('cp1252')!.description).toContain('El teclado dice “error” y la ña no sirve.');
    expect(orders.get('utf8bare')!.description).toContain('La cámara de la sala 1 no graba.');
    for (const o of orders.values()) expect(o.description).not.toContain('\ufffd');
  });

  it('keeps an attached message, an unnamed inline image and a meeting request as files', async () => {
    const o = orders.get('parts')!;
    expect(o.description).toContain('Adjunto la evidencia del proyector');
    expect(o.attachments.map((a) => [a.filename, a.contentType])).toEqual([
      ['imagen-1.png', 'image/png'],
      ['mensaje-adjunto-2.eml', 'message/rfc822'],
      ['invitacion-3.ics', 'text/calendar'],
    ]);
    expect((await h.store.readAttachment(o.attachments[1]!.fileId!)).toString()).toContain('El proyector ya fallaba.');
    expect((await h.store.readAttachment(o.attachments[2]!.fileId!)).toString()).toContain('BEGIN:VCALENDAR');
  });

  it('makes an order of a mail with a malformed part header, its file kept under a safe type', async () => {
    const o = orders.get('badtype')!;
    expect(o.description).toContain('El monitor tiene una raya.');
    expect(o.attachments.map((a) => [a.filename, a.contentType])).toEqual([['x.jpg', 'application/octet-stream']]);
  });

  it('unpacks the files of a TNEF winmail.dat, and keeps one it cannot read as it came', async () => {
    const o = orders.get('tnef')!;
    expect(o.attachments.map((a) => a.filename)).toEqual(['BITACORA.TXT', 'FOTO.JPG']);
    expect((await h.store.readAttachment(o.attachments[0]!.fileId!)).toString()).toBe('error 0x50 a las 9:00\n');
    const bad = orders.get('badtnef')!;
    expect(bad.attachments.map((a) => [a.filename, a.contentType])).toEqual([['winmail.dat', 'application/ms-tnef']]);
  });

  it('keeps the content of a forwarded report, dropping only the signature', () => {
    const gmail = orders.get('fwd')!.description;
    expect(gmail).toContain('El conmutador de la sala 5 no da tono desde el lunes.');
    expect(gmail).not.toContain('Ext. 1234');
    expect(orders.get('fwd')!.equipment.type).toBe('telephony');
    expect(orders.get('fwd2')!.description).toContain('La sala 3 no tiene audio para la audiencia de mañana.');
  });
});
