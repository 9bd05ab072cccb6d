import type { Collection, Db } from 'mongodb';
import type { Logger } from '../logger';
import type { ServiceOrder } from '../orders/types';

/** What a page needs to know that an order changed, and to decide whether its reader may know. */
export type OrderChangeEvent = Pick<
  ServiceOrder,
  '_id' | 'folio' | 'version' | 'status' | 'requester' | 'engineer' | 'provider' | 'centreId' | 'updatedAt'
>;

const PROJECTION = {
  _id: 1,
  folio: 1,
  version: 1,
  status: 1,
  requester: 1,
  engineer: 1,
  provider: 1,
  centreId: 1,
  updatedAt: 1,
};
/** Orders read per poll; a burst larger than this is read over the next polls. */
const BATCH = 500;

/**
 * Changes to orders, from whichever process made them: polls `orders` on the indexed
 * `updatedAt` that every write of an order sets, so a change made by another instance on
 * the same database shows as soon as one made here. Polls only while someone listens.
 * Orders written in the same millisecond are told apart by version, so none is skipped
 * or told twice.
 */
export class OrderChangeFeed {
  private readonly orders: Collection<ServiceOrder>;
  private readonly listeners = new Set<(events: OrderChangeEvent[]) => void>();
  private timer?: NodeJS.Timeout;
  private since = new Date();
  private seenAtSince = new Set<string>();
  private polling?: Promise<void>;

  constructor(
    db: Db,
    private readonly options: { intervalMs: number; logger: Logger },
  ) {
    this.orders = db.collection('orders');
  }

  subscribe(listener: (events: OrderChangeEvent[]) => void): () => void {
    if (this.listeners.size === 0) this.startPolling();
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stopPolling();
    };
  }

  private startPolling(): void {
    this.since = new Date();
    this.seenAtSince = new Set();
    this.timer = setInterval(() => {
      this.polling ??= this.poll()
        .catch((error: unknown) => this.options.logger.warn({ err: error }, 'order change poll failed'))
        .finally(() => (this.polling = undefined));
    }, this.options.intervalMs);
    this.timer.unref();
  }

  private stopPolling(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async poll(): Promise<void> {
    const found = (await this.orders
      .find({ updatedAt: { $gte: this.since } }, { projection: PROJECTION })
      .sort({ updatedAt: 1 })
      .limit(BATCH)
      .toArray()) as OrderChangeEvent[];
    const fresh = found.filter((o) => !this.seenAtSince.has(`${o.folio}@${o.version}`));
    if (fresh.length === 0) return;
    const last = found[found.length - 1]!.updatedAt;
    if (last.getTime() !== this.since.getTime()) this.seenAtSince = new Set();
    this.since = last;
    for (const o of found)
      if (o.updatedAt.getTime() === last.getTime()) this.seenAtSince.add(`${o.folio}@${o.version}`);
    for (const listener of this.listeners) listener(fresh);
  }

  stop(): void {
    this.listeners.clear();
    this.stopPolling();
  }
}
