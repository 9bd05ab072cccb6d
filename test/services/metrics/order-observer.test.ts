import { DeskMetrics } from '../../../services/metrics/desk-metrics';
import { orderGaugeObserver } from '../../../services/metrics/order-metrics';
import { MongoOrderStore } from '../../../services/orders/order-store';
import { reportOrder } from '../../../services/orders/report-order';
import { takeOrder } from '../../../services/orders/take-order';
import { openWorld, P, reportInput, World } from '../orders/world';

/** The gauge's value for one state and centre, read from the registry. */
async function gauge(metrics: DeskMetrics, status: string, centre: string): Promise<number> {
  const { values } = await metrics.orders.get();
  return values.find((v) => v.labels.status === status && v.labels.centre === centre)?.value ?? 0;
}

describe('the order gauge as an observer of the order store', () => {
  let w: World;
  beforeAll(async () => {
    w = await openWorld();
  });
  afterAll(async () => {
    await w?.t.close();
  });

  it('moves on a report and on a transition made through the use cases, and not on a refused one', async () => {
    const metrics = new DeskMetrics({ processMetrics: false });
    const orders = new MongoOrderStore(w.t.db, orderGaugeObserver(metrics));
    const deps = { ...w.deps, orders };
    const order = await reportOrder(deps, reportInput());
    expect(await gauge(metrics, 'reported', order.centreId)).toBe(1);

    const taken = await takeOrder(deps, { orderId: order._id.toHexString(), actorId: P.analyst, channel: 'teams' });
    expect(taken.status).toBe('desk');
    expect(await gauge(metrics, 'reported', order.centreId)).toBe(0);
    expect(await gauge(metrics, 'desk', order.centreId)).toBe(1);

    await expect(
      takeOrder(deps, { orderId: order._id.toHexString(), actorId: P.analyst, channel: 'teams', expectedVersion: 1 }),
    ).rejects.toBeDefined();
    expect(await gauge(metrics, 'desk', order.centreId)).toBe(1);
  });

  it('keeps the write when an observer throws', async () => {
    const orders = new MongoOrderStore(w.t.db, {
      created: () => {
        throw new Error('observer failed');
      },
    });
    const order = await reportOrder({ ...w.deps, orders }, reportInput());
    expect(await orders.findById(order._id)).not.toBeNull();
  });
});
