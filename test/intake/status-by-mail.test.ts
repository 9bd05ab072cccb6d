import { reportOrder } from '../../services/orders/report-order';
import { statusQuery } from '../../intake/status-query';
import {
  allOrders,
  DESK,
  ENGINEER,
  folderCounts,
  Harness,
  mailMatching,
  REQUESTER,
  runPollerUntilEmpty,
  sendMail,
  useHarness,
  waitForDesk,
} from './support/harness';

describe('status by mail', () => {
  let h: Harness;
  useHarness((started) => {
    h = started;
  });

  const ask = async (from: string, subject: string, text: string) => {
    await sendMail(h.stack, { from, to: DESK.user, subject, text, envelope: { from, to: DESK.user } });
    await waitForDesk(h);
    await runPollerUntilEmpty(h);
  };

  it('reads «estado <folio>» and «mis reportes» in the subject or the first line, and nothing else', () => {
    expect(statusQuery('estado OS-2026-000123', '')).toEqual({ kind: 'status', folio: 'OS-2026-000123' });
    expect(statusQuery('Consulta', 'Estado de la orden os-2026-000123, por favor')).toEqual({
      kind: 'status',
      folio: 'OS-2026-000123',
    });
    expect(statusQuery('Mis reportes', '')).toEqual({ kind: 'mine' });
    expect(statusQuery('La impresora falla otra vez', 'Igual que en OS-2026-000123, estado crítico')).toBeUndefined();
  });

  it('answers the requester with the status, refuses others without revealing anything, and creates no order', async () => {
    const o = await reportOrder(
      { orders: h.orders, directory: h.directory, timeZone: 'America/Mexico_City' },
      {
        channel: 'email',
        requesterId: 'jpena',
        centreId: 'CJPF-CDMX',
        equipment: { type: 'printer', location: 'Sala 2' },
        description: 'La impresora de la sala 2 no imprime',
      },
    );
    const before = (await allOrders(h)).length;

    await ask(REQUESTER.user, `estado ${o.folio}`, 'Gracias.');
    const answer = await mailMatching(h, REQUESTER, (m) => (m.text ?? '').includes('está en estado «Reportada»'));
    expect(answer.text).toContain(`La orden ${o.folio}`);
    expect(answer.text).toContain('Sala 2');
    expect(answer.subject).toBe(`Re: estado ${o.folio}`);
    expect(answer.inReplyTo).toBeDefined();

    // The engineer is not on this order: the same words as for a folio that does not exist.
    await ask(ENGINEER.user, 'Consulta', `estado ${o.folio}`);
    const refused = await mailMatching(h, ENGINEER, (m) => (m.text ?? '').includes(o.folio));
    await ask(ENGINEER.user, 'Consulta', 'estado OS-2026-999999');
    const absent = await mailMatching(h, ENGINEER, (m) => (m.text ?? '').includes('OS-2026-999999'));
    expect(refused.text).not.toContain('Reportada');
    expect(refused.text).not.toContain('Sala 2');
    expect(refused.text!.replace(o.folio, 'FOLIO')).toBe(absent.text!.replace('OS-2026-999999', 'FOLIO'));

    await ask(REQUESTER.user, 'mis reportes', '');
    const mine = await mailMatching(h, REQUESTER, (m) => (m.text ?? '').includes('orden abierta'));
    expect(mine.text).toContain(`${o.folio} · Reportada · Impresora`);

    expect(await allOrders(h)).toHaveLength(before);
    const counts = await folderCounts(h.stack);
    expect(counts.Cuarentena).toBe(0);
    expect(counts.Procesados).toBe(4);
  }, 180_000);
});
