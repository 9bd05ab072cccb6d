import { Binary, Collection, Double, Int32, Long, MaxKey, MinKey, ObjectId } from 'mongodb';
import { openTestDatabase, TestDatabase } from '../support/test-database';
import { serverError } from './server-error';

let t: TestDatabase;
let people: Collection;
beforeAll(async () => {
  t = await openTestDatabase();
  people = t.db.collection('people');
  await people.insertMany([
    { _id: 1, name: 'Ana', age: 30, addr: { city: 'CDMX', zip: '01000' }, scores: [80, 95, 70] },
    { _id: 2, name: 'Beto', age: 25, addr: { city: 'GDL', zip: '44100' }, scores: [70] },
  ] as never[]);
});
afterAll(async () => {
  await t?.close();
});

describe('find projection', () => {
  // https://www.mongodb.com/docs/manual/tutorial/project-fields-from-query-results/
  it('returns only the included fields and _id when projecting by inclusion', async () => {
    expect(await people.findOne({ _id: 1 as never }, { projection: { name: 1 } })).toEqual({ _id: 1, name: 'Ana' });
  });

  // https://www.mongodb.com/docs/manual/tutorial/project-fields-from-query-results/#suppress-_id-field
  it('omits _id when it is excluded from an inclusion projection', async () => {
    expect(await people.findOne({ _id: 1 as never }, { projection: { name: 1, _id: 0 } })).toEqual({ name: 'Ana' });
  });

  // https://www.mongodb.com/docs/manual/tutorial/project-fields-from-query-results/#return-all-but-the-excluded-fields
  it('returns every other field when projecting by exclusion', async () => {
    expect(await people.findOne({ _id: 2 as never }, { projection: { addr: 0, scores: 0 } })).toEqual({
      _id: 2,
      name: 'Beto',
      age: 25,
    });
  });

  // https://www.mongodb.com/docs/manual/tutorial/project-fields-from-query-results/#return-specific-fields-in-embedded-documents
  it('keeps the embedded document around an included dotted field and drops an excluded one', async () => {
    expect(await people.findOne({ _id: 1 as never }, { projection: { 'addr.city': 1 } })).toEqual({
      _id: 1,
      addr: { city: 'CDMX' },
    });
    expect(
      await people.findOne({ _id: 1 as never }, { projection: { 'addr.zip': 0, scores: 0, name: 0, age: 0 } }),
    ).toEqual({ _id: 1, addr: { city: 'CDMX' } });
  });

  // https://www.mongodb.com/docs/manual/reference/operator/projection/slice/
  it('$slice returns the first or last elements of an array', async () => {
    expect(await people.findOne({ _id: 1 as never }, { projection: { scores: { $slice: 2 }, name: 1 } })).toEqual({
      _id: 1,
      name: 'Ana',
      scores: [80, 95],
    });
    expect(await people.findOne({ _id: 1 as never }, { projection: { scores: { $slice: -1 }, name: 1 } })).toEqual({
      _id: 1,
      name: 'Ana',
      scores: [70],
    });
  });

  // https://www.mongodb.com/docs/manual/reference/method/db.collection.find/#projection
  it('refuses a projection that mixes inclusion and exclusion of fields other than _id', async () => {
    const e = await serverError(people.find({}, { projection: { name: 1, age: 0 } }).toArray());
    expect([31253, 31254]).toContain(e.code);
  });

  // https://www.mongodb.com/docs/manual/tutorial/project-fields-from-query-results/#suppress-specific-fields-in-embedded-documents
  it('leaves the stored document whole after projections of embedded fields', async () => {
    expect(await people.findOne({ _id: 1 as never }, { projection: { 'addr.zip': 0, scores: 0 } })).toEqual({
      _id: 1,
      name: 'Ana',
      age: 30,
      addr: { city: 'CDMX' },
    });
    expect(await people.findOne({ _id: 1 as never }, { projection: { 'addr.city': 1, name: 1 } })).toEqual({
      _id: 1,
      name: 'Ana',
      addr: { city: 'CDMX' },
    });
    expect(await people.findOne({ _id: 1 as never })).toEqual({
      _id: 1,
      name: 'Ana',
      age: 30,
      addr: { city: 'CDMX', zip: '01000' },
      scores: [80, 95, 70],
    });
  });
});

describe('find sort, skip and limit', () => {
  let c: Collection;
  beforeAll(async () => {
    c = t.db.collection('sorting');
    await c.insertMany([
      { _id: 1, g: 'b', n: 2 },
      { _id: 2, g: 'a', n: 1 },
      { _id: 3, g: 'b', n: 5 },
      { _id: 4, g: 'a', n: 3 },
      { _id: 5, g: 'c', n: 4 },
    ] as never[]);
  });

  // https://www.mongodb.com/docs/manual/reference/method/cursor.sort/
  it('sorts by several keys in order, each in its own direction', async () => {
    const docs = await c.find().sort({ g: 1, n: -1 }).toArray();
    expect(docs.map((d) => d._id)).toEqual([4, 2, 3, 1, 5]);
  });

  // https://www.mongodb.com/docs/manual/reference/method/cursor.skip/
  // https://www.mongodb.com/docs/manual/reference/method/cursor.limit/
  it('applies skip after sort and then limits the count', async () => {
    const docs = await c.find().sort({ n: 1 }).skip(1).limit(3).toArray();
    expect(docs.map((d) => d.n)).toEqual([2, 3, 4]);
  });

  // https://www.mongodb.com/docs/manual/reference/bson-type-comparison-order/
  it('orders values of different BSON types by the documented type order', async () => {
    const s = t.db.collection('mixed');
    const oid = new ObjectId();
    const date = new Date('2020-01-01T00:00:00Z');
    await s.insertMany([
      { _id: 1, v: 'abc' },
      { _id: 2, v: true },
      { _id: 3, v: date },
      { _id: 4, v: new MaxKey() },
      { _id: 5, v: new Int32(3) },
      { _id: 6, v: null },
      { _id: 7 },
      { _id: 8, v: { x: 1 } },
      { _id: 9, v: oid },
      { _id: 10, v: new Double(2.5) },
      { _id: 11, v: Long.fromNumber(4) },
      { _id: 12, v: new MinKey() },
      { _id: 13, v: new Binary(Buffer.from([1, 2])) },
      { _id: 14, v: false },
    ] as never[]);
    const asc = (await s.find().sort({ v: 1, _id: 1 }).toArray()).map((d) => d._id);
    expect(asc).toEqual([12, 6, 7, 10, 5, 11, 1, 8, 13, 9, 14, 2, 3, 4]);
    const desc = (await s.find().sort({ v: -1, _id: 1 }).toArray()).map((d) => d._id);
    expect(desc).toEqual([4, 3, 2, 14, 9, 13, 8, 1, 11, 5, 10, 6, 7, 12]);
  });

  // https://www.mongodb.com/docs/manual/reference/operator/aggregation/sort/#sort-consistency
  // https://www.mongodb.com/docs/manual/reference/bson-type-comparison-order/
  it('orders mixed BSON types the same way in an aggregation $sort as in find', async () => {
    const s = t.db.collection('mixed-agg');
    await s.insertMany([
      { _id: 1, v: 'abc' },
      { _id: 2, v: true },
      { _id: 3, v: new Date(0) },
      { _id: 4, v: null },
      { _id: 5, v: 2 },
      { _id: 6, v: { x: 1 } },
      { _id: 7, v: new ObjectId() },
      { _id: 8 },
    ] as never[]);
    const viaFind = (await s.find().sort({ v: 1, _id: 1 }).toArray()).map((d) => d._id);
    const viaAggregate = (await s.aggregate([{ $sort: { v: 1, _id: 1 } }]).toArray()).map((d) => d._id);
    expect(viaFind).toEqual([4, 8, 5, 1, 6, 7, 2, 3]);
    expect(viaAggregate).toEqual(viaFind);
  });

  // https://www.mongodb.com/docs/manual/reference/method/cursor.sort/#sort-consistency
  it('compares numbers of different numeric types by value', async () => {
    const s = t.db.collection('numbers');
    await s.insertMany([
      { _id: 'l', v: Long.fromNumber(10) },
      { _id: 'd', v: new Double(9.5) },
      { _id: 'i', v: new Int32(11) },
    ] as never[]);
    expect((await s.find().sort({ v: -1 }).toArray()).map((d) => d._id)).toEqual(['i', 'l', 'd']);
    expect(
      (
        await s
          .find({ v: { $gt: 9.75 } })
          .sort({ v: 1 })
          .toArray()
      ).map((d) => d._id),
    ).toEqual(['l', 'i']);
  });
});
