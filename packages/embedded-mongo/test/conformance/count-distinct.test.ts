import { Collection } from 'mongodb';
import { openTestDatabase, TestDatabase } from '../support/test-database';

let t: TestDatabase;
let c: Collection;
beforeAll(async () => {
  t = await openTestDatabase();
  c = t.db.collection('items');
  await c.insertMany([
    { _id: 1, item: 'pen', tags: ['a', 'b'], addr: { city: 'CDMX' }, qty: 1 },
    { _id: 2, item: 'ink', tags: ['b', 'c'], addr: { city: 'GDL' }, qty: 5 },
    { _id: 3, item: 'pen', tags: 'd', addr: { city: 'CDMX' }, qty: 9 },
    { _id: 4, item: 'pad', qty: 2 },
  ] as never[]);
});
afterAll(async () => {
  await t?.close();
});

describe('count', () => {
  // https://www.mongodb.com/docs/manual/reference/method/db.collection.countDocuments/
  it('countDocuments counts the documents matching a filter', async () => {
    expect(await c.countDocuments()).toBe(4);
    expect(await c.countDocuments({ item: 'pen' })).toBe(2);
    expect(await c.countDocuments({ qty: { $gt: 100 } })).toBe(0);
  });

  // https://www.mongodb.com/docs/manual/reference/method/db.collection.countDocuments/#syntax
  it('countDocuments applies skip and limit', async () => {
    expect(await c.countDocuments({}, { skip: 1, limit: 2 })).toBe(2);
    expect(await c.countDocuments({}, { skip: 3 })).toBe(1);
  });

  // https://www.mongodb.com/docs/manual/reference/method/db.collection.estimatedDocumentCount/
  it('estimatedDocumentCount reports the size of the collection from its metadata', async () => {
    expect(await c.estimatedDocumentCount()).toBe(4);
  });

  // https://www.mongodb.com/docs/manual/reference/command/count/
  it('reports 0 for a collection that does not exist', async () => {
    const missing = t.db.collection('missing');
    expect(await missing.countDocuments()).toBe(0);
    expect(await missing.estimatedDocumentCount()).toBe(0);
  });

  // https://www.mongodb.com/docs/manual/reference/command/count/
  it('the count command counts the documents matching its query', async () => {
    const r = await t.db.command({ count: 'items', query: { item: 'pen' } });
    expect(r).toMatchObject({ n: 2, ok: 1 });
  });

  // https://www.mongodb.com/docs/manual/reference/method/db.collection.countDocuments/#syntax
  it('countDocuments applies skip and then limit to the documents matching the filter', async () => {
    expect(await c.countDocuments({ item: 'pen' }, { skip: 1 })).toBe(1);
    expect(await c.countDocuments({ item: 'pen' }, { skip: 2 })).toBe(0);
    expect(await c.countDocuments({ item: 'pen' }, { limit: 1 })).toBe(1);
    expect(await c.countDocuments({}, { skip: 1, limit: 10 })).toBe(3);
    expect(await c.countDocuments({ qty: { $gte: 2 } }, { skip: 1, limit: 1 })).toBe(1);
    expect(await c.countDocuments({ item: 'none' }, { skip: 0, limit: 5 })).toBe(0);
  });

  // https://www.mongodb.com/docs/manual/reference/operator/aggregation/group/#group-by-null
  it('a $group on a constant _id counts the matching documents and yields nothing when none match', async () => {
    expect(
      await c
        .aggregate([{ $match: { item: 'pen' } }, { $group: { _id: null, n: { $sum: 1 }, m: { $sum: 1 } } }])
        .toArray(),
    ).toEqual([{ _id: null, n: 2, m: 2 }]);
    expect(
      await c
        .aggregate([{ $match: {} }, { $skip: 1 }, { $limit: 2 }, { $group: { _id: 1, n: { $sum: 1 } } }])
        .toArray(),
    ).toEqual([{ _id: 1, n: 2 }]);
    expect(await c.aggregate([{ $match: { item: 'none' } }, { $group: { _id: 1, n: { $sum: 1 } } }]).toArray()).toEqual(
      [],
    );
  });
});

describe('distinct', () => {
  // https://www.mongodb.com/docs/manual/reference/command/distinct/
  it('returns each value of a field once', async () => {
    expect((await c.distinct('item')).sort()).toEqual(['ink', 'pad', 'pen']);
  });

  // https://www.mongodb.com/docs/manual/reference/command/distinct/#return-distinct-values-for-an-array-field
  it('treats each element of an array field as a separate value', async () => {
    expect((await c.distinct('tags')).sort()).toEqual(['a', 'b', 'c', 'd']);
  });

  // https://www.mongodb.com/docs/manual/reference/command/distinct/#return-distinct-values-for-an-embedded-field
  it('follows a dotted path into embedded documents', async () => {
    expect((await c.distinct('addr.city')).sort()).toEqual(['CDMX', 'GDL']);
  });

  // https://www.mongodb.com/docs/manual/reference/command/distinct/#specify-query-with-distinct
  it('considers only documents that match the query', async () => {
    expect((await c.distinct('item', { qty: { $lt: 6 } })).sort()).toEqual(['ink', 'pad', 'pen']);
    expect(await c.distinct('item', { qty: { $gt: 6 } })).toEqual(['pen']);
  });

  // https://www.mongodb.com/docs/manual/reference/command/distinct/
  it('returns an empty list for a field no document has', async () => {
    expect(await c.distinct('nope')).toEqual([]);
  });
});
