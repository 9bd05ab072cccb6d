import type { ObjectId } from 'mongodb';
import type { Logger } from '../logger';
import type { ClockSource } from '../sla/clock-source';
import { figuresOf, OrderFigures, SlaSummary, slaSummaryOf, SUMMARISED_STATUSES, usableFigures } from './order-figures';
import type { ReportSource } from './report-store';

export interface MeasureDeps {
  source: ReportSource;
  clocks: ClockSource;
  now: Date;
  logger?: Logger;
}

/** Orders measured from history at a time; their histories are read in one query. */
export const LIVE_BATCH = 1000;

/**
 * Measures the orders `ids` from their histories, hands each one's figures to `add`, and
 * stores the summaries of those closed or cancelled with every clock stopped, so the next
 * report reads the summary instead. A failed store is logged, not thrown: the figures are
 * counted already, and the next report measures those orders again.
 */
export async function measureFromHistory(
  deps: MeasureDeps,
  ids: readonly ObjectId[],
  add: (figures: OrderFigures) => void,
): Promise<number> {
  const summaries: Array<{ id: ObjectId; summary: SlaSummary }> = [];
  for await (const order of deps.source.ordersById(ids)) {
    const summary = await slaSummaryOf(deps.clocks, order, deps.now);
    add(summary ?? (await figuresOf(deps.clocks, order, deps.now)));
    // A summary whose clocks still run would be measured again next time: not worth a write.
    if (summary?.final) summaries.push({ id: order._id, summary });
  }
  try {
    await deps.source.storeSummaries(summaries);
  } catch (error) {
    deps.logger?.warn({ err: error, orders: summaries.length }, 'could not store SLA summaries');
    return 0;
  }
  return summaries.length;
}

/**
 * Stores a summary on every closed or cancelled order created in `[from, to)` that has none
 * still holding (orders stored before summaries existed, or after the directory changed a
 * calendar or a target). Idempotent; the service may keep running meanwhile, since each
 * write holds only while the order is at the version it was measured at.
 */
export async function summariseOrders(
  deps: MeasureDeps,
  period: { from: Date; to: Date },
): Promise<{ read: number; stored: number }> {
  let read = 0;
  let stored = 0;
  let pending: ObjectId[] = [];
  const flush = async () => {
    stored += await measureFromHistory(deps, pending, () => undefined);
    pending = [];
  };
  for await (const row of deps.source.summariesIn({ ...period, format: 'json' })) {
    read += 1;
    if (!SUMMARISED_STATUSES.includes(row.status) || (await usableFigures(deps.clocks, row))) continue;
    if (pending.push(row._id) >= LIVE_BATCH) await flush();
  }
  await flush();
  return { read, stored };
}
