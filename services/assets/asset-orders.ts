import type { Collection, Db, ObjectId } from 'mongodb';
import type { OrderStatus } from '../workflow';
import type { RepeatFailure, ServiceOrder } from '../orders/types';
import { inventoryKey } from './schema';

/** One line of an asset's history of orders. */
export interface AssetOrderLine {
  _id: ObjectId;
  folio: string;
  status: OrderStatus;
  createdAt: Date;
  description: string;
}

export interface AssetOrders {
  /** The orders that name this inventory number, newest first. */
  ordersOfAsset(inventoryNumber: string, options?: { since?: Date; limit?: number }): Promise<AssetOrderLine[]>;
}

/** The window and count of PROCESS's repeat-failure rule: the third failure within 90 days. */
export const REPEAT_WINDOW_DAYS = 90;
export const REPEAT_THRESHOLD = 3;

/** Orders of an asset, read from `orders` through an index on the inventory number and date. */
export class MongoAssetOrders implements AssetOrders {
  private readonly orders: Collection<ServiceOrder>;

  constructor(db: Db) {
    this.orders = db.collection('orders');
  }

  async ensureIndexes(): Promise<void> {
    await this.orders.createIndex({ 'equipment.inventoryNumber': 1, createdAt: -1 });
  }

  async ordersOfAsset(
    inventoryNumber: string,
    options: { since?: Date; limit?: number } = {},
  ): Promise<AssetOrderLine[]> {
    const filter: Record<string, unknown> = { 'equipment.inventoryNumber': inventoryKey(String(inventoryNumber)) };
    if (options.since) filter.createdAt = { $gte: options.since };
    const docs = await this.orders
      .find(filter, { projection: { _id: 1, folio: 1, status: 1, createdAt: 1, description: 1 } })
      .sort({ createdAt: -1 })
      .limit(options.limit ?? 200)
      .toArray();
    return docs as AssetOrderLine[];
  }
}

/**
 * The repeat-failure flag for an order of `inventoryNumber` made at `at`: set when, with
 * this one, the asset has failed REPEAT_THRESHOLD times or more within REPEAT_WINDOW_DAYS.
 * Cancelled orders (duplicates, mistakes) are not failures; `self` is left out so a
 * re-check after a correction does not count the order twice.
 */
export async function repeatFailureOf(
  history: AssetOrders,
  inventoryNumber: string,
  at: Date,
  self?: ObjectId,
): Promise<RepeatFailure | undefined> {
  const since = new Date(at.getTime() - REPEAT_WINDOW_DAYS * 86_400_000);
  const earlier = (await history.ordersOfAsset(inventoryNumber, { since })).filter(
    (o) => o.status !== 'cancelled' && !(self && o._id.equals(self)) && o.createdAt <= at,
  );
  if (earlier.length + 1 < REPEAT_THRESHOLD) return undefined;
  return { count: earlier.length + 1, windowDays: REPEAT_WINDOW_DAYS, earlier: earlier.map((o) => o.folio) };
}
