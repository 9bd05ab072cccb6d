import { Collection, Db, MongoServerError, ObjectId, UpdateFilter } from 'mongodb';
import { queueing } from '../notifications/notices';
import type { OrderStatus } from '../workflow';
import type { HistoryEntry, PendingNotice, ServiceOrder } from './types';
import { coalesce } from '../coalesce';
import { isDuplicateKey, refusedWrites } from '../mongo-errors';

/** One state change, already decided by the workflow: the store only writes it, guarded. */
export interface OrderChange {
  id: ObjectId;
  /** The state and version the decision was made on; the write happens only if both still hold. */
  from: OrderStatus;
  version: number;
  /** Dotted paths to `$set` (status, timestamps.*, engineer, …). */
  set: Record<string, unknown>;
  history: HistoryEntry;
  notices: PendingNotice[];
}

/** Already-typed filters; list-orders validates user values before building one. */
export interface OrderQuery {
  status?: OrderStatus;
  /** Any of these states (with `status`, both must hold). */
  statuses?: readonly OrderStatus[];
  /** Orders turned to this engineer. */
  engineerId?: string;
  centreId?: string;
  requesterId?: string;
  from?: Date;
  to?: Date;
  skip: number;
  limit: number;
}

export interface OrderStore {
  /** Next folio of the year, `OS-<year>-<6 digits>`; never hands the same one out twice. */
  nextFolio(year: number): Promise<string>;
  insert(order: ServiceOrder): Promise<void>;
  findById(id: ObjectId): Promise<ServiceOrder | null>;
  findByFolio(folio: string): Promise<ServiceOrder | null>;
  /**
   * Applies `change` in one conditional write on `{_id, status: from, version}`; returns
   * the order after the write, or `null` when no order matched (it changed or is gone).
   */
  applyChange(change: OrderChange): Promise<ServiceOrder | null>;
  list(query: OrderQuery): Promise<{ items: ServiceOrder[]; total: number }>;
}

/**
 * Orders in MongoDB (`orders`), folios from `counters` (one document per year, `$inc` with
 * upsert, so concurrent reports on any number of instances get distinct, consecutive
 * numbers).
 */
export class MongoOrderStore implements OrderStore {
  private readonly orders: Collection<ServiceOrder>;
  private readonly counters: Collection<{ _id: string; seq: number }>;

  constructor(db: Db) {
    this.orders = db.collection('orders');
    this.counters = db.collection('counters');
  }

  /** Creates the indexes the use cases and the read API rely on; idempotent. */
  async ensureIndexes(): Promise<void> {
    await this.orders.createIndex({ folio: 1 }, { unique: true });
    await this.orders.createIndex({ status: 1, centreId: 1 });
    await this.orders.createIndex({ 'requester.personId': 1 });
    await this.orders.createIndex({ 'engineer.personId': 1 });
    await this.orders.createIndex({ createdAt: 1 });
    await this.orders.createIndex({ outboxPending: 1 }, { sparse: true });
    // Orders written before the flag existed: flagged once, so the relay finds their notices.
    await this.orders.updateMany({ 'outbox.0': { $exists: true }, outboxPending: { $exists: false } }, { $set: { outboxPending: true } });
  }

  async nextFolio(year: number): Promise<string> {
    const seq = await this.nextInSequence(`folio-${year}`);
    return `OS-${year}-${String(seq).padStart(6, '0')}`;
  }

  /**
   * Folios asked for together (reports arriving at once) are taken in one increment of the
   * counter by their number, then handed out in the order asked: still one folio per order,
   * consecutive, never twice.
   */
  private readonly nextInSequence = coalesce(async (keys: readonly string[]) => {
    const counts = new Map<string, number>();
    for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
    const next = new Map<string, number>();
    await Promise.all([...counts].map(async ([key, n]) => next.set(key, (await this.increment(key, n)) - n + 1)));
    return keys.map((key) => {
      const seq = next.get(key)!;
      next.set(key, seq + 1);
      return { ok: true as const, value: seq };
    });
  });

  /** Two first-of-the-year upserts can race on the same _id; the loser retries and increments. */
  private async increment(key: string, by: number, attempt = 0): Promise<number> {
    try {
      const doc = await this.counters.findOneAndUpdate(
        { _id: key },
        { $inc: { seq: by } },
        { upsert: true, returnDocument: 'after' },
      );
      if (!doc) throw new Error(`counter ${key} returned no document`);
      return doc.seq;
    } catch (error) {
      if (error instanceof MongoServerError && isDuplicateKey(error) && attempt < 3) return this.increment(key, by, attempt + 1);
      throw error;
    }
  }

  insert(order: ServiceOrder): Promise<void> {
    return this.insertTogether(order);
  }

  /**
   * Orders reported together go in one unordered insert; an order the database refuses (a
   * duplicate id) fails alone, with the server's error as its own insert would have had it.
   */
  private readonly insertTogether = coalesce(async (orders: readonly ServiceOrder[]) => {
    const refused = new Map<number, unknown>();
    try {
      await this.orders.insertMany([...orders], { ordered: false });
    } catch (error) {
      const writes = refusedWrites(error);
      if (!writes) throw error;
      for (const e of writes) {
        refused.set(e.index, new MongoServerError({ message: e.errmsg ?? 'insert refused', errmsg: e.errmsg, code: e.code, errInfo: e.errInfo }));
      }
    }
    return orders.map((_, i) => (refused.has(i) ? { ok: false as const, error: refused.get(i) } : { ok: true as const, value: undefined }));
  });

  findById(id: ObjectId): Promise<ServiceOrder | null> {
    return this.findTogether(id);
  }

  /** Orders looked up together (card actions arriving at once) are read in one query. */
  private readonly findTogether = coalesce(async (ids: readonly ObjectId[]) => {
    const found = await this.orders.find({ _id: { $in: [...new Map(ids.map((id) => [id.toHexString(), id])).values()] } }).toArray();
    const byId = new Map(found.map((o) => [o._id.toHexString(), o]));
    return ids.map((id) => ({ ok: true as const, value: byId.get(id.toHexString()) ?? null }));
  });

  async findByFolio(folio: string): Promise<ServiceOrder | null> {
    return this.orders.findOne({ folio: String(folio) });
  }

  async applyChange(change: OrderChange): Promise<ServiceOrder | null> {
    return this.orders.findOneAndUpdate(
      { _id: change.id, status: change.from, version: change.version },
      queueing({ $set: change.set, $inc: { version: 1 }, $push: { history: change.history } }, change.notices) as UpdateFilter<ServiceOrder>,
      { returnDocument: 'after' },
    );
  }

  async list(query: OrderQuery): Promise<{ items: ServiceOrder[]; total: number }> {
    const filter: Record<string, unknown> = {};
    if (query.status) filter.status = query.status;
    if (query.statuses) filter.status = query.status ? (query.statuses.includes(query.status) ? query.status : { $in: [] }) : { $in: [...query.statuses] };
    if (query.engineerId) filter['engineer.personId'] = query.engineerId;
    if (query.centreId) filter.centreId = query.centreId;
    if (query.requesterId) filter['requester.personId'] = query.requesterId;
    if (query.from || query.to) {
      filter.createdAt = { ...(query.from && { $gte: query.from }), ...(query.to && { $lt: query.to }) };
    }
    const [items, total] = await Promise.all([
      this.orders
        .find(filter, { projection: { outbox: 0, outboxPending: 0 } })
        .sort({ createdAt: -1, _id: -1 })
        .skip(query.skip)
        .limit(query.limit)
        .toArray(),
      this.orders.countDocuments(filter),
    ]);
    return { items, total };
  }
}
