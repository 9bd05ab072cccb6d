import { EmailChannel } from '../../services/mail/email-channel';
import { OutboxDispatcher, OutboxRelay } from '../../services/outbox';
import { DEFAULT_DIGEST_ALLOWANCE } from '../../services/outbox/quiet-windows';
import {
  allOrders,
  DESK,
  folderCounts,
  Harness,
  inboxOf,
  mailsIn,
  REQUESTER,
  runPollerUntilEmpty,
  sendMail,
  silent,
  useHarness,
  waitFor,
} from './support/harness';

/** Long enough that a burst handled on a busy machine still falls in one window. */
const WINDOW_MS = 20_000;
const MAILS = 12;

describe('receipts for a burst of mails from one requester', () => {
  let h: Harness;
  useHarness((started) => {
    h = started;
  });

  it('sends the first five receipts at once and the rest as one digest at the end of the quiet window, through Exim', async () => {
    const relay = new OutboxRelay({ db: h.db.db, logger: silent, digestAllowance: DEFAULT_DIGEST_ALLOWANCE });
    const dispatcher = new OutboxDispatcher({
      db: h.db.db,
      logger: silent,
      channels: [new EmailChannel({ sender: h.sender, directory: h.directory, refs: h.store })],
      digestWindowMs: WINDOW_MS,
      baseDelayMs: 100,
    });
    let running = true;
    const loop = (async () => {
      while (running) {
        await relay.relayOnce();
        await dispatcher.dispatchOnce(100);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    try {
      for (let i = 1; i <= MAILS; i += 1)
        await sendMail(h.stack, {
          from: `José Peña <${REQUESTER.user}>`,
          to: DESK.user,
          subject: `Falla número ${i}`,
          text: `La impresora ${i} no imprime.`,
          messageId: `<burst-${i}@cjf.example.mx>`,
          envelope: { from: REQUESTER.user, to: DESK.user },
        });
      await waitFor('the burst in the desk mailbox', async () => (await folderCounts(h.stack)).INBOX >= MAILS);
      await runPollerUntilEmpty(h);
      const folios = (await allOrders(h)).map((o) => o.folio);
      expect(folios).toHaveLength(MAILS);

      const first = await inboxOf(h, REQUESTER, DEFAULT_DIGEST_ALLOWANCE);
      // Until the window ends, nothing beyond the allowance leaves.
      expect(first.every((m) => /Reporte recibido, folio/.test(m.subject ?? ''))).toBe(true);
      const all = await inboxOf(h, REQUESTER, DEFAULT_DIGEST_ALLOWANCE + 1);
      expect(await mailsIn(h.stack, REQUESTER)).toHaveLength(DEFAULT_DIGEST_ALLOWANCE + 1);
      const singles = all.filter((m) => /Reporte recibido, folio/.test(m.subject ?? ''));
      const digests = all.filter((m) => /avisos de la Mesa de Servicio/.test(m.subject ?? ''));
      expect(singles.length + digests.length).toBe(all.length);
      expect(digests).toHaveLength(1);
      // Every folio is acknowledged exactly once, in a receipt of its own or in the digest.
      const mentioned = folios.map(
        (f) => all.filter((m) => (m.text ?? '').includes(f) || (m.subject ?? '').includes(f)).length,
      );
      expect(mentioned).toEqual(folios.map(() => 1));
      expect(digests[0]!.subject).toBe(`${MAILS - singles.length} avisos de la Mesa de Servicio`);
    } finally {
      running = false;
      await loop;
    }
  }, 180_000);
});
