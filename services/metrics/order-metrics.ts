import type { Db } from 'mongodb';
import type { Logger } from '../logger';
import { PeriodicTask } from '../scheduling/periodic-task';
import type { OrderChange, OrderStore } from '../orders/order-store';
import type { SlaStore } from '../sla/sla-store';
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
 * The same store, moving the order gauge on each new order and each state change it writes
 * (the only two ways an order enters a state). A write that matched nothing, or a repeated
 * report that found its order already made, moves nothing.
 */
export function withOrderMetrics<S extends Pick<OrderStore, 'create' | 'applyChange'>>(
  store: S,
  metrics: DeskMetrics,
): S {
  const measured = Object.create(store) as S;
  measured.create = async (order, year) => {
    const result = await store.create(order, year);
    if (result.created) metrics.orderMoved(result.order.centreId, result.order.status);
    return result;
  };
  measured.applyChange = async (change: OrderChange) => {
    const after = await store.applyChange(change);
    if (after) metrics.orderMoved(after.centreId, after.status, change.from);
    return after;
  };
  return measured;
}

/** The same SLA store, counting each warning and breach once it is recorded (marks are `clock:75|100`). */
export function withSlaMetrics<S extends Pick<SlaStore, 'recordThresholds'>>(store: S, metrics: DeskMetrics): S {
  const measured = Object.create(store) as S;
  measured.recordThresholds = async (orderId, marks, notices) => {
    const recorded = await store.recordThresholds(orderId, marks, notices);
    if (recorded) {
      for (const mark of marks) {
        const [clock = '', threshold] = mark.split(':');
        (threshold === '100' ? metrics.slaBreaches : metrics.slaWarnings).inc({ clock });
      }
    }
    return recorded;
  };
  return measured;
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
