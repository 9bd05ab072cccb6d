import { ClientSession, Collection, Document, MongoServerError } from 'mongodb';
import { openTestDatabase, TestDatabase } from '../support/test-database';
import { serverError } from './server-error';

let t: TestDatabase;
beforeAll(async () => {
  t = await openTestDatabase();
});
afterAll(async () => {
  await t?.close();
});

let n = 0;
/** A fresh collection, created before any transaction touches it. */
async function fresh(): Promise<Collection> {
  n += 1;
  const c = t.db.collection(`tx${n}`);
  await c.insertOne({ _id: 'seed' as never, v: 0 });
  return c;
}

async function inSession<T>(fn: (s: ClientSession) => Promise<T>): Promise<T> {
  const s = t.client.startSession();
  try {
    return await fn(s);
  } finally {
    await s.endSession();
  }
}

describe('transactions', () => {
  // https://www.mongodb.com/docs/manual/core/transactions/#transactions-api
  it('makes every write visible after withTransaction commits', async () => {
    const c = await fresh();
    await inSession((s) =>
      s.withTransaction(async () => {
        await c.insertOne({ _id: 'a' as never, v: 1 }, { session: s });
        await c.insertOne({ _id: 'b' as never, v: 2 }, { session: s });
        await c.updateOne({ _id: 'seed' as never }, { $set: { v: 3 } }, { session: s });
      }),
    );
    expect(await c.find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: 'a', v: 1 },
      { _id: 'b', v: 2 },
      { _id: 'seed', v: 3 },
    ]);
  });

  // https://www.mongodb.com/docs/manual/reference/method/Session.abortTransaction/
  it('discards every write when the transaction is aborted', async () => {
    const c = await fresh();
    await inSession(async (s) => {
      s.startTransaction();
      await c.insertOne({ _id: 'a' as never }, { session: s });
      await c.updateOne({ _id: 'seed' as never }, { $set: { v: 9 } }, { session: s });
      await c.deleteOne({ _id: 'seed' as never }, { session: s });
      await s.abortTransaction();
    });
    expect(await c.find().toArray()).toEqual([{ _id: 'seed', v: 0 }]);
  });

  // https://www.mongodb.com/docs/manual/core/transactions/#transactions-and-read-concern
  it('lets the transaction read its own writes while other clients cannot see them until commit', async () => {
    const c = await fresh();
    await inSession(async (s) => {
      s.startTransaction();
      await c.insertOne({ _id: 'mine' as never, v: 1 }, { session: s });
      await c.updateOne({ _id: 'seed' as never }, { $inc: { v: 5 } }, { session: s });
      expect(await c.findOne({ _id: 'mine' as never }, { session: s })).toEqual({ _id: 'mine', v: 1 });
      expect(await c.findOne({ _id: 'seed' as never }, { session: s })).toEqual({ _id: 'seed', v: 5 });
      expect(await c.countDocuments({}, { session: s })).toBe(2);
      expect(await c.findOne({ _id: 'mine' as never })).toBeNull();
      expect(await c.findOne({ _id: 'seed' as never })).toEqual({ _id: 'seed', v: 0 });
      await s.commitTransaction();
    });
    expect(await c.findOne({ _id: 'mine' as never })).toEqual({ _id: 'mine', v: 1 });
  });

  // https://www.mongodb.com/docs/manual/reference/read-concern-snapshot/
  it('reads from its snapshot and does not see writes committed outside after it began reading', async () => {
    const c = await fresh();
    await inSession(async (s) => {
      s.startTransaction({ readConcern: { level: 'snapshot' } });
      expect(await c.countDocuments({}, { session: s })).toBe(1);
      await c.insertOne({ _id: 'outside' as never });
      await c.updateOne({ _id: 'seed' as never }, { $set: { v: 42 } });
      expect(await c.countDocuments({}, { session: s })).toBe(1);
      expect(await c.findOne({ _id: 'seed' as never }, { session: s })).toEqual({ _id: 'seed', v: 0 });
      await s.commitTransaction();
    });
    expect(await c.countDocuments()).toBe(2);
  });

  // https://www.mongodb.com/docs/manual/core/transactions-production-consideration/#in-progress-transactions-and-write-conflicts
  it('fails the second writer of the same document with WriteConflict 112 labelled TransientTransactionError', async () => {
    const c = await fresh();
    const a = t.client.startSession();
    const b = t.client.startSession();
    try {
      a.startTransaction();
      b.startTransaction();
      await c.findOne({ _id: 'seed' as never }, { session: b });
      await c.updateOne({ _id: 'seed' as never }, { $set: { v: 'A' } }, { session: a });
      let loser: unknown = null;
      await c.updateOne({ _id: 'seed' as never }, { $set: { v: 'B' } }, { session: b }).catch((e: unknown) => {
        loser = e;
      });
      await a.commitTransaction();
      if (loser === null)
        await b.commitTransaction().catch((e: unknown) => {
          loser = e;
        });
      else await b.abortTransaction();
      expect(loser).toBeInstanceOf(MongoServerError);
      expect((loser as MongoServerError).code).toBe(112);
      expect((loser as MongoServerError).hasErrorLabel('TransientTransactionError')).toBe(true);
      expect(await c.findOne({ _id: 'seed' as never })).toEqual({ _id: 'seed', v: 'A' });
    } finally {
      await a.endSession();
      await b.endSession();
    }
  });

  // https://www.mongodb.com/docs/manual/core/transactions-in-applications/#std-label-txn-callback-api
  it('withTransaction retries a conflicting transaction until both read-modify-write increments land', async () => {
    const c = await fresh();
    let release!: () => void;
    const bothRead = new Promise<void>((resolve) => {
      release = resolve;
    });
    let arrived = 0;
    let attempts = 0;
    const increment = () =>
      inSession(async (s) => {
        let first = true;
        await s.withTransaction(async () => {
          attempts += 1;
          const doc = await c.findOne({ _id: 'seed' as never }, { session: s });
          if (first) {
            first = false;
            arrived += 1;
            if (arrived === 2) release();
            await bothRead;
          }
          await c.updateOne({ _id: 'seed' as never }, { $set: { v: (doc?.v as number) + 1 } }, { session: s });
        });
      });
    await Promise.all([increment(), increment()]);
    expect(await c.findOne({ _id: 'seed' as never })).toEqual({ _id: 'seed', v: 2 });
    expect(attempts).toBeGreaterThanOrEqual(3);
  });

  // https://www.mongodb.com/docs/manual/core/transactions/#transactions-and-atomicity
  it('commits nothing of a transaction whose write broke a unique index', async () => {
    const c = await fresh();
    await c.createIndex({ k: 1 }, { unique: true });
    await c.insertOne({ _id: 'taken' as never, k: 'x' });
    await inSession(async (s) => {
      s.startTransaction();
      await c.insertOne({ _id: 'first' as never, k: 'y' }, { session: s });
      const e = await serverError(c.insertOne({ _id: 'second' as never, k: 'x' }, { session: s }));
      expect(e.code).toBe(11000);
      await s.abortTransaction();
    });
    expect(await c.countDocuments({ _id: { $in: ['first', 'second'] } as never })).toBe(0);
  });

  // https://www.mongodb.com/docs/manual/core/transactions/#transactions-and-read-concern
  it('finds its own inserts and misses its own deletes through a unique index inside the transaction', async () => {
    const c = await fresh();
    await c.createIndex({ k: 1 }, { unique: true });
    await c.insertOne({ _id: 'old' as never, k: 'gone' });
    await inSession(async (s) => {
      s.startTransaction();
      await c.insertOne({ _id: 'new' as never, k: 'fresh' }, { session: s });
      await c.deleteOne({ k: 'gone' }, { session: s });
      expect(await c.findOne({ k: 'fresh' }, { session: s })).toEqual({ _id: 'new', k: 'fresh' });
      expect(await c.findOne({ k: 'gone' }, { session: s })).toBeNull();
      expect(await c.findOne({ k: 'gone' })).toEqual({ _id: 'old', k: 'gone' });
      await s.abortTransaction();
    });
    expect(await c.findOne({ k: 'fresh' })).toBeNull();
  });

  // https://www.mongodb.com/docs/manual/reference/read-concern-snapshot/
  it('keeps finding a document by its old indexed key after an outside write changed the key', async () => {
    const c = await fresh();
    await c.createIndex({ k: 1 }, { unique: true });
    await c.insertOne({ _id: 'doc' as never, k: 'before' });
    await inSession(async (s) => {
      s.startTransaction({ readConcern: { level: 'snapshot' } });
      expect(await c.findOne({ k: 'before' }, { session: s })).toEqual({ _id: 'doc', k: 'before' });
      await c.updateOne({ _id: 'doc' as never }, { $set: { k: 'after' } });
      expect(await c.findOne({ k: 'before' }, { session: s })).toEqual({ _id: 'doc', k: 'before' });
      expect(await c.findOne({ k: 'after' }, { session: s })).toBeNull();
      await s.commitTransaction();
    });
    expect(await c.findOne({ k: 'after' })).toEqual({ _id: 'doc', k: 'after' });
  });

  // https://www.mongodb.com/docs/manual/reference/read-concern-snapshot/
  it('keeps reading the old embedded values of its snapshot after an outside $set and $push', async () => {
    const c = await fresh();
    await c.insertOne({ _id: 'o' as never, s: { v: 1, log: ['a'] }, other: { k: 1 } });
    await inSession(async (s) => {
      s.startTransaction({ readConcern: { level: 'snapshot' } });
      expect(await c.findOne({ _id: 'o' as never }, { session: s })).toEqual({
        _id: 'o',
        s: { v: 1, log: ['a'] },
        other: { k: 1 },
      });
      await c.updateOne({ _id: 'o' as never }, { $set: { 's.v': 2 }, $push: { 's.log': 'b' } } as Document);
      expect(await c.findOne({ _id: 'o' as never }, { session: s })).toEqual({
        _id: 'o',
        s: { v: 1, log: ['a'] },
        other: { k: 1 },
      });
      await s.commitTransaction();
    });
    expect(await c.findOne({ _id: 'o' as never })).toEqual({ _id: 'o', s: { v: 2, log: ['a', 'b'] }, other: { k: 1 } });
  });
});
