import { MongoBulkWriteError, MongoServerError, ObjectId } from 'mongodb';
import { useFreshCollections } from './fresh-collections';
import { serverError } from './server-error';
import { itemAt } from '../support/checked';

const { db, fresh } = useFreshCollections('c');

async function bulkError(operation: Promise<unknown>): Promise<MongoBulkWriteError> {
  const error = await serverError(operation);
  expect(error).toBeInstanceOf(MongoBulkWriteError);
  return error as MongoBulkWriteError;
}

interface RawWriteError {
  index: number;
  code: number;
  err: Record<string, unknown>;
}

/** The write errors of a bulk error as a list, each with the server's raw entry in `err`. */
function writeErrorsOf(e: MongoBulkWriteError): RawWriteError[] {
  return [e.writeErrors].flat() as unknown as RawWriteError[];
}

describe('insert', () => {
  // https://www.mongodb.com/docs/manual/reference/method/db.collection.insertOne/
  it('stores the document and reports the ObjectId the driver generated when _id is missing', async () => {
    const c = fresh();
    const r = await c.insertOne({ name: 'Ana' });
    expect(r.acknowledged).toBe(true);
    expect(r.insertedId).toBeInstanceOf(ObjectId);
    expect(await c.findOne({ _id: r.insertedId })).toEqual({ _id: r.insertedId, name: 'Ana' });
  });

  // https://www.mongodb.com/docs/manual/reference/method/db.collection.insertOne/#std-label-insertOne-examples
  it('refuses a second document with the same _id with code 11000, keyPattern and keyValue', async () => {
    const c = fresh();
    await c.insertOne({ _id: 7 as never, v: 1 });
    const e = await serverError(c.insertOne({ _id: 7 as never, v: 2 }));
    expect(e.code).toBe(11000);
    expect(e.keyPattern).toEqual({ _id: 1 });
    expect(e.keyValue).toEqual({ _id: 7 });
    expect(await c.findOne({ _id: 7 as never })).toEqual({ _id: 7, v: 1 });
  });

  // https://www.mongodb.com/docs/manual/reference/method/db.collection.insertMany/
  it('inserts every document of a batch and reports their ids by position', async () => {
    const c = fresh();
    const r = await c.insertMany([{ a: 1 }, { a: 2 }, { _id: 'x' as never, a: 3 }]);
    expect(r.insertedCount).toBe(3);
    expect(r.insertedIds[2]).toBe('x');
    expect(await c.countDocuments()).toBe(3);
  });

  // https://www.mongodb.com/docs/manual/reference/method/db.collection.insertMany/#error-handling
  it('stops at the first duplicate and reports its index when the batch is ordered', async () => {
    const c = fresh();
    const e = await bulkError(c.insertMany([{ _id: 1 }, { _id: 2 }, { _id: 1 }, { _id: 3 }] as never[]));
    expect(e.code).toBe(11000);
    expect(writeErrorsOf(e)).toHaveLength(1);
    const we = itemAt(writeErrorsOf(e), 0);
    expect(we.index).toBe(2);
    expect(we.code).toBe(11000);
    expect(e.result.insertedCount).toBe(2);
    expect((await c.find().sort({ _id: 1 }).toArray()).map((d) => d._id)).toEqual([1, 2]);
  });

  // https://www.mongodb.com/docs/manual/reference/method/db.collection.insertMany/#unordered-inserts
  it('keeps inserting after duplicates and reports each one when the batch is unordered', async () => {
    const c = fresh();
    await c.createIndex({ email: 1 }, { unique: true });
    await c.insertOne({ email: 'a@x.mx' });
    const docs = [
      { email: 'b@x.mx' },
      { email: 'a@x.mx' },
      { email: 'c@x.mx' },
      { email: 'b@x.mx' },
      { email: 'd@x.mx' },
    ];
    const e = await bulkError(c.insertMany(docs, { ordered: false }));
    const errors = writeErrorsOf(e);
    expect(errors.map((w) => w.index)).toEqual([1, 3]);
    expect(errors.map((w) => w.code)).toEqual([11000, 11000]);
    expect(e.result.insertedCount).toBe(3);
    const emails = (await c.find().toArray()).map((d) => d.email).sort();
    expect(emails).toEqual(['a@x.mx', 'b@x.mx', 'c@x.mx', 'd@x.mx']);
  });

  // https://www.mongodb.com/docs/manual/reference/command/insert/#output
  // (the driver's BulkWriteError keeps only index/code/errmsg, so the raw command shows the rest)
  it('reports index, code, keyPattern and keyValue for each duplicate in the insert command writeErrors', async () => {
    const c = fresh();
    await c.createIndex({ email: 1 }, { unique: true });
    await c.insertOne({ _id: 0 as never, email: 'a@x.mx' });
    const r = await db().db.command({
      insert: c.collectionName,
      ordered: false,
      documents: [
        { _id: 1, email: 'b@x.mx' },
        { _id: 2, email: 'a@x.mx' },
        { _id: 1, email: 'z@x.mx' },
        { _id: 3, email: 'c@x.mx' },
      ],
    });
    expect(r.ok).toBe(1);
    expect(r.n).toBe(2);
    expect(r.writeErrors).toHaveLength(2);
    expect(r.writeErrors[0]).toMatchObject({
      index: 1,
      code: 11000,
      keyPattern: { email: 1 },
      keyValue: { email: 'a@x.mx' },
    });
    expect(r.writeErrors[1]).toMatchObject({ index: 2, code: 11000, keyPattern: { _id: 1 }, keyValue: { _id: 1 } });
    expect(typeof r.writeErrors[0].errmsg).toBe('string');
  });

  // https://www.mongodb.com/docs/manual/reference/write-concern/#w-option
  // (w: 0 is sent with the OP_MSG moreToCome flag: the server must not reply)
  it('applies an unacknowledged write and keeps the connection usable when w is 0', async () => {
    const c = fresh();
    const r = await c.insertOne({ _id: 'fire' as never }, { writeConcern: { w: 0 } });
    expect(r.acknowledged).toBe(false);
    let seen = 0;
    for (let i = 0; i < 50 && seen === 0; i += 1) {
      seen = await c.countDocuments({ _id: 'fire' as never });
      if (seen === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(seen).toBe(1);
    await c.insertOne({ _id: 'after' as never });
    expect(await c.countDocuments()).toBe(2);
  });

  // https://www.mongodb.com/docs/manual/reference/method/db.collection.bulkWrite/
  it('reports inserted, matched, modified, deleted and upserted counts of a mixed bulk write', async () => {
    const c = fresh();
    await c.insertMany([
      { _id: 1, v: 0 },
      { _id: 2, v: 0 },
    ] as never[]);
    const r = await c.bulkWrite([
      { insertOne: { document: { _id: 3, v: 0 } as never } },
      { updateOne: { filter: { _id: 1 }, update: { $set: { v: 1 } } } },
      { updateOne: { filter: { _id: 2 }, update: { $set: { v: 0 } } } },
      { deleteOne: { filter: { _id: 3 } } },
      { updateOne: { filter: { _id: 9 }, update: { $set: { v: 9 } }, upsert: true } },
    ] as never[]);
    expect(r.insertedCount).toBe(1);
    expect(r.matchedCount).toBe(2);
    expect(r.modifiedCount).toBe(1);
    expect(r.deletedCount).toBe(1);
    expect(r.upsertedCount).toBe(1);
    expect(r.upsertedIds[4]).toBe(9);
  });

  // https://www.mongodb.com/docs/manual/core/dot-dollar-considerations/dollar-prefix/#insert-operations
  it('accepts and returns field names that start with $ when inserting', async () => {
    const c = fresh();
    await c.insertOne({ _id: 'p' as never, $price: 50, location: { $db: 'novels', $inc: true } });
    expect(await c.findOne({ _id: 'p' as never })).toEqual({
      _id: 'p',
      $price: 50,
      location: { $db: 'novels', $inc: true },
    });
  });
});

describe('delete', () => {
  // https://www.mongodb.com/docs/manual/reference/method/db.collection.deleteOne/
  it('removes exactly one matching document when several match', async () => {
    const c = fresh();
    await c.insertMany([{ k: 'a' }, { k: 'a' }, { k: 'b' }]);
    const r = await c.deleteOne({ k: 'a' });
    expect(r.deletedCount).toBe(1);
    expect(await c.countDocuments({ k: 'a' })).toBe(1);
    expect(await c.countDocuments({ k: 'b' })).toBe(1);
  });

  // https://www.mongodb.com/docs/manual/reference/method/db.collection.deleteMany/
  it('removes every matching document and reports how many', async () => {
    const c = fresh();
    await c.insertMany([{ n: 1 }, { n: 5 }, { n: 8 }, { n: 12 }]);
    const r = await c.deleteMany({ n: { $gte: 5 } });
    expect(r.deletedCount).toBe(3);
    expect((await c.find().toArray()).map((d) => d.n)).toEqual([1]);
  });

  // https://www.mongodb.com/docs/manual/reference/method/db.collection.deleteOne/
  it('reports deletedCount 0 when nothing matches', async () => {
    const c = fresh();
    await c.insertOne({ n: 1 });
    expect((await c.deleteOne({ n: 2 })).deletedCount).toBe(0);
    expect(await c.countDocuments()).toBe(1);
  });

  // https://www.mongodb.com/docs/manual/reference/method/db.collection.deleteMany/#delete-all-documents
  it('empties the collection but keeps it and its indexes when the filter is empty', async () => {
    const c = fresh();
    await c.createIndex({ k: 1 }, { unique: true });
    await c.insertMany([{ k: 1 }, { k: 2 }]);
    expect((await c.deleteMany({})).deletedCount).toBe(2);
    expect(await c.countDocuments()).toBe(0);
    expect((await c.indexes()).map((i) => i.name)).toContain('k_1');
    await c.insertOne({ k: 1 });
    const e = await serverError(c.insertOne({ k: 1 }));
    expect(e).toBeInstanceOf(MongoServerError);
    expect(e.code).toBe(11000);
  });
});
