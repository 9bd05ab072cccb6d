import { ObjectId } from 'mongodb';
import type { ServiceOrder } from '../../../services/orders/types';
import { MongoReportSource, ReportedOrder, SummaryRow } from '../../../services/reports/report-store';
import { openWorld, World } from '../orders/world';

let w: World;

beforeAll(async () => {
  w = await openWorld();
});
afterAll(async () => {
  await w.t.close();
});

describe('MongoReportSource', () => {
  it('reads only the state and the summary of each order in the period, and the clock facts of the orders asked for', async () => {
    const source = new MongoReportSource(w.t.db);
    await source.ensureIndexes();
    const at = new Date('2026-05-04T15:00:00Z');
    const order: ServiceOrder = {
      _id: new ObjectId(),
      folio: 'OS-2026-990001',
      status: 'desk',
      version: 2,
      requester: { personId: 'fernando.ruiz', name: 'Fernando Ruiz', email: 'fernando.ruiz@cjf.example.mx' },
      centreId: 'CJPF-CDMX',
      channel: 'teams',
      equipment: { type: 'printer', inventoryNumber: 'CJF-1234', location: 'Sala 3' },
      description: 'La impresora no imprime.',
      priority: 'high',
      attachments: [],
      analyst: { personId: 'ana.lopez', name: 'Ana López' },
      provider: { providerId: 'PROV-TECNOSERV', contractId: 'CT-2026-001', name: 'Tecnoservicios' },
      timestamps: { reportedAt: at, takenAt: new Date(at.getTime() + 60_000) },
      history: [
        {
          at,
          action: 'report',
          by: { personId: 'fernando.ruiz', name: 'Fernando Ruiz' },
          channel: 'teams',
          to: 'reported',
        },
        {
          at: new Date(at.getTime() + 60_000),
          action: 'take',
          by: { personId: 'ana.lopez', name: 'Ana López' },
          channel: 'teams',
          from: 'reported',
          to: 'desk',
        },
      ],
      outbox: [],
      createdAt: at,
      updatedAt: at,
    };
    await w.t.db.collection<ServiceOrder>('orders').insertOne(order);
    const rows: SummaryRow[] = [];
    for await (const row of source.summariesIn({
      from: new Date('2026-05-01T00:00:00Z'),
      to: new Date('2026-06-01T00:00:00Z'),
      format: 'json',
    }))
      rows.push(row);
    expect(rows).toEqual([{ _id: order._id, status: 'desk', version: 2, createdAt: at }]);
    const read: ReportedOrder[] = [];
    for await (const o of source.ordersById([order._id])) read.push(o);
    expect(read).toHaveLength(1);
    const [got] = read as Array<ReportedOrder & Record<string, unknown>>;
    expect(got).toMatchObject({
      status: 'desk',
      priority: 'high',
      centreId: 'CJPF-CDMX',
      provider: { providerId: 'PROV-TECNOSERV', contractId: 'CT-2026-001' },
      timestamps: order.timestamps,
      createdAt: at,
    });
    expect(got!.history.map((h) => [h.at, h.to])).toEqual(order.history.map((h) => [h.at, h.to]));
    for (const field of ['description', 'requester', 'equipment', 'analyst', 'outbox', 'folio', 'attachments'])
      expect(got).not.toHaveProperty(field);
  });
});
