import type { MailSender, OutgoingMail } from '../../services/mail/mail-sender';
import {
  allOrders,
  folderCounts,
  Harness,
  mailedPrinterOrder,
  runPollerUntilEmpty,
  useHarness,
  waitFor,
} from './support/harness';
import { automatedSamples, personSamples, sendSample } from './support/samples';

/** The real SMTP sender, recording every address intake tries to write to. */
function recording(real: MailSender): MailSender & { sentTo: string[] } {
  const sentTo: string[] = [];
  return {
    sentTo,
    get from() {
      return real.from;
    },
    async send(mail: OutgoingMail) {
      sentTo.push(String(mail.to));
      return real.send(mail);
    },
    close: () => real.close(),
  } as MailSender & { sentTo: string[] };
}

describe('automated mail (bounces, complaints, receipts, auto-replies, lists) sent through Exim', () => {
  let h: Harness;
  let folio = '';

  useHarness(async (started) => {
    h = started;
    folio = await mailedPrinterOrder(h);
  });

  it('sets every kind aside with its reason, makes no order, adds nothing, and answers no one', async () => {
    const samples = automatedSamples(folio);
    for (const sample of samples) await sendSample(h.stack, sample);
    await waitFor('delivery', async () => (await folderCounts(h.stack)).INBOX === samples.length, 30000);
    const before = (await allOrders(h)).length;
    const sender = recording(h.sender);
    const poller = await runPollerUntilEmpty(h, { deps: { sender } });

    const log = await h.store.log.find({ _id: { $ne: 'mid:<base@cjf.example.mx>' } }).toArray();
    const byId = new Map(log.map((e) => [e.messageId, e]));
    const missed = samples.filter((s) => {
      const id = s.lines.find((l) => l.startsWith('Message-ID:'))!.slice(12);
      const entry = byId.get(id);
      return !entry || !['automated', 'bounce'].includes(entry.outcome);
    });
    expect(
      missed.map(
        (s) => `${s.name}: ${JSON.stringify(byId.get(s.lines.find((l) => l.startsWith('Message-ID:'))!.slice(12)))}`,
      ),
    ).toEqual([]);
    expect(
      log.every(
        (e) =>
          e.folder === 'processed' &&
          /^(bounce|feedback_report|read_receipt|auto_reply|bulk|own)|bounce \(/.test(e.reason ?? ''),
      ),
    ).toBe(true);
    expect(poller.stats()).toMatchObject({ automated: samples.length, processed: 0, refused: 0, quarantined: 0 });
    expect(await allOrders(h)).toHaveLength(before);
    expect((await h.orders.findByFolio(folio))!.history.filter((e) => e.action === 'comment')).toHaveLength(0);
    expect(sender.sentTo).toEqual([]);
    expect((await folderCounts(h.stack)).Procesados).toBe(samples.length + 1);
    // Each kind is named in the log.
    const kinds = new Set(log.map((e) => (e.outcome === 'bounce' ? 'bounce' : e.reason!.split(':')[0])));
    expect([...kinds].sort()).toEqual(['auto_reply', 'bounce', 'bulk', 'feedback_report', 'read_receipt']);
  }, 90_000);

  it('still makes orders of mail from people that only looks automated', async () => {
    const samples = personSamples();
    const before = (await allOrders(h)).length;
    for (const sample of samples) await sendSample(h.stack, sample);
    await waitFor('delivery', async () => (await folderCounts(h.stack)).INBOX === samples.length, 30000);
    const poller = await runPollerUntilEmpty(h);
    expect(poller.stats()).toMatchObject({ processed: samples.length, automated: 0 });
    const orders = await allOrders(h);
    expect(orders).toHaveLength(before + samples.length);
    expect(orders.map((o) => o.description).join('\n')).toContain('Mi correo rebota desde ayer');
    expect(orders.map((o) => o.description).join('\n')).toContain('Delivery has failed to these recipients.');
  }, 60_000);
});
