import { Document, Double, ObjectId } from 'mongodb';
import { useFreshCollections } from './fresh-collections';
import { serverError } from './server-error';

const { db, fresh } = useFreshCollections('u');

describe('update', () => {
  // https://www.mongodb.com/docs/manual/reference/method/db.collection.updateOne/
  it('reports matchedCount 1 and modifiedCount 1 when one document changes', async () => {
    const c = fresh();
    await c.insertMany([
      { k: 1, v: 0 },
      { k: 1, v: 0 },
    ]);
    const r = await c.updateOne({ k: 1 }, { $set: { v: 1 } });
    expect(r).toMatchObject({
      acknowledged: true,
      matchedCount: 1,
      modifiedCount: 1,
      upsertedCount: 0,
      upsertedId: null,
    });
    expect(await c.countDocuments({ v: 1 })).toBe(1);
  });

  // https://www.mongodb.com/docs/manual/reference/method/db.collection.updateOne/#behavior
  it('reports modifiedCount 0 when the update leaves the document as it was', async () => {
    const c = fresh();
    await c.insertOne({ _id: 1 as never, v: 5 });
    const r = await c.updateOne({ _id: 1 as never }, { $set: { v: 5 } });
    expect(r.matchedCount).toBe(1);
    expect(r.modifiedCount).toBe(0);
  });

  // https://www.mongodb.com/docs/manual/reference/method/db.collection.updateMany/
  it('updates every matching document and counts only those it changed', async () => {
    const c = fresh();
    await c.insertMany([
      { g: 'a', v: 1 },
      { g: 'a', v: 2 },
      { g: 'a', v: 1 },
      { g: 'b', v: 1 },
    ]);
    const r = await c.updateMany({ g: 'a' }, { $set: { v: 1 } });
    expect(r.matchedCount).toBe(3);
    expect(r.modifiedCount).toBe(1);
    expect(await c.countDocuments({ v: 1 })).toBe(4);
  });

  // https://www.mongodb.com/docs/manual/reference/method/db.collection.updateOne/#upsert
  it('inserts and reports upsertedId when upsert is set and nothing matches', async () => {
    const c = fresh();
    const r = await c.updateOne({ code: 'A-1' }, { $set: { v: 1 } }, { upsert: true });
    expect(r.matchedCount).toBe(0);
    expect(r.modifiedCount).toBe(0);
    expect(r.upsertedCount).toBe(1);
    expect(r.upsertedId).toBeInstanceOf(ObjectId);
    expect(await c.findOne({ _id: r.upsertedId as ObjectId })).toEqual({ _id: r.upsertedId, code: 'A-1', v: 1 });
  });

  // https://www.mongodb.com/docs/manual/reference/method/db.collection.update/#upsert-behavior
  it('builds the upserted document from the equality conditions of the filter only', async () => {
    const c = fresh();
    const r = await c.updateOne(
      { _id: 'ord-1' as never, name: 'x', 'addr.city': 'CDMX', role: { $eq: 'admin' }, age: { $gt: 3 } },
      { $set: { v: 1 } },
      { upsert: true },
    );
    expect(r.upsertedId).toBe('ord-1');
    expect(await c.findOne({ _id: 'ord-1' as never })).toEqual({
      _id: 'ord-1',
      name: 'x',
      addr: { city: 'CDMX' },
      role: 'admin',
      v: 1,
    });
  });

  // https://www.mongodb.com/docs/manual/reference/operator/update/setOnInsert/
  it('applies $setOnInsert when the upsert inserts', async () => {
    const c = fresh();
    await c.updateOne({ _id: 1 as never }, { $set: { v: 1 }, $setOnInsert: { createdBy: 'ana' } }, { upsert: true });
    expect(await c.findOne({ _id: 1 as never })).toEqual({ _id: 1, v: 1, createdBy: 'ana' });
  });

  // https://www.mongodb.com/docs/manual/reference/operator/update/setOnInsert/
  it('ignores $setOnInsert when the upsert matches an existing document', async () => {
    const c = fresh();
    await c.insertOne({ _id: 1 as never, v: 0, createdBy: 'luis' });
    const r = await c.updateOne(
      { _id: 1 as never },
      { $set: { v: 2 }, $setOnInsert: { createdBy: 'ana' } },
      { upsert: true },
    );
    expect(r.matchedCount).toBe(1);
    expect(r.upsertedCount).toBe(0);
    expect(await c.findOne({ _id: 1 as never })).toEqual({ _id: 1, v: 2, createdBy: 'luis' });
  });

  // https://www.mongodb.com/docs/manual/reference/method/db.collection.replaceOne/
  it('replaces the whole document and keeps its _id', async () => {
    const c = fresh();
    await c.insertOne({ _id: 1 as never, a: 1, b: 2 });
    const r = await c.replaceOne({ _id: 1 as never }, { c: 3 });
    expect(r.matchedCount).toBe(1);
    expect(r.modifiedCount).toBe(1);
    expect(await c.findOne({ _id: 1 as never })).toEqual({ _id: 1, c: 3 });
  });

  // https://www.mongodb.com/docs/manual/reference/method/db.collection.replaceOne/#upsert
  it('inserts the replacement when upsert is set and nothing matches', async () => {
    const c = fresh();
    const r = await c.replaceOne({ k: 'z' }, { k: 'z', v: 1 }, { upsert: true });
    expect(r.upsertedCount).toBe(1);
    expect(await c.findOne({ _id: r.upsertedId as ObjectId }, { projection: { _id: 0 } })).toEqual({ k: 'z', v: 1 });
  });

  // https://www.mongodb.com/docs/manual/core/document/#the-_id-field
  it('refuses to change _id with $set with code 66 ImmutableField', async () => {
    const c = fresh();
    await c.insertOne({ _id: 1 as never, v: 0 });
    const e = await serverError(c.updateOne({ _id: 1 as never }, { $set: { _id: 2, v: 1 } as never }));
    expect(e.code).toBe(66);
    expect(await c.findOne({ _id: 1 as never })).toEqual({ _id: 1, v: 0 });
  });

  // https://www.mongodb.com/docs/manual/reference/method/db.collection.replaceOne/#behavior
  it('refuses a replacement carrying a different _id with code 66', async () => {
    const c = fresh();
    await c.insertOne({ _id: 1 as never, v: 0 });
    const e = await serverError(c.replaceOne({ _id: 1 as never }, { _id: 2 as never, v: 1 }));
    expect(e.code).toBe(66);
    expect(await c.countDocuments({ _id: 2 as never })).toBe(0);
  });

  // https://www.mongodb.com/docs/manual/reference/operator/update/#behavior
  it('refuses two operators on the same path with code 40 ConflictingUpdateOperators', async () => {
    const c = fresh();
    await c.insertOne({ _id: 1 as never, v: 0 });
    const e = await serverError(c.updateOne({ _id: 1 as never }, { $set: { v: 1 }, $inc: { v: 1 } }));
    expect(e.code).toBe(40);
    expect(await c.findOne({ _id: 1 as never })).toEqual({ _id: 1, v: 0 });
  });

  // https://www.mongodb.com/docs/manual/reference/operator/update/
  it('refuses an unknown update operator with code 9 FailedToParse naming it', async () => {
    const c = fresh();
    await c.insertOne({ _id: 1 as never, v: 0 });
    const e = await serverError(c.updateOne({ _id: 1 as never }, { $frobnicate: { v: 1 } } as never));
    expect(e.code).toBe(9);
    expect(e.message).toContain('$frobnicate');
  });

  // https://www.mongodb.com/docs/manual/reference/operator/update/inc/#behavior
  it('refuses $inc on a non-numeric field with code 14 TypeMismatch', async () => {
    const c = fresh();
    await c.insertOne({ _id: 1 as never, v: 'text' });
    const e = await serverError(c.updateOne({ _id: 1 as never }, { $inc: { v: 1 } }));
    expect(e.code).toBe(14);
    expect(await c.findOne({ _id: 1 as never })).toEqual({ _id: 1, v: 'text' });
  });

  // https://www.mongodb.com/docs/manual/reference/operator/update/push/#behavior
  it('refuses $push on a field that is not an array', async () => {
    const c = fresh();
    await c.insertOne({ _id: 1 as never, v: 'text' });
    const e = await serverError(c.updateOne({ _id: 1 as never }, { $push: { v: 1 } } as never));
    expect(e.code).toBe(2);
    expect(await c.findOne({ _id: 1 as never })).toEqual({ _id: 1, v: 'text' });
  });

  // https://www.mongodb.com/docs/manual/core/index-unique/
  it('refuses an update that would break a unique index with code 11000 and leaves both documents', async () => {
    const c = fresh();
    await c.createIndex({ email: 1 }, { unique: true });
    await c.insertMany([
      { _id: 1, email: 'a' },
      { _id: 2, email: 'b' },
    ] as never[]);
    const e = await serverError(c.updateOne({ _id: 2 as never }, { $set: { email: 'a' } }));
    expect(e.code).toBe(11000);
    expect(e.keyValue).toEqual({ email: 'a' });
    expect(await c.findOne({ _id: 2 as never })).toEqual({ _id: 2, email: 'b' });
  });

  // https://www.mongodb.com/docs/manual/reference/command/update/#output
  it('reports n, nModified and the upserted index and _id in the update command reply', async () => {
    const c = fresh();
    await c.insertOne({ _id: 'same' as never, v: 1 });
    const r = await db().db.command({
      update: c.collectionName,
      updates: [
        { q: { _id: 'new' }, u: { $set: { v: 1 } }, upsert: true },
        { q: { _id: 'same' }, u: { $set: { v: 1 } } },
      ],
    });
    expect(r).toMatchObject({ ok: 1, n: 2, nModified: 0, upserted: [{ index: 0, _id: 'new' }] });
  });

  // https://www.mongodb.com/docs/manual/reference/method/db.collection.updateOne/#behavior
  it('reports modifiedCount 0 for $unset of missing fields and $set of equal embedded values', async () => {
    const c = fresh();
    await c.insertOne({ _id: 1 as never, s: { a: 1, b: [1, { c: 'x' }] }, t: 'y' });
    for (const update of [
      { $unset: { nope: '', 's.nope': '', 'x.y': '' } },
      { $set: { s: { a: 1, b: [1, { c: 'x' }] } } },
      { $set: { 's.b': [1, { c: 'x' }], t: 'y' } },
    ]) {
      const r = await c.updateOne({ _id: 1 as never }, update);
      expect({ update, matched: r.matchedCount, modified: r.modifiedCount }).toEqual({
        update,
        matched: 1,
        modified: 0,
      });
    }
  });

  // https://www.mongodb.com/docs/manual/reference/operator/update/set/
  it('counts a $set of a double over an equal int as a change and stores the double', async () => {
    const c = fresh();
    await c.insertOne({ _id: 1 as never, v: 1 });
    const r = await c.updateOne({ _id: 1 as never }, { $set: { v: new Double(1) } });
    expect(r.modifiedCount).toBe(1);
    const [t] = await c.aggregate([{ $project: { _id: 0, v: { $type: '$v' } } }]).toArray();
    expect(t).toEqual({ v: 'double' });
  });

  // https://www.mongodb.com/docs/manual/reference/operator/update/push/
  it('counts every $push as a change, for each document of an updateMany', async () => {
    const c = fresh();
    await c.insertMany([{ g: 1, log: ['a'] }, { g: 1 }, { g: 2, log: [] }]);
    const r = await c.updateMany({ g: 1 }, { $push: { log: 'b' }, $inc: { n: 1 } } as Document);
    expect(r).toMatchObject({ matchedCount: 2, modifiedCount: 2 });
    expect(
      await c
        .find({}, { projection: { _id: 0 } })
        .sort({ g: 1, n: -1 })
        .toArray(),
    ).toEqual([
      { g: 1, log: ['a', 'b'], n: 1 },
      { g: 1, log: ['b'], n: 1 },
      { g: 2, log: [] },
    ]);
  });

  // https://www.mongodb.com/docs/manual/reference/method/db.collection.findOneAndUpdate/
  it('findOneAndUpdate returns the document before or after a $push onto a long history', async () => {
    const c = fresh();
    const history = Array.from({ length: 50 }, (_, i) => ({ i, note: `entry ${i}` }));
    await c.insertOne({ _id: 1 as never, version: 1, history });
    const before = await c.findOneAndUpdate({ _id: 1 as never }, {
      $push: { history: { i: 50 } },
      $inc: { version: 1 },
    } as Document);
    expect(before).toEqual({ _id: 1, version: 1, history });
    const after = await c.findOneAndUpdate(
      { _id: 1 as never },
      { $push: { history: { i: 51 } }, $inc: { version: 1 } } as Document,
      { returnDocument: 'after' },
    );
    expect(after?.version).toBe(3);
    expect(after?.history).toEqual([...history, { i: 50 }, { i: 51 }]);
  });
});
