import { ClientSession, Collection, Db, MongoClient, ObjectId, UpdateFilter } from 'mongodb';
import { queueing } from '../notifications/notices';
import type { OrderStatus } from '../workflow';
import type { HistoryEntry, PendingNotice, ServiceOrder } from './types';
import { coalesce } from '../coalesce';
import { isDuplicateKey } from '../mongo-errors';
import { changeSearchTokens, orderSearchTokens } from './search-tokens';

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
  /** Orders taken by this analyst. */
  analystId?: string;
  /** Orders turned to this provider. */
  providerId?: string;
  /** Orders any of whose SLA clocks crossed a warning or its target (`slaMarks` not empty). */
  atRisk?: boolean;
  centreId?: string;
  requesterId?: string;
  from?: Date;
  to?: Date;
  skip: number;
  limit: number;
}

/** A new order before the store numbers it. */
export type UnnumberedOrder = Omit<ServiceOrder, 'folio'>;

export interface OrderStore {
  /**
   * Numbers and stores a new order as one atomic step: the next folio of `year`
   * (`OS-<year>-<6 digits>`) is taken and the order inserted together, or neither happens,
   * so folios form a series without gaps or repeats. The order's `_id` is the report's
   * idempotency key: when an order with that id already exists (a repeated confirmation, a
   * retry after a crash, a concurrent twin that won) it is returned, `created: false`, and
   * nothing is written.
   */
  create(order: UnnumberedOrder, year: number): Promise<{ order: ServiceOrder; created: boolean }>;
  findById(id: ObjectId): Promise<ServiceOrder | null>;
  findByFolio(folio: string): Promise<ServiceOrder | null>;
  /**
   * Applies `change` in one conditional write on `{_id, status: from, version}`; returns
   * the order after the write, or `null` when no order matched (it changed or is gone).
   */
  applyChange(change: OrderChange): Promise<ServiceOrder | null>;
  list(query: OrderQuery): Promise<{ items: ServiceOrder[]; total: number }>;
  /**
   * Orders holding every one of `tokens` (see search-tokens.ts), newest first; one page,
   * and whether more follow. The index walk stops at the page, so a common word costs no
   * more than a rare one.
   */
  search(query: OrderSearch): Promise<{ items: ServiceOrder[]; more: boolean }>;
}

export interface OrderSearch {
  /** Folded tokens, at least one; every one must be on the order. */
  tokens: readonly string[];
  skip: number;
  limit: number;
}

/** Fields a list never needs: the outbox and the search words. */
const LIST_PROJECTION = { outbox: 0, outboxPending: 0, searchTokens: 0 } as const;
/** Marks the one-off filling of `searchTokens` on orders stored before the field existed. */
const SEARCH_BACKFILL = 'search-tokens-1';

/**
 * Told of each order write this store made, once it is stored (metrics follow the orders
 * this way, without wrapping the store). A repeated report that found its order, and a
 * change that matched nothing, are not writes and are not told. An observer must be quick
 * and must not throw: what it throws is dropped, since the write has already happened.
 */
export interface OrderObserver {
  /** A new order was stored. */
  created?(order: ServiceOrder): void;
  /** A change was stored; `from` is the state the order left (the same one for a same-state action). */
  changed?(order: ServiceOrder, from: OrderStatus): void;
}

function tell(notify: () => void): void {
  try {
    notify();
  } catch {
    // The write is stored; an observer's failure must not turn it into an error.
  }
}

/** Attempts at numbering one order when a first-of-the-year counter upsert races another. */
const CREATE_ATTEMPTS = 3;

/**
 * Orders in MongoDB (`orders`), folios from `counters` (one document per year). A new order
 * and its folio are written in one transaction, so the engine and any replica set keep the
 * series gap-free across crashes and across instances; a standalone mongod, which has no
 * transactions, is not supported.
 */
export class MongoOrderStore implements OrderStore {
  private readonly orders: Collection<ServiceOrder>;
  private readonly counters: Collection<{ _id: string; seq: number }>;
  private readonly client: MongoClient;
  /**
   * New orders of this instance are numbered one after another: transactions of one process
   * would otherwise conflict on the year's counter and be retried by the driver over and
   * over. Other instances still race, and the transaction settles that.
   */
  private numbering: Promise<unknown> = Promise.resolve();

  constructor(
    db: Db,
    private readonly observer: OrderObserver = {},
  ) {
    this.orders = db.collection('orders');
    this.counters = db.collection('counters');
    this.client = db.client;
  }

  /** Creates the indexes the use cases and the read API rely on; idempotent. */
  async ensureIndexes(): Promise<void> {
    await this.orders.createIndex({ folio: 1 }, { unique: true });
    await this.orders.createIndex({ status: 1, centreId: 1 });
    await this.orders.createIndex({ 'requester.personId': 1 });
    await this.orders.createIndex({ 'engineer.personId': 1 });
    await this.orders.createIndex({ createdAt: 1 });
    // Mesa: an analyst's own orders, and the change feed that keeps open pages current.
    await this.orders.createIndex({ 'analyst.personId': 1 });
    await this.orders.createIndex({ updatedAt: 1 });
    await this.orders.createIndex({ outboxPending: 1 }, { sparse: true });
    // Mesa's search: one entry per distinct word of an order, walked in date order.
    await this.orders.createIndex({ searchTokens: 1, createdAt: 1 });
    await this.backfillSearchTokens();
    // Orders written before the flag existed: flagged once, so the relay finds their notices.
    await this.orders.updateMany(
      { 'outbox.0': { $exists: true }, outboxPending: { $exists: false } },
      { $set: { outboxPending: true } },
    );
  }

  /** Orders stored before the search field existed get it once; a marker keeps later starts from scanning. */
  private async backfillSearchTokens(): Promise<void> {
    const marks = this.counters.db.collection<{ _id: string; at: Date }>('migrations');
    if (await marks.findOne({ _id: SEARCH_BACKFILL })) return;
    const cursor = this.orders.find({ searchTokens: { $exists: false } }, { projection: { outbox: 0 } });
    for await (const order of cursor) {
      await this.orders.updateOne(
        { _id: order._id, searchTokens: { $exists: false } },
        { $set: { searchTokens: orderSearchTokens(order) } },
      );
    }
    await marks.updateOne({ _id: SEARCH_BACKFILL }, { $set: { at: new Date() } }, { upsert: true });
  }

  async create(order: UnnumberedOrder, year: number): Promise<{ order: ServiceOrder; created: boolean }> {
    const run = this.numbering.then(() => this.createNow(order, year));
    this.numbering = run.catch(() => undefined);
    const result = await run;
    if (result.created && this.observer.created) tell(() => this.observer.created!(result.order));
    return result;
  }

  private async createNow(
    order: UnnumberedOrder,
    year: number,
    attempt = 1,
  ): Promise<{ order: ServiceOrder; created: boolean }> {
    try {
      const stored = await this.client.withSession((session) =>
        session.withTransaction(() => this.numberAndInsert(order, year, session)),
      );
      return { order: stored, created: true };
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      // A twin with this id committed first: the aborted transaction took no folio, and the
      // report gets the order that exists. Looked up only here, since repeats are rare.
      const existing = await this.orders.findOne({ _id: order._id }, { projection: { searchTokens: 0 } });
      if (existing) return { order: existing, created: false };
      // Two first-of-the-year counter upserts raced; the loser then increments the winner's.
      if (attempt >= CREATE_ATTEMPTS) throw error;
      return this.createNow(order, year, attempt + 1);
    }
  }

  private async numberAndInsert(order: UnnumberedOrder, year: number, session: ClientSession): Promise<ServiceOrder> {
    const counter = await this.counters.findOneAndUpdate(
      { _id: `folio-${year}` },
      { $inc: { seq: 1 } },
      { upsert: true, returnDocument: 'after', session },
    );
    if (!counter) throw new Error(`counter folio-${year} returned no document`);
    const folio = `OS-${year}-${String(counter.seq).padStart(6, '0')}`;
    const stored: ServiceOrder = { ...order, folio };
    await this.orders.insertOne({ ...stored, searchTokens: orderSearchTokens(stored) }, { session });
    return stored;
  }

  findById(id: ObjectId): Promise<ServiceOrder | null> {
    return this.findTogether(id);
  }

  /** Orders looked up together (card actions arriving at once) are read in one query. */
  private readonly findTogether = coalesce(async (ids: readonly ObjectId[]) => {
    const found = await this.orders
      .find(
        { _id: { $in: [...new Map(ids.map((id) => [id.toHexString(), id])).values()] } },
        { projection: { searchTokens: 0 } },
      )
      .toArray();
    const byId = new Map(found.map((o) => [o._id.toHexString(), o]));
    return ids.map((id) => ({ ok: true as const, value: byId.get(id.toHexString()) ?? null }));
  });

  async findByFolio(folio: string): Promise<ServiceOrder | null> {
    return this.orders.findOne({ folio: String(folio) }, { projection: { searchTokens: 0 } });
  }

  async applyChange(change: OrderChange): Promise<ServiceOrder | null> {
    const after = await this.orders.findOneAndUpdate(
      { _id: change.id, status: change.from, version: change.version },
      queueing(
        {
          $set: change.set,
          $inc: { version: 1 },
          $push: { history: change.history },
          $addToSet: { searchTokens: { $each: changeSearchTokens(change.set, change.history) } },
        },
        change.notices,
      ) as UpdateFilter<ServiceOrder>,
      { returnDocument: 'after', projection: { searchTokens: 0 } },
    );
    if (after && this.observer.changed) tell(() => this.observer.changed!(after, change.from));
    return after;
  }

  async list(query: OrderQuery): Promise<{ items: ServiceOrder[]; total: number }> {
    const filter: Record<string, unknown> = {};
    if (query.status) filter.status = query.status;
    if (query.statuses)
      filter.status = query.status
        ? query.statuses.includes(query.status)
          ? query.status
          : { $in: [] }
        : { $in: [...query.statuses] };
    if (query.engineerId) filter['engineer.personId'] = query.engineerId;
    if (query.analystId) filter['analyst.personId'] = query.analystId;
    if (query.providerId) filter['provider.providerId'] = query.providerId;
    if (query.atRisk) filter['slaMarks.0'] = { $exists: true };
    if (query.centreId) filter.centreId = query.centreId;
    if (query.requesterId) filter['requester.personId'] = query.requesterId;
    if (query.from || query.to) {
      filter.createdAt = { ...(query.from && { $gte: query.from }), ...(query.to && { $lt: query.to }) };
    }
    const [items, total] = await Promise.all([
      this.orders
        .find(filter, { projection: LIST_PROJECTION })
        .sort({ createdAt: -1, _id: -1 })
        .skip(query.skip)
        .limit(query.limit)
        .toArray(),
      this.orders.countDocuments(filter),
    ]);
    return { items, total };
  }

  async search(query: OrderSearch): Promise<{ items: ServiceOrder[]; more: boolean }> {
    const [first, ...rest] = [...query.tokens].sort((a, b) => b.length - a.length);
    if (!first) return { items: [], more: false };
    // The longest word (likely the rarest) is the one the index walks; the others only filter.
    const filter = rest.length
      ? { $and: [{ searchTokens: first }, { searchTokens: { $all: rest } }] }
      : { searchTokens: first };
    const items = await this.orders
      .find(filter, { projection: LIST_PROJECTION })
      .sort({ createdAt: -1, _id: -1 })
      .skip(query.skip)
      .limit(query.limit + 1)
      .toArray();
    return { items: items.slice(0, query.limit), more: items.length > query.limit };
  }
}
