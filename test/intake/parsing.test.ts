import {
  allOrders,
  appendRaw,
  DESK,
  folderCounts,
  Harness,
  rawMail,
  REQUESTER,
  runPollerUntilEmpty,
  sendMail,
  useHarness,
  waitFor,
} from './support/harness';
import { present } from '../support/present';

describe('mail parsing into orders', () => {
  let h: Harness;
  useHarness((started) => {
    h = started;
  });

  const byId = async (messageId: string) => {
    const entry = await h.store.logged(`mid:${messageId}`);
    expect(entry).toMatchObject({ outcome: 'order_created' });
    return (await h.orders.findById(entry!.orderId!))!;
  };

  it('reads ISO-8859-1, Windows-1252 and encoded-word subjects with every accent intact', async () => {
    const latin1 = Buffer.concat([
      Buffer.from(
        rawMail({
          from: REQUESTER.user,
          subject: '=?ISO-8859-1?Q?Impresi=F3n_da=F1ada_en_la_sala_n=FAmero_2?=',
          id: '<cs-1@cjf.example.mx>',
          headers: ['Content-Type: text/plain; charset=ISO-8859-1', 'Content-Transfer-Encoding: 8bit'],
          body: '',
        })
          .replace(/\n/g, '\r\n')
          .replace(/\r\n\r\n$/, '\r\n'),
      ),
      Buffer.from('La impresi\xf3n sale da\xf1ada; \xbfpueden revisarla? Se\xf1or Pe\xf1a.\r\n', 'latin1'),
    ]);
    const cp1252 = Buffer.concat([
      Buffer.from(
        rawMail({
          from: REQUESTER.user,
          subject: '=?windows-1252?B?k0NhbWFyYZQgc2luIHNl8WFs?=',
          id: '<cs-2@cjf.example.mx>',
          headers: ['Content-Type: text/plain; charset=windows-1252', 'Content-Transfer-Encoding: 8bit'],
          body: '',
        })
          .replace(/\n/g, '\r\n')
          .replace(/\r\n\r\n$/, '\r\n'),
      ),
      Buffer.from([
        ...Buffer.from('La c'),
        0xe1,
        ...Buffer.from('mara de la sala 1 '),
        0x96,
        ...Buffer.from(' no graba '),
        0x93,
        ...Buffer.from('audio'),
        0x94,
        0x20,
        0x80,
        0x0d,
        0x0a,
      ]),
    ]);
    await appendRaw(h.stack, [latin1, cp1252]);
    await runPollerUntilEmpty(h);
    const a = await byId('<cs-1@cjf.example.mx>');
    expect(a.description).toContain('Impresión dañada en la sala número 2');
    expect(a.description).toContain('La impresión sale dañada; ¿pueden revisarla? Señor Peña.');
    const b = await byId('<cs-2@cjf.example.mx>');
    expect(b.description).toContain('“Camara” sin señal');
    expect(b.description).toContain('La cámara de la sala 1 – no graba “audio” €');
  });

  it('turns an HTML-only mail into text without markup or scripts, keeping what a new report quotes', async () => {
    await sendMail(h.stack, {
      from: REQUESTER.user,
      to: DESK.user,
      subject: 'Sin red en la sala 4',
      messageId: '<html-1@cjf.example.mx>',
      html: '<html><head><style>p{color:red}</style><script>alert(1)</script></head><body><p>No hay <b>red</b> en la sala&nbsp;4.</p><div><br><div id="divRplyFwdMsg"><hr><b>De:</b> Mesa<br><b>Enviado:</b> lunes</div><p>texto anterior</p></div></body></html>',
    });
    await waitFor('delivery', async () => (await folderCounts(h.stack)).INBOX === 1);
    await runPollerUntilEmpty(h);
    const o = await byId('<html-1@cjf.example.mx>');
    expect(o.description).toContain('No hay red en la sala 4.');
    // Quoted history is cut only from replies to an order: in a new report it may be the report.
    expect(o.description).toContain('texto anterior');
    expect(o.description).not.toMatch(/<|alert|color:red/);
    expect(o.equipment.type).toBe('network');
  });

  it('stores attachments within the limits in GridFS, keeps winmail.dat, and notes what was over the limit', async () => {
    const small = Buffer.from('%PDF-1.4 diagnóstico');
    const tnef = Buffer.concat([Buffer.from([0x78, 0x9f, 0x3e, 0x22]), Buffer.alloc(2000, 1)]);
    const big = Buffer.alloc(300 * 1024, 7);
    await sendMail(h.stack, {
      from: REQUESTER.user,
      to: DESK.user,
      subject: 'Adjunto la foto del equipo',
      messageId: '<att-1@cjf.example.mx>',
      text: 'Van las fotos.',
      attachments: [
        { filename: 'diagnóstico.pdf', content: small, contentType: 'application/pdf' },
        { filename: 'winmail.dat', content: tnef, contentType: 'application/ms-tnef' },
        { filename: 'foto-grande.jpg', content: big, contentType: 'image/jpeg' },
      ],
    });
    await waitFor('delivery', async () => (await folderCounts(h.stack)).INBOX === 1);
    await runPollerUntilEmpty(h, { rules: { maxAttachmentBytes: 200 * 1024 } });
    const o = await byId('<att-1@cjf.example.mx>');
    expect(o.attachments.map((a) => [a.filename, a.size])).toEqual([
      ['diagnóstico.pdf', small.length],
      ['winmail.dat', tnef.length],
    ]);
    const [pdf, winmail] = o.attachments;
    expect((await h.store.readAttachment(present(pdf?.fileId, 'the PDF stored'))).equals(small)).toBe(true);
    expect((await h.store.readAttachment(present(winmail?.fileId, 'winmail.dat stored'))).equals(tnef)).toBe(true);
    expect(o.description).toMatch(/Adjuntos no guardados: foto-grande\.jpg \(300 KB, excede el límite\)/);
    expect(await h.store.logged('mid:<att-1@cjf.example.mx>')).toMatchObject({
      reason: expect.stringMatching(/attachments not stored/),
    });
  });

  it('keeps at most the configured number of attachments', async () => {
    await sendMail(h.stack, {
      from: REQUESTER.user,
      to: DESK.user,
      subject: 'Muchas fotos',
      messageId: '<att-2@cjf.example.mx>',
      text: 'Fotos.',
      attachments: Array.from({ length: 4 }, (_, i) => ({
        filename: `foto-${i}.jpg`,
        content: Buffer.alloc(100, i),
        contentType: 'image/jpeg',
      })),
    });
    await waitFor('delivery', async () => (await folderCounts(h.stack)).INBOX === 1);
    await runPollerUntilEmpty(h, { rules: { maxAttachments: 2 } });
    const o = await byId('<att-2@cjf.example.mx>');
    expect(o.attachments.map((a) => a.filename)).toEqual(['foto-0.jpg', 'foto-1.jpg']);
    expect(o.description).toContain('foto-3.jpg (excede el número de adjuntos)');
    expect((await allOrders(h)).length).toBeGreaterThan(0);
  });
});
