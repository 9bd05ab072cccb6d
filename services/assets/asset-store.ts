import type { Collection, Db } from 'mongodb';
import { AppError } from '../errors';
import { Asset, inventoryKey } from './schema';

type StoredAsset = Asset & { _id: string };

/**
 * Read access to the equipment register. Lookups take plain strings checked at run time,
 * so a value typed by a person never reaches a query as an operator. A miss is `null`.
 */
export interface AssetReader {
  /** Case-insensitive; through the unique index on the inventory number. */
  byInventoryNumber(inventoryNumber: string): Promise<Asset | null>;
  /** The centre's equipment, by location then inventory number (for a dialog that offers them). */
  inCentre(centreId: string, location?: string): Promise<Asset[]>;
}

export interface AssetWriter {
  /** Replaces the whole register at once. */
  replaceAll(assets: readonly Asset[]): Promise<void>;
}

function str(value: unknown, field: string): string {
  if (typeof value !== 'string') {
    throw new AppError('VALIDATION', `asset lookup ${field} must be a string`, `El dato «${field}» no es válido.`, {
      field,
    });
  }
  return value;
}

function strip(doc: StoredAsset | null): Asset | null {
  if (!doc) return null;
  const { _id, ...asset } = doc;
  void _id;
  return asset;
}

/** Rows per insert: a 50,000-asset register goes in a few dozen round trips, each well under the message limit. */
const INSERT_BATCH = 2_000;
const SIDES = ['assets_a', 'assets_b'] as const;
type Side = (typeof SIDES)[number];
/** How long an instance trusts its reading of which side is current; an import is seen within this. */
const POINTER_TTL_MS = 5_000;

/**
 * The equipment register in MongoDB, in two collections (`assets_a`, `assets_b`) of which a
 * pointer document (`registers`, `_id: "assets"`) names the current one. Each has a unique
 * index on `inventoryNumber` (stored upper-case) and one on centre and location.
 *
 * `replaceAll` fills the other collection (dropped first) and then flips the pointer in one
 * single-document write: readers see the old register or the new one, never a mix, and a
 * failure half-way leaves the old one current. This replaces the directory's transaction
 * because a register is hundreds of times larger than a directory, and a transaction that
 * size outlives the transaction time limit of a MongoDB server (and of the embedded engine).
 */
export class MongoAssetStore implements AssetReader, AssetWriter {
  private readonly pointer: Collection<{ _id: string; current: Side; importedAt: Date; count: number }>;
  private known?: { side: Side; at: number };

  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {
    this.pointer = db.collection('registers');
  }

  async ensureIndexes(): Promise<void> {
    for (const side of SIDES) await this.indexes(this.db.collection<StoredAsset>(side));
  }

  private async indexes(c: Collection<StoredAsset>): Promise<void> {
    await c.createIndex({ inventoryNumber: 1 }, { unique: true });
    await c.createIndex({ centreId: 1, location: 1 });
  }

  private async current(): Promise<Collection<StoredAsset>> {
    const t = this.now();
    if (!this.known || t - this.known.at > POINTER_TTL_MS) {
      const doc = await this.pointer.findOne({ _id: 'assets' });
      this.known = { side: doc?.current ?? 'assets_a', at: t };
    }
    return this.db.collection<StoredAsset>(this.known.side);
  }

  async replaceAll(assets: readonly Asset[]): Promise<void> {
    const doc = await this.pointer.findOne({ _id: 'assets' });
    const next: Side = doc?.current === 'assets_a' ? 'assets_b' : 'assets_a';
    const target = this.db.collection<StoredAsset>(next);
    await target.drop().catch(() => undefined);
    await this.indexes(target);
    const docs = assets.map((a) => ({ ...a, _id: a.inventoryNumber }));
    for (let i = 0; i < docs.length; i += INSERT_BATCH)
      await target.insertMany(docs.slice(i, i + INSERT_BATCH), { ordered: true });
    await this.pointer.updateOne(
      { _id: 'assets' },
      { $set: { current: next, importedAt: new Date(this.now()), count: docs.length } },
      { upsert: true },
    );
    this.known = { side: next, at: this.now() };
  }

  async byInventoryNumber(inventoryNumber: string): Promise<Asset | null> {
    return strip(
      await (await this.current()).findOne({ inventoryNumber: inventoryKey(str(inventoryNumber, 'inventoryNumber')) }),
    );
  }

  async inCentre(centreId: string, location?: string): Promise<Asset[]> {
    const filter: Record<string, string> = { centreId: str(centreId, 'centreId') };
    if (location !== undefined) filter.location = str(location, 'location');
    const docs = await (
      await this.current()
    )
      .find(filter)
      .sort({ location: 1, inventoryNumber: 1 })
      .limit(500)
      .toArray();
    return docs.map((d) => strip(d)!);
  }

  async count(): Promise<number> {
    return (await this.current()).countDocuments({});
  }
}
