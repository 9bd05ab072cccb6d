import { randomUUID } from 'node:crypto';
import type { Storage, StoreItems } from 'botbuilder';
import type { Collection, Db } from 'mongodb';
import { AppError } from '../services/errors';

/** One stored bot state item. The state is kept as JSON text so no key can clash with BSON rules (`$`, `.`). */
interface StateDoc {
  _id: string;
  eTag: string;
  json: string;
  updatedAt: Date;
}

export const BOT_STATE_COLLECTION = 'botState';

const conflict = (key: string) =>
  new AppError('CONFLICT', `bot state ${key} changed concurrently (eTag mismatch)`, 'Tu conversación cambió mientras te respondía; escribe tu mensaje de nuevo.', { key });

/**
 * botbuilder `Storage` over a MongoDB collection, so dialog state survives a restart and is
 * shared by every instance. Writes honour eTags the way botbuilder's stores do: an item
 * carrying an eTag other than `*` is written only if the stored eTag still matches (one
 * conditional replace), otherwise CONFLICT and nothing is written; an item without eTag
 * (or `*`) overwrites.
 */
export class MongoStorage implements Storage {
  private readonly items: Collection<StateDoc>;

  constructor(db: Db, collection = BOT_STATE_COLLECTION) {
    this.items = db.collection<StateDoc>(collection);
  }

  async read(keys: string[]): Promise<StoreItems> {
    const found: StoreItems = {};
    if (keys.length === 0) return found;
    const docs = await this.items.find({ _id: { $in: keys.map(String) } }).toArray();
    for (const doc of docs) found[doc._id] = { ...(JSON.parse(doc.json) as object), eTag: doc.eTag };
    return found;
  }

  async write(changes: StoreItems): Promise<void> {
    for (const [key, item] of Object.entries(changes)) {
      const { eTag, ...state } = (item ?? {}) as Record<string, unknown>;
      const doc: StateDoc = { _id: key, eTag: randomUUID(), json: JSON.stringify(state), updatedAt: new Date() };
      if (typeof eTag !== 'string' || eTag === '*' || eTag === '') {
        await this.items.replaceOne({ _id: key }, doc, { upsert: true });
        continue;
      }
      const result = await this.items.replaceOne({ _id: key, eTag }, doc);
      if (result.matchedCount === 0) throw conflict(key);
    }
  }

  async delete(keys: string[]): Promise<void> {
    if (keys.length > 0) await this.items.deleteMany({ _id: { $in: keys.map(String) } });
  }
}
