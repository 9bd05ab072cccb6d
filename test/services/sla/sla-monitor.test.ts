import { MongoClient } from 'mongodb';
import { reportOrder } from '../../../services/orders/report-order';
import { assignEngineer } from '../../../services/orders/assign-engineer';
import { takeOrder } from '../../../services/orders/take-order';
import type { ServiceOrder } from '../../../services/orders/types';
import { OutboxRelay } from '../../../services/outbox';
import { SlaMonitor } from '../../../services/sla/sla-monitor';
import { MongoSlaStore } from '../../../services/sla/sla-store';
import { EXAMPLE_DESK_TARGETS } from '../../support/desk-targets';
import { quietLogger } from '../outbox/fixtures';
import { openWorld, P, reportInput, World } from '../orders/world';
import { cdmx } from './support';

let w: World;
beforeAll(async () => {
  w = await openWorld();
});
afterAll(async () => {
  await w.t.close();
});

/** A clock the tests move by hand. */
function clock(start: string) {
  let current = cdmx(start);
  return {
    now: () => current,
    set: (local: string) => {
      current = cdmx(local);
    },
  };
}

function monitor(now: () => Date, db = w.t.db) {
  return new SlaMonitor({
    store: new MongoSlaStore(db),
    directory: w.directory,
    desk: EXAMPLE_DESK_TARGETS,
    zone: 'America/Mexico_City',
    logger: quietLogger(),
    now,
  });
}

async function reportAt(local: string): Promise<ServiceOrder> {
  return reportOrder({ ...w.deps, now: () => cdmx(local) }, reportInput({ priority: 'high' }));
}

const stored = async (o: ServiceOrder) => (await w.orders.findById(o._id))!;
const slaOutbox = async (o: ServiceOrder) => (await stored(o)).outbox.filter((n) => n.event.startsWith('sla_'));

describe('SlaMonitor', () => {
  it('queues the 75 % warning and the breach once each, to every analyst', async () => {
    const t = clock('2026-03-02T09:10');
    const order = await reportAt('2026-03-02T09:00');
    const m = monitor(t.now);
    await m.checkOnce();
    expect(await slaOutbox(order)).toEqual([]);
    t.set('2026-03-02T09:23'); // 23 of 30 minutes of desk response
    await m.checkOnce();
    await m.checkOnce();
    expect((await slaOutbox(order)).map((n) => [n.event, n.recipient.personId])).toEqual([
      ['sla_warning', P.analyst],
      ['sla_warning', P.analyst2],
    ]);
    t.set('2026-03-02T09:31');
    await m.checkOnce();
    await m.checkOnce();
    const notices = await slaOutbox(order);
    expect(notices.map((n) => n.event)).toEqual(['sla_warning', 'sla_warning', 'sla_breach', 'sla_breach']);
    expect(new Set(notices.map((n) => n.id)).size).toBe(4);
    expect((await stored(order)).slaMarks).toEqual(['desk_response:75', 'desk_response:100']);
  });

  it('records a threshold once when two instances check at the same moment', async () => {
    const t = clock('2026-03-03T09:00');
    const order = await reportAt('2026-03-03T09:00');
    t.set('2026-03-03T09:24');
    const other = await MongoClient.connect(w.t.uri);
    try {
      const results = await Promise.all([
        monitor(t.now).checkOnce(),
        monitor(t.now, other.db(w.t.dbName)).checkOnce(),
        monitor(t.now).checkOnce(),
      ]);
      expect(results.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
      expect((await slaOutbox(order)).map((n) => n.event)).toEqual(['sla_warning', 'sla_warning']);
    } finally {
      await other.close();
    }
  });

  it('does not repeat a threshold after a restart between passes, and announces the next one', async () => {
    const t = clock('2026-03-04T09:24');
    const order = await reportAt('2026-03-04T09:00');
    const first = monitor(t.now);
    first.start();
    await waitFor(async () => (await slaOutbox(order)).length === 2);
    await first.stop();
    const restarted = monitor(t.now);
    await restarted.checkOnce();
    expect(await slaOutbox(order)).toHaveLength(2);
    t.set('2026-03-04T09:40');
    await restarted.checkOnce();
    await monitor(t.now).checkOnce();
    expect((await slaOutbox(order)).map((n) => n.event)).toEqual([
      'sla_warning',
      'sla_warning',
      'sla_breach',
      'sla_breach',
    ]);
  });

  it('catches up after downtime with the breach only, telling the assigned engineer too', async () => {
    const order = await reportAt('2026-03-05T09:00');
    const taken = await takeOrder(
      { ...w.deps, now: () => cdmx('2026-03-05T09:05') },
      { orderId: order._id.toHexString(), actorId: P.analyst, channel: 'teams' },
    );
    await assignEngineer(
      { ...w.deps, now: () => cdmx('2026-03-05T09:10') },
      { orderId: taken._id.toHexString(), actorId: P.analyst, channel: 'teams', engineerId: P.engineer },
    );
    // Down from 09:10 to the next day: on-site attention (4 h for high) is long past.
    await monitor(() => cdmx('2026-03-06T12:00')).checkOnce();
    const notices = (await slaOutbox(order)).filter((n) => n.id.includes(':onsite_attention:'));
    expect(notices.map((n) => [n.event, n.recipient.role])).toEqual([
      ['sla_breach', 'analyst'],
      ['sla_breach', 'analyst'],
      ['sla_breach', 'engineer'],
    ]);
    expect((await stored(order)).slaMarks).toEqual(
      expect.arrayContaining(['onsite_attention:75', 'onsite_attention:100']),
    );
  });

  it('leaves status and version alone, so a concurrent transition still succeeds', async () => {
    const order = await reportAt('2026-03-09T09:00');
    await monitor(() => cdmx('2026-03-09T09:40')).checkOnce();
    const after = await stored(order);
    expect(after).toMatchObject({ status: 'reported', version: order.version });
    await expect(
      takeOrder(
        { ...w.deps, now: () => cdmx('2026-03-09T09:41') },
        { orderId: order._id.toHexString(), actorId: P.analyst, channel: 'teams', expectedVersion: order.version },
      ),
    ).resolves.toMatchObject({ status: 'desk' });
  });

  it('hands each threshold notice to the notifications collection once', async () => {
    const order = await reportAt('2026-03-10T09:00');
    await monitor(() => cdmx('2026-03-10T10:00')).checkOnce();
    const relay = new OutboxRelay({ db: w.t.db, logger: quietLogger() });
    await relay.relayOnce();
    await relay.relayOnce();
    const docs = await w.t.db
      .collection('notifications')
      .find({ orderId: order._id, event: { $in: ['sla_warning', 'sla_breach'] } })
      .toArray();
    expect(docs.map((d) => d.event)).toEqual(['sla_breach', 'sla_breach']);
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
