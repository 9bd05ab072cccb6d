import type { AnyBulkWriteOperation, Collection, Db, ObjectId } from 'mongodb';
import type { HistoryEntry, ServiceOrder } from '../orders/types';
import type { SlaSummary } from './order-figures';
import type { ReportQuery } from './report-query';

/** What a report measures an order from: no texts, no people, only the clock facts. */
export type ReportedOrder = Pick<
  ServiceOrder,
  '_id' | 'status' | 'priority' | 'centreId' | 'provider' | 'timestamps' | 'createdAt'
> & {
  history: ReadonlyArray<Pick<HistoryEntry, 'at' | 'to'>>;
};

/** What a report reads first of every order in its period: its state and its stored summary. */
export interface SummaryRow {
  _id: ObjectId;
  status: ServiceOrder['status'];
  version: number;
  slaSummary?: SlaSummary | null;
}

export interface ReportSource {
  /** The orders created in the period (and matching the filters) with their summaries, in one pass. */
  summariesIn(query: ReportQuery): AsyncIterable<SummaryRow>;
  /** The clock facts of these orders (their histories), for those without a usable summary. */
  ordersById(ids: readonly ObjectId[]): AsyncIterable<ReportedOrder & { version: number }>;
  /**
   * Stores summaries measured from history, each only while its order is still at the version
   * and status it was measured at (a change in between keeps the order's own).
   */
  storeSummaries(summaries: ReadonlyArray<{ id: ObjectId; summary: SlaSummary }>): Promise<void>;
}

/**
 * The fields a summary row reads: the summary and what tells whether it still holds. The
 * engine decodes only these (and the filter's) of each document, so an order's history,
 * texts and people never leave the store for a summarised order.
 */
export const SUMMARY_PROJECTION = { status: 1, version: 1, slaSummary: 1 } as const;

/**
 * The summary projection plus the top-level fields the filter reads: the engine decodes
 * those anyway, and a projection naming exactly what it decoded is served as decoded,
 * without projecting each document again.
 */
function summaryProjection(filter: Record<string, unknown>): Record<string, 1> {
  const projection: Record<string, 1> = { ...SUMMARY_PROJECTION };
  for (const key of Object.keys(filter)) projection[key.split('.')[0]!] = 1;
  return projection;
}

/**
 * The fields an order is measured from: no texts, no people. Top-level fields only: the
 * history is read whole, because a projection into array elements costs the embedded engine
 * more than it saves.
 */
export const REPORT_PROJECTION = {
  status: 1,
  version: 1,
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

  async *summariesIn(q: ReportQuery): AsyncIterable<SummaryRow> {
    const filter: Record<string, unknown> = { createdAt: { $gte: q.from, $lt: q.to } };
    if (q.centreId) filter.centreId = q.centreId;
    if (q.providerId) filter['provider.providerId'] = q.providerId;
    if (q.contractId) filter['provider.contractId'] = q.contractId;
    const cursor = this.orders.find(filter, {
      hint: q.centreId ? { centreId: 1, createdAt: 1 } : { createdAt: 1 },
      projection: summaryProjection(filter),
      batchSize: 5000,
    });
    for await (const doc of cursor) yield doc as unknown as SummaryRow;
  }

  async *ordersById(ids: readonly ObjectId[]): AsyncIterable<ReportedOrder & { version: number }> {
    if (ids.length === 0) return;
    const cursor = this.orders.find({ _id: { $in: [...ids] } }, { projection: REPORT_PROJECTION, batchSize: 2000 });
    for await (const doc of cursor) yield doc as ReportedOrder & { version: number };
  }

  async storeSummaries(summaries: ReadonlyArray<{ id: ObjectId; summary: SlaSummary }>): Promise<void> {
    if (summaries.length === 0) return;
    const writes: AnyBulkWriteOperation<ServiceOrder>[] = summaries.map(({ id, summary }) => ({
      updateOne: {
        filter: { _id: id, version: summary.version, status: summary.status },
        update: { $set: { slaSummary: summary } },
      },
    }));
    await this.orders.bulkWrite(writes, { ordered: false });
  }
}
