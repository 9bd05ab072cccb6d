import { Collection } from 'mongodb';
import { openTestDatabase, TestDatabase } from '../support/test-database';

let t: TestDatabase;
beforeAll(async () => {
  t = await openTestDatabase();
});
afterAll(async () => {
  await t?.close();
});

let n = 0;
async function seeded(): Promise<Collection> {
  n += 1;
  const c = t.db.collection(`fam${n}`);
  await c.insertMany([
    { _id: 1, queue: 'q', prio: 2, state: 'new', note: 'uno' },
    { _id: 2, queue: 'q', prio: 9, state: 'new', note: 'dos' },
    { _id: 3, queue: 'q', prio: 5, state: 'new', note: 'tres' },
  ] as never[]);
  return c;
}

describe('findAndModify through findOneAndUpdate', () => {
  // https://www.mongodb.com/docs/manual/reference/method/db.collection.findOneAndUpdate/
  it('returns the document as it was before the update by default', async () => {
    const c = await seeded();
    const before = await c.findOneAndUpdate({ _id: 1 as never }, { $set: { state: 'taken' } });
    expect(before).toEqual({ _id: 1, queue: 'q', prio: 2, state: 'new', note: 'uno' });
    expect((await c.findOne({ _id: 1 as never }))?.state).toBe('taken');
  });

  // https://www.mongodb.com/docs/manual/reference/method/db.collection.findOneAndUpdate/#std-label-findOneAndUpdate-returnNewDocument
  it('returns the updated document when returnDocument is after', async () => {
    const c = await seeded();
    const after = await c.findOneAndUpdate({ _id: 1 as never }, { $inc: { prio: 1 } }, { returnDocument: 'after' });
    expect(after).toMatchObject({ _id: 1, prio: 3 });
  });

  // https://www.mongodb.com/docs/manual/reference/method/db.collection.findOneAndUpdate/#sort-and-update-a-document
  it('updates the first document in sort order when several match', async () => {
    const c = await seeded();
    const top = await c.findOneAndUpdate(
      { state: 'new' },
      { $set: { state: 'taken' } },
      { sort: { prio: -1 }, returnDocument: 'after' },
    );
    expect(top?._id).toBe(2);
    expect(await c.countDocuments({ state: 'taken' })).toBe(1);
  });

  // https://www.mongodb.com/docs/manual/reference/method/db.collection.findOneAndUpdate/#projection
  it('returns only the projected fields', async () => {
    const c = await seeded();
    const doc = await c.findOneAndUpdate(
      { _id: 3 as never },
      { $set: { state: 'x' } },
      { projection: { state: 1, _id: 0 }, returnDocument: 'after' },
    );
    expect(doc).toEqual({ state: 'x' });
  });

  // https://www.mongodb.com/docs/manual/reference/method/db.collection.findOneAndUpdate/#upsert
  it('inserts when upsert is set and returns null before or the new document after', async () => {
    const c = await seeded();
    const none = await c.findOneAndUpdate({ _id: 10 as never }, { $set: { v: 1 } }, { upsert: true });
    expect(none).toBeNull();
    const created = await c.findOneAndUpdate(
      { _id: 11 as never },
      { $set: { v: 2 }, $setOnInsert: { born: true } },
      { upsert: true, returnDocument: 'after' },
    );
    expect(created).toEqual({ _id: 11, v: 2, born: true });
    expect(await c.countDocuments({ _id: { $in: [10, 11] } as never })).toBe(2);
  });

  // https://www.mongodb.com/docs/manual/reference/command/findAndModify/#output
  it('reports lastErrorObject with updatedExisting and upserted when asked for the full result', async () => {
    const c = await seeded();
    const hit = await c.findOneAndUpdate({ _id: 1 as never }, { $set: { v: 1 } }, { includeResultMetadata: true });
    expect(hit.ok).toBe(1);
    expect(hit.lastErrorObject).toMatchObject({ n: 1, updatedExisting: true });
    const miss = await c.findOneAndUpdate(
      { _id: 20 as never },
      { $set: { v: 1 } },
      { upsert: true, includeResultMetadata: true },
    );
    expect(miss.lastErrorObject).toMatchObject({ n: 1, updatedExisting: false, upserted: 20 });
    expect(miss.value).toBeNull();
  });

  // https://www.mongodb.com/docs/manual/reference/method/db.collection.findOneAndUpdate/
  it('returns null and changes nothing when no document matches and upsert is not set', async () => {
    const c = await seeded();
    expect(await c.findOneAndUpdate({ _id: 99 as never }, { $set: { v: 1 } })).toBeNull();
    expect(await c.countDocuments()).toBe(3);
  });
});

describe('findAndModify through findOneAndDelete', () => {
  // https://www.mongodb.com/docs/manual/reference/method/db.collection.findOneAndDelete/
  it('removes the first document in sort order and returns it', async () => {
    const c = await seeded();
    const removed = await c.findOneAndDelete({ queue: 'q' }, { sort: { prio: 1 } });
    expect(removed).toEqual({ _id: 1, queue: 'q', prio: 2, state: 'new', note: 'uno' });
    expect(await c.countDocuments({ _id: 1 as never })).toBe(0);
    expect(await c.countDocuments()).toBe(2);
  });

  // https://www.mongodb.com/docs/manual/reference/method/db.collection.findOneAndDelete/
  it('returns null when nothing matches', async () => {
    const c = await seeded();
    expect(await c.findOneAndDelete({ queue: 'none' })).toBeNull();
    expect(await c.countDocuments()).toBe(3);
  });
});

describe('findAndModify through findOneAndReplace', () => {
  // https://www.mongodb.com/docs/manual/reference/method/db.collection.findOneAndReplace/
  it('replaces the whole document, keeps _id and returns the replacement when returnDocument is after', async () => {
    const c = await seeded();
    const doc = await c.findOneAndReplace({ note: 'dos' }, { note: 'DOS', v: 2 }, { returnDocument: 'after' });
    expect(doc).toEqual({ _id: 2, note: 'DOS', v: 2 });
    expect(await c.findOne({ _id: 2 as never })).toEqual({ _id: 2, note: 'DOS', v: 2 });
  });

  // https://www.mongodb.com/docs/manual/reference/method/db.collection.findOneAndReplace/
  it('returns the original document by default', async () => {
    const c = await seeded();
    const doc = await c.findOneAndReplace({ _id: 3 as never }, { note: 'x' });
    expect(doc?.note).toBe('tres');
  });
});
