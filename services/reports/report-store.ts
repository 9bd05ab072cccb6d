import type { Collection, Db } from 'mongodb';
import type { HistoryEntry, ServiceOrder } from '../orders/types';
import type { ReportQuery } from './report-query';

/** What a report reads of an order: no texts, no people, only the clock facts. */
export type ReportedOrder = Pick<
  ServiceOrder,
  '_id' | 'status' | 'priority' | 'centreId' | 'provider' | 'timestamps' | 'createdAt'
> & {
  history: ReadonlyArray<Pick<HistoryEntry, 'at' | 'to'>>;
};

export interface ReportSource {
  /** The orders created in the period (and matching the filters), in one pass. */
  ordersIn(query: ReportQuery): AsyncIterable<ReportedOrder>;
}

/**
 * The fields a report reads: no texts, no people. An order's description, snapshots and
 * resolution are much of its size, and moving them from the database only to drop them
 * here was much of a report's time. Top-level fields only: the history is read whole,
 * because a projection into array elements costs the embedded engine more than it saves.
 */
export const REPORT_PROJECTION = {
  status: 1,
  priority: 1,
  centreId: 1,
  provider: 1,
  timestamps: 1,
  history: 1,
  createdAt: 1,
} as const;

/**
 * Orders for reports through one indexed query: `{centreId, createdAt}` when a centre is
 * given, `{createdAt}` otherwise; provider and contract narrow that range.
 */
export class MongoReportSource implements ReportSource {
  private readonly orders: Collection<ServiceOrder>;

  constructor(db: Db) {
    this.orders = db.collection<ServiceOrder>('orders');
  }

  async ensureIndexes(): Promise<void> {
    await this.orders.createIndex({ centreId: 1, createdAt: 1 });
    await this.orders.createIndex({ createdAt: 1 });
  }

  async *ordersIn(q: ReportQuery): AsyncIterable<ReportedOrder> {
    const filter: Record<string, unknown> = { createdAt: { $gte: q.from, $lt: q.to } };
    if (q.centreId) filter.centreId = q.centreId;
    if (q.providerId) filter['provider.providerId'] = q.providerId;
    if (q.contractId) filter['provider.contractId'] = q.contractId;
    const cursor = this.orders.find(filter, {
      hint: q.centreId ? { centreId: 1, createdAt: 1 } : { createdAt: 1 },
      projection: REPORT_PROJECTION,
      batchSize: 2000,
    });
    for await (const doc of cursor) yield doc as ReportedOrder;
  }
}
