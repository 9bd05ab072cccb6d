import { randomUUID } from 'node:crypto';
import type { Storage, StoreItems } from 'botbuilder';
import type { Collection, Db } from 'mongodb';
import { coalesce } from '../services/coalesce';
import { AppError } from '../services/errors';
import { refusedWrites } from '../services/mongo-errors';

/** One stored bot state item. The state is kept as JSON text so no key can clash with BSON rules (`$`, `.`). */
interface StateDoc {
  _id: string;
  eTag: string;
  json: string;
  updatedAt: Date;
}

export const BOT_STATE_COLLECTION = 'botState';

/** One item to store: its new document, and the eTag it must replace (none: overwrite). */
interface StateWrite {
  doc: StateDoc;
  ifETag?: string;
}

const conflict = (key: string) =>
  new AppError(
    'CONFLICT',
    `bot state ${key} changed concurrently (eTag mismatch)`,
    'Tu conversación cambió mientras te respondía; escribe tu mensaje de nuevo.',
    { key },
  );

/**
 * botbuilder `Storage` over a MongoDB collection, so dialog state survives a restart and is
 * shared by every instance. Writes honour eTags the way botbuilder's stores do: an item
 * carrying an eTag other than `*` is written only if the stored eTag still matches (one
 * conditional replace), otherwise CONFLICT and nothing is written; an item without eTag
 * (or `*`) overwrites.
 */
export class MongoStorage implements Storage {
  private readonly items: Collection<StateDoc>;
  /** Reads of turns running together share one query (see `coalesce`). */
  private readonly readTogether: (keys: readonly string[]) => Promise<Map<string, StateDoc>>;

  constructor(db: Db, collection = BOT_STATE_COLLECTION) {
    this.items = db.collection<StateDoc>(collection);
    this.readTogether = coalesce(async (calls: readonly (readonly string[])[]) => {
      const docs = await this.items.find({ _id: { $in: [...new Set(calls.flat())] } }).toArray();
      const byId = new Map(docs.map((d) => [d._id, d]));
      return calls.map((keys) => ({
        ok: true as const,
        value: new Map(keys.flatMap((k) => (byId.has(k) ? [[k, byId.get(k)!] as const] : []))),
      }));
    });
  }

  async read(keys: string[]): Promise<StoreItems> {
    const found: StoreItems = {};
    if (keys.length === 0) return found;
    for (const [key, doc] of await this.readTogether(keys.map(String)))
      found[key] = { ...(JSON.parse(doc.json) as object), eTag: doc.eTag };
    return found;
  }

  async write(changes: StoreItems): Promise<void> {
    const writes: StateWrite[] = Object.entries(changes).map(([key, item]) => {
      const { eTag, ...state } = (item ?? {}) as Record<string, unknown>;
      const doc: StateDoc = { _id: key, eTag: randomUUID(), json: JSON.stringify(state), updatedAt: new Date() };
      return { doc, ifETag: typeof eTag !== 'string' || eTag === '*' || eTag === '' ? undefined : eTag };
    });
    if (writes.length > 0) await this.writeTogether(writes);
  }

  /**
   * The writes of turns ending together, as one bulk write. When not every write is known to
   * have applied, the stored eTags tell which conditional ones lost to a concurrent change
   * (CONFLICT for their turn) and which failed outright (their error).
   */
  private readonly writeTogether = coalesce(async (calls: readonly StateWrite[][]) => {
    const all = calls.flat();
    let failed = new Map<StateWrite, unknown>();
    let applied = 0;
    try {
      const result = await this.items.bulkWrite(
        all.map((w) => ({
          replaceOne:
            w.ifETag === undefined
              ? { filter: { _id: w.doc._id }, replacement: w.doc, upsert: true }
              : { filter: { _id: w.doc._id, eTag: w.ifETag }, replacement: w.doc },
        })),
        { ordered: false },
      );
      applied = result.matchedCount + result.upsertedCount;
    } catch (error) {
      const refused = refusedWrites(error);
      if (!refused) throw error;
      for (const e of refused) {
        failed.set(
          all[e.index]!,
          new Error(`bot state ${all[e.index]!.doc._id} not written: ${e.errmsg ?? 'write error'}`),
        );
      }
    }
    if (applied < all.length) failed = await this.lostWrites(all, failed);
    return calls.map((writes) => {
      const lost = writes.find((w) => failed.has(w));
      return lost ? { ok: false as const, error: failed.get(lost) } : { ok: true as const, value: undefined };
    });
  });

  /**
   * Conditional writes whose eTag is not the stored one lost to another change. A write that
   * applied and was then replaced by another instance before this read also reads as lost:
   * that turn is told to write again, and no state is lost.
   */
  private async lostWrites(
    all: readonly StateWrite[],
    failed: Map<StateWrite, unknown>,
  ): Promise<Map<StateWrite, unknown>> {
    const conditional = all.filter((w) => w.ifETag !== undefined && !failed.has(w));
    if (conditional.length === 0) return failed;
    const stored = await this.items
      .find({ _id: { $in: conditional.map((w) => w.doc._id) } }, { projection: { eTag: 1 } })
      .toArray();
    const eTags = new Map(stored.map((d) => [d._id, d.eTag]));
    for (const w of conditional) if (eTags.get(w.doc._id) !== w.doc.eTag) failed.set(w, conflict(w.doc._id));
    return failed;
  }

  async delete(keys: string[]): Promise<void> {
    if (keys.length > 0) await this.items.deleteMany({ _id: { $in: keys.map(String) } });
  }
}
