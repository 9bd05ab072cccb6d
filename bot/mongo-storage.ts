import { randomUUID } from 'node:crypto';
import type { Storage, StoreItems } from 'botbuilder';
import type { Collection, Db } from 'mongodb';
import { coalesce } from '../services/coalesce';
import { AppError } from '../services/errors';
import { isDuplicateKey } from '../services/mongo-errors';

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
 * (or `*`) overwrites. Reads of turns running together share one query; writes are not
 * batched, so each write's own answer says whether it applied.
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
    await Promise.all(writes.map((w) => this.writeOne(w)));
  }

  /**
   * One item, one write, whose own answer says whether it applied: a conditional replace
   * that matched nothing lost to a concurrent change (CONFLICT), so nothing has to be
   * reconstructed afterwards.
   */
  private async writeOne(w: StateWrite): Promise<void> {
    if (w.ifETag === undefined) {
      const upsert = () => this.items.replaceOne({ _id: w.doc._id }, w.doc, { upsert: true });
      // Two upserts of a key not stored yet can both try to insert; the loser then replaces.
      await upsert().catch((error: unknown) => (isDuplicateKey(error) ? upsert() : Promise.reject(error)));
      return;
    }
    const result = await this.items.replaceOne({ _id: w.doc._id, eTag: w.ifETag }, w.doc);
    if (result.matchedCount === 0) throw conflict(w.doc._id);
  }

  async delete(keys: string[]): Promise<void> {
    if (keys.length > 0) await this.items.deleteMany({ _id: { $in: keys.map(String) } });
  }
}
