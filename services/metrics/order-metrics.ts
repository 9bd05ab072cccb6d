import type { Db } from 'mongodb';
import type { Logger } from '../logger';
import { PeriodicTask } from '../scheduling/periodic-task';
import type { OrderObserver } from '../orders/order-store';
import type { SlaObserver } from '../sla/sla-store';
import type { DeskMetrics } from './desk-metrics';

/**
 * Sets the order gauge from one aggregation over `orders` (count by state and centre). Run at
 * start, and again now and then: each instance moves the gauge only for the writes it makes,
 * so with several instances the others' changes show after the next reconcile.
 */
export async function seedOrderGauge(db: Db, metrics: DeskMetrics): Promise<number> {
  const groups = await db
    .collection('orders')
    .aggregate<{ _id: { status: string; centre: string }; n: number }>([
      { $group: { _id: { status: '$status', centre: '$centreId' }, n: { $sum: 1 } } },
    ])
    .toArray();
  metrics.orders.reset();
  for (const g of groups) metrics.orders.set({ status: String(g._id.status), centre: String(g._id.centre ?? '') }, g.n);
  return groups.reduce((sum, g) => sum + g.n, 0);
}

/**
 * The order store's observer that moves the order gauge on each new order and each change
 * it writes (the only two ways an order enters a state). Given to the store at its
 * construction, in the composition root.
 */
export function orderGaugeObserver(metrics: DeskMetrics): OrderObserver {
  return {
    created: (order) => metrics.orderMoved(order.centreId, order.status),
    changed: (order, from) => metrics.orderMoved(order.centreId, order.status, from),
  };
}

/** The SLA store's observer that counts each warning and breach once it is recorded (marks are `clock:75|100`). */
export function slaCountObserver(metrics: DeskMetrics): SlaObserver {
  return {
    recorded(marks) {
      for (const mark of marks) {
        const [clock = '', threshold] = mark.split(':');
        (threshold === '100' ? metrics.slaBreaches : metrics.slaWarnings).inc({ clock });
      }
    },
  };
}

/**
 * Recounts the order gauge every `intervalMs` after the count made at start, so that changes
 * written by other instances show here too. 0: never.
 */
export function orderGaugeReconciler(deps: { db: Db; metrics: DeskMetrics; intervalMs: number; logger: Logger }): {
  start(): void;
  stop(): Promise<void>;
} {
  if (deps.intervalMs <= 0) return { start() {}, stop: async () => {} };
  let first = true;
  return new PeriodicTask({
    name: 'metrics',
    logger: deps.logger,
    intervalMs: deps.intervalMs,
    // The first pass comes at start(), right after the count made before listening: skip it.
    run: async () => (first ? ((first = false), { nextInMs: deps.intervalMs }) : seedOrderGauge(deps.db, deps.metrics)),
  });
}
