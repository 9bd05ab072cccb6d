import { Collection, Db, MongoServerError, ObjectId } from 'mongodb';
import { AttachmentFiles, stableObjectId } from '../services/files/attachment-files';
import type { AttachmentMeta } from '../services/orders/types';
import { isDuplicateKey, onlyDuplicateKeys } from '../services/mongo-errors';

/** What became of one mail, keyed by its duplicate key; written after the effect is stored. */
export type MailOutcome =
  | 'order_created'
  | 'comment_added'
  | 'validation_confirmed'
  | 'validation_rejected'
  | 'order_reopened'
  /** Answered by mail and filed: a question (status), or a reply that could not act (a closed order). */
  | 'answered'
  | 'automated'
  | 'bounce'
  | 'refused'
  | 'quarantined';

/** The folder a mail ends in, by outcome. */
export type MailFolder = 'processed' | 'quarantine' | 'refused';

export interface MailLogEntry {
  _id: string;
  outcome: MailOutcome;
  folder: MailFolder;
  mailbox: string;
  uid: number;
  uidValidity: string;
  messageId?: string;
  from?: string;
  subject?: string;
  orderId?: ObjectId;
  reason?: string;
  at: Date;
}

interface Checkpoint {
  _id: string;
  lastUid: number;
  updatedAt: Date;
}
interface Lease {
  _id: string;
  holder: string;
  until: Date;
}
interface MailRef {
  _id: string;
  messageId: string;
  orderId: ObjectId;
  kind: 'sent' | 'received';
  at: Date;
}
interface Counter {
  _id: string;
  count: number;
  expiresAt: Date;
}

const isDuplicate = (error: unknown) => error instanceof MongoServerError && isDuplicateKey(error);

/** A stable ObjectId derived from a string, so a retried effect lands on the same document. */
export { stableObjectId };

/**
 * Everything intake keeps in MongoDB: per mailbox+UIDVALIDITY checkpoints, the polling
 * lease, the mail log (duplicate keys and outcomes), Message-IDs of mails about each order
 * (ours and theirs, for threading), per-sender counters, and attachments in GridFS.
 */
export class IntakeStore {
  readonly log: Collection<MailLogEntry>;
  private readonly checkpoints: Collection<Checkpoint>;
  private readonly leases: Collection<Lease>;
  private readonly refs: Collection<MailRef>;
  private readonly counters: Collection<Counter>;
  private readonly files: AttachmentFiles;
  private readonly notifications: Collection<{ _id: string; state?: string }>;

  constructor(db: Db) {
    this.notifications = db.collection('notifications');
    this.log = db.collection('mail_log');
    this.checkpoints = db.collection('mail_checkpoints');
    this.leases = db.collection('mail_leases');
    this.refs = db.collection('mail_refs');
    this.counters = db.collection('mail_counters');
    this.files = new AttachmentFiles(db);
  }

  async ensureIndexes(): Promise<void> {
    await this.log.createIndex({ outcome: 1, at: -1 });
    await this.log.createIndex({ folder: 1, at: -1 });
    await this.refs.createIndex({ orderId: 1 });
    await this.counters.createIndex({ expiresAt: 1 });
  }

  /**
   * Marks one of our notices failed because the recipient's server returned it: it never
   * reached the person. A notice already failed keeps its first reason.
   */
  async markNoticeBounced(notificationId: string): Promise<void> {
    const now = new Date();
    await this.notifications.updateOne(
      { _id: notificationId, state: { $ne: 'failed' } },
      {
        $set: {
          state: 'failed',
          failedAt: now,
          reason: 'bounced: the recipient server returned the mail',
          updatedAt: now,
          historyRecorded: false,
        },
      },
    );
  }

  async checkpoint(mailbox: string, uidValidity: string): Promise<number> {
    return (await this.checkpoints.findOne({ _id: `${mailbox}#${uidValidity}` }))?.lastUid ?? 0;
  }

  /** Only moves forward: a slow instance can never rewind another's progress. */
  async advance(mailbox: string, uidValidity: string, uid: number): Promise<void> {
    const _id = `${mailbox}#${uidValidity}`;
    try {
      await this.checkpoints.updateOne(
        { _id, lastUid: { $lt: uid } },
        { $set: { lastUid: uid, updatedAt: new Date() } },
        { upsert: true },
      );
    } catch (error) {
      if (!isDuplicate(error)) throw error; // already further on
    }
  }

  /** Takes or renews the lease on `name` for `ms`; false while another holder's lease is live. */
  async acquireLease(name: string, holder: string, ms: number): Promise<boolean> {
    const now = new Date();
    try {
      const doc = await this.leases.findOneAndUpdate(
        { _id: name, $or: [{ holder }, { until: { $lte: now } }] },
        { $set: { holder, until: new Date(now.getTime() + ms) } },
        { upsert: true, returnDocument: 'after' },
      );
      return doc?.holder === holder;
    } catch (error) {
      if (isDuplicate(error)) return false;
      throw error;
    }
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    await this.leases.deleteOne({ _id: name, holder });
  }

  async logged(key: string): Promise<MailLogEntry | null> {
    return this.log.findOne({ _id: key });
  }

  /** The mail-log entries among `keys` (one query per batch instead of one per mail). */
  async loggedMany(keys: readonly string[]): Promise<Map<string, MailLogEntry>> {
    if (keys.length === 0) return new Map();
    const found = await this.log.find({ _id: { $in: [...keys] } }).toArray();
    return new Map(found.map((e) => [e._id, e]));
  }

  /** Log entries that ended in one of `folders`, newest first, with their total. */
  async listHeld(query: {
    folders: readonly MailFolder[];
    skip: number;
    limit: number;
  }): Promise<{ items: MailLogEntry[]; total: number }> {
    const filter = { folder: { $in: [...query.folders] } };
    const [items, total] = await Promise.all([
      this.log.find(filter).sort({ at: -1, _id: -1 }).skip(query.skip).limit(query.limit).toArray(),
      this.log.countDocuments(filter),
    ]);
    return { items, total };
  }

  /** A held mail's new outcome, once staff released or discarded it (only while it is still held). */
  async settleHeld(
    key: string,
    outcome: Pick<MailLogEntry, 'outcome' | 'folder' | 'reason' | 'orderId'>,
    at: Date,
  ): Promise<boolean> {
    const set: Record<string, unknown> = { outcome: outcome.outcome, folder: outcome.folder, at };
    if (outcome.reason) set.reason = outcome.reason;
    if (outcome.orderId) set.orderId = outcome.orderId;
    const result = await this.log.updateOne({ _id: key, folder: 'quarantine' }, { $set: set });
    return result.modifiedCount === 1;
  }

  /** Records outcomes once; a second write for the same key keeps the first. */
  async record(entries: readonly MailLogEntry[]): Promise<void> {
    if (entries.length === 0) return;
    try {
      await this.log.insertMany([...entries], { ordered: false });
    } catch (error) {
      if (!onlyDuplicateKeys(error)) throw error;
    }
  }

  async rememberRef(messageId: string, orderId: ObjectId, kind: MailRef['kind']): Promise<void> {
    await this.refs.updateOne(
      { _id: messageId.toLowerCase() },
      { $setOnInsert: { messageId, orderId, kind, at: new Date() } },
      { upsert: true },
    );
  }

  async firstReceived(orderId: ObjectId): Promise<string | undefined> {
    const doc = await this.refs.find({ orderId, kind: 'received' }).sort({ at: 1 }).limit(1).next();
    return doc?.messageId ?? doc?._id;
  }

  /** The order the last known Message-ID among `ids` belongs to. */
  async orderByRefs(ids: readonly string[]): Promise<ObjectId | undefined> {
    if (ids.length === 0) return undefined;
    const found = await this.refs.find({ _id: { $in: ids.map((i) => i.toLowerCase()) } }).toArray();
    for (const id of [...ids].reverse()) {
      const hit = found.find((f) => f._id === id.toLowerCase());
      if (hit) return hit.orderId;
    }
    return undefined;
  }

  /** Adds one to the counter `key` (created with `ttlMs` to live) and returns the new count. */
  async bump(key: string, ttlMs: number): Promise<number> {
    const expiresAt = new Date(Date.now() + ttlMs);
    for (let attempt = 0; ; attempt++) {
      try {
        const doc = await this.counters.findOneAndUpdate(
          { _id: key },
          { $inc: { count: 1 }, $setOnInsert: { expiresAt } },
          { upsert: true, returnDocument: 'after' },
        );
        return doc?.count ?? 1;
      } catch (error) {
        if (!isDuplicate(error) || attempt > 2) throw error;
      }
    }
  }

  /** Stores one attachment (see AttachmentFiles.store: a retried mail replaces its own copy). */
  storeAttachment(
    seed: string,
    file: { filename: string; contentType: string; content: Buffer },
  ): Promise<AttachmentMeta> {
    return this.files.store(seed, file);
  }

  /**
   * Removes stored attachments that no order names (their mail was refused and held, with
   * its own copy of them). Best effort.
   */
  discardAttachments(fileIds: readonly string[]): Promise<void> {
    return this.files.discard(fileIds);
  }

  readAttachment(fileId: string): Promise<Buffer> {
    return this.files.read(fileId);
  }
}
