import { CommandStartedEvent, MongoClient, ObjectId } from 'mongodb';
import { Collection as EngineCollection } from '../../../packages/embedded-mongo/src/collection';
import type { ServiceOrder } from '../../../services/orders/types';
import { ORDER_STATUSES, type OrderStatus } from '../../../services/workflow';
import { slaSummariser, SlaSummary } from '../../../services/reports/order-figures';
import { reportReads } from '../../../services/reports/report-reads';
import { MongoReportSource } from '../../../services/reports/report-store';
import { summariseOrders } from '../../../services/reports/summarise-orders';
import { ClockSource } from '../../../services/sla/clock-source';
import { reopenOrder } from '../../../services/orders/reopen-order';
import { closeRemotely } from '../../../services/orders/close-remotely';
import { usingRealMongo } from '../../support/mongo';
import { FIRST_ENTERED } from '../../support/order-life';
import { openWorld, orderIn, P, World } from '../orders/world';
import { cdmx } from '../sla/support';

const ZONE = 'America/Mexico_City';
const NOW = cdmx('2026-06-30T12:00');
const TECNOSERV = { providerId: 'PROV-TECNOSERV', contractId: 'CT-2026-001', name: 'Tecnoservicios' };
const AUDIOVIS = { providerId: 'PROV-AUDIOVIS', contractId: 'CT-2026-002', name: 'Audiovisual' };

/** A small deterministic generator, so a failing case can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const PATHS: OrderStatus[][] = [
  ['reported', 'cancelled'],
  ['reported', 'desk', 'closed'],
  ['reported', 'desk', 'engineer_assigned', 'diagnosis', 'resolved', 'closed'],
  ['reported', 'desk', 'engineer_assigned', 'cancelled'],
  // The whole provider path: every state in the workflow's order, up to closed.
  ORDER_STATUSES.filter((s) => s !== 'cancelled'),
  // Turned to a provider and closed remotely before the provider attended: a clock still runs.
  ['reported', 'desk', 'engineer_assigned', 'diagnosis', 'provider', 'closed'],
];
const REWORK: OrderStatus[][] = [
  ['desk', 'closed'],
  ['desk', 'engineer_assigned', 'diagnosis', 'validation', 'resolved', 'closed'],
];

/**
 * An order with a varied life: any of the paths above, cut short (still open) or finished,
 * reopened and closed again, at random gaps from minutes to days, in one of two centres.
 */
function variedOrder(next: () => number, i: number): ServiceOrder {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]!;
  let steps = [...pick(PATHS)];
  if (next() < 0.25) steps = steps.slice(0, 1 + Math.floor(next() * (steps.length - 1)));
  else if (steps[steps.length - 1] === 'closed' && next() < 0.4) steps.push(...pick(REWORK));
  let at = cdmx('2026-05-04T08:00').getTime() + Math.floor(next() * 20 * 86_400_000);
  const timestamps: ServiceOrder['timestamps'] = {};
  const history: ServiceOrder['history'] = [];
  let from: OrderStatus | undefined;
  for (const to of steps) {
    const key = FIRST_ENTERED[to];
    if (key && !timestamps[key]) timestamps[key] = new Date(at);
    history.push({ at: new Date(at), action: 'take', by: { name: 'x' }, channel: 'teams', to, ...(from && { from }) });
    from = to;
    at += Math.floor(next() * (next() < 0.3 ? 3 * 86_400_000 : 5 * 3_600_000));
  }
  const createdAt = timestamps.reportedAt!;
  return {
    _id: new ObjectId(),
    folio: `OS-2026-${String(900000 + i)}`,
    status: steps[steps.length - 1]!,
    version: steps.length,
    requester: { personId: 'fernando.ruiz', name: 'Fernando Ruiz' },
    centreId: pick(['CJPF-CDMX', 'CJPF-BC-TIJ']),
    channel: 'teams',
    equipment: { type: 'computer' },
    description: 'No enciende',
    priority: pick(['critical', 'high', 'medium', 'low'] as const),
    attachments: [],
    timestamps,
    history,
    outbox: [],
    createdAt,
    updatedAt: createdAt,
    ...(steps.includes('provider') ? { provider: pick([TECNOSERV, AUDIOVIS]) } : {}),
  };
}

// Hundreds of orders measured twice: generous for a busy machine.
jest.setTimeout(180_000);

let w: World;
let source: MongoReportSource;
let reads: ReturnType<typeof reportReads>;
const orders = () => w.t.db.collection<ServiceOrder>('orders');

beforeAll(async () => {
  w = await openWorld();
  source = new MongoReportSource(w.t.db);
  await source.ensureIndexes();
  reads = reportReads({ source, directory: w.directory, desk: w.directory, zone: ZONE, now: () => NOW });
});
afterAll(async () => {
  await w.t.close();
});

const MAY = { from: '2026-05-01', to: '2026-05-31' };

describe('the SLA report from stored summaries', () => {
  it('equals the report measured from every history, for varied, reopened, open and cancelled orders', async () => {
    const next = random(19);
    const seeded = Array.from({ length: 240 }, (_, i) => variedOrder(next, i));
    // Orders outside the period, which no report of May may read.
    const later = Array.from({ length: 40 }, (_, i) => ({
      ...variedOrder(next, 1000 + i),
      createdAt: cdmx('2026-07-15T09:00'),
    }));
    await orders().insertMany([...seeded, ...later]);

    const fromHistory = (await reads.slaReport(MAY)).report;
    const summarised = await orders().countDocuments({ 'slaSummary.final': true });
    expect(summarised).toBeGreaterThan(100);
    const fromSummaries = (await reads.slaReport(MAY)).report;
    expect(fromSummaries).toEqual(fromHistory);
    expect(fromHistory.groups.find((g) => g.dimension === 'total')!.orders).toBe(240);
    // Each contract and centre is covered, and some clocks breached, so the comparison says something.
    expect(fromHistory.groups.map((g) => g.key)).toEqual(
      expect.arrayContaining(['CJPF-CDMX', 'CJPF-BC-TIJ', 'CT-2026-001', 'CT-2026-002']),
    );
    expect(fromHistory.groups[0]!.ordersWithBreach).toBeGreaterThan(0);

    // Summaries written by the closure path (the summariser the use cases call) read the same.
    const summarise = slaSummariser({ directory: w.directory, desk: w.directory, zone: ZONE });
    await orders().updateMany({}, { $unset: { slaSummary: '' } });
    for (const o of seeded) {
      const s = await summarise(o, NOW);
      if (s) await orders().updateOne({ _id: o._id }, { $set: { slaSummary: s } });
    }
    expect((await reads.slaReport(MAY)).report).toEqual(fromHistory);
  });

  it('reads no history for a summarised order: one walk of the period with the summary projection', async () => {
    const client = await MongoClient.connect(w.t.uri, { monitorCommands: true });
    const finds: CommandStartedEvent[] = [];
    client.on('commandStarted', (e) => {
      if (e.commandName === 'find') finds.push(e);
    });
    try {
      const own = new MongoReportSource(client.db(w.t.dbName));
      const ownReads = reportReads({
        source: own,
        directory: w.directory,
        desk: w.directory,
        zone: ZONE,
        now: () => NOW,
      });
      const report = (await ownReads.slaReport(MAY)).report;
      expect(report.groups[0]!.orders).toBe(240);
      const [walk, ...rest] = finds.map((e) => e.command);
      expect(walk!.projection).toEqual({ status: 1, version: 1, slaSummary: 1, createdAt: 1 });
      expect(walk!.filter).toEqual({ createdAt: expect.any(Object) });
      // Histories are read only for the orders a summary cannot stand for: those still open
      // and those closed with a clock still running.
      const open = await orders()
        .find({ createdAt: { $lt: cdmx('2026-07-01T00:00') }, 'slaSummary.final': { $ne: true } })
        .project({ _id: 1 })
        .toArray();
      const asked = rest.flatMap((c) => (c.filter?._id?.$in ?? []) as ObjectId[]).map((id) => id.toHexString());
      expect(asked.sort()).toEqual(open.map((o) => o._id.toHexString()).sort());
      expect(asked.length).toBeLessThan(120);
    } finally {
      await client.close();
    }
  });

  (usingRealMongo ? it.skip : it)(
    'walks the createdAt index and decodes only the projected fields in the embedded engine',
    async () => {
      const get = jest.spyOn(EngineCollection.prototype, 'get');
      const scan = jest.spyOn(EngineCollection.prototype, 'entries');
      try {
        await reads.slaReport(MAY);
        expect(scan).not.toHaveBeenCalled();
        const walked = get.mock.calls.filter(([, , fields]) => fields?.has('slaSummary'));
        // Only the period's orders are read (the index range), never the 40 of July.
        expect(walked).toHaveLength(240);
        for (const [, , fields] of walked)
          expect([...fields!].sort()).toEqual(['_id', 'createdAt', 'slaSummary', 'status', 'version']);
      } finally {
        get.mockRestore();
        scan.mockRestore();
      }
    },
  );
});

describe('summariseOrders', () => {
  it('summarises the closed and cancelled orders that lack a summary, and nothing on a second run', async () => {
    await orders().updateMany({}, { $unset: { slaSummary: '' } });
    const deps = { source, clocks: new ClockSource(w.directory, w.directory, ZONE), now: NOW };
    const all = { from: new Date(0), to: new Date(8.64e15) };
    const first = await summariseOrders(deps, all);
    const finalOnes = await orders().countDocuments({ 'slaSummary.final': true });
    expect(first).toEqual({ read: 280, stored: finalOnes });
    expect(finalOnes).toBeGreaterThan(100);
    expect(await orders().countDocuments({ status: 'desk', slaSummary: { $exists: true } })).toBe(0);
    expect(await summariseOrders(deps, all)).toEqual({ read: 280, stored: 0 });
  });
});

describe('the summary stored with a change', () => {
  const deps = () => ({
    ...w.deps,
    slaSummary: slaSummariser({ directory: w.directory, desk: w.directory, zone: ZONE }),
  });
  const expectedSummary = async (o: ServiceOrder): Promise<SlaSummary | null> => {
    const { slaSummaryOf } = await import('../../../services/reports/order-figures');
    return slaSummaryOf(new ClockSource(w.directory, w.directory, ZONE), o, new Date());
  };

  it('is written with the closure, cleared on reopening, and rewritten with the next closure', async () => {
    const d = deps();
    const world = { ...w, deps: d } as World;
    const closed = await orderIn(world, 'closed');
    expect(closed.slaSummary).toMatchObject({ version: closed.version, status: 'closed', final: true });
    const { slaSummary, ...facts } = closed;
    expect(slaSummary).toEqual(await expectedSummary(facts as ServiceOrder));

    const base = { orderId: closed._id.toHexString(), channel: 'teams' as const };
    const reopened = await reopenOrder(d, {
      ...base,
      actorId: P.requester,
      expectedVersion: closed.version,
      reason: 'Sigue sin encender',
    });
    expect(reopened.status).toBe('desk');
    expect(reopened.slaSummary).toBeNull();

    const again = await closeRemotely(d, {
      ...base,
      actorId: P.analyst,
      expectedVersion: reopened.version,
      solution: 'Se reinició el equipo a distancia.',
    });
    expect(again.slaSummary).toMatchObject({ version: again.version, status: 'closed' });
  });

  it('is written with a cancellation too, without clocks', async () => {
    const cancelled = await orderIn({ ...w, deps: deps() } as World, 'cancelled');
    expect(cancelled.slaSummary).toMatchObject({ status: 'cancelled', clocks: [], final: true });
  });
});

describe('slaSummariser', () => {
  it('answers no summary, rather than failing the closure, when the directory cannot be read', async () => {
    const broken = {
      centre: () => Promise.reject(new Error('directory down')),
      contractById: () => Promise.resolve(null),
    };
    const summarise = slaSummariser({ directory: broken, desk: w.directory, zone: ZONE });
    const order = { ...variedOrder(random(7), 0), status: 'closed' as const };
    await expect(summarise(order, NOW)).resolves.toBeNull();
  });
});
