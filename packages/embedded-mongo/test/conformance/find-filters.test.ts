import { Collection, Document, Filter } from 'mongodb';
import { openTestDatabase, TestDatabase } from '../support/test-database';
import { serverError } from './server-error';

let t: TestDatabase;
let c: Collection;
beforeAll(async () => {
  t = await openTestDatabase();
  c = t.db.collection('people');
  await c.insertMany([
    { _id: 1, name: 'Ana', age: 30, tags: ['a', 'b'], addr: { city: 'CDMX' }, scores: [80, 95] },
    { _id: 2, name: 'beto', age: 25, tags: ['b'], addr: { city: 'GDL' }, scores: [70] },
    { _id: 3, name: 'Carla', age: 35, tags: [], scores: [90, 60], nick: null },
    {
      _id: 4,
      name: 'Dario',
      age: '40',
      items: [
        { sku: 'x', q: 5 },
        { sku: 'y', q: 1 },
      ],
    },
    { _id: 5, name: 'Elena', age: 28, a: 10, b: 3, items: [{ sku: 'x', q: 1 }] },
  ] as never[]);
});
afterAll(async () => {
  await t?.close();
});

async function ids(filter: Filter<Document>): Promise<unknown[]> {
  return (await c.find(filter).sort({ _id: 1 }).toArray()).map((d) => d._id);
}

describe('find with comparison operators', () => {
  // https://www.mongodb.com/docs/manual/reference/operator/query-comparison/
  it('$gt, $gte, $lt and $lte match only values of the same type bracket', async () => {
    expect(await ids({ age: { $gt: 28 } })).toEqual([1, 3]);
    expect(await ids({ age: { $gte: 28, $lt: 35 } })).toEqual([1, 5]);
    expect(await ids({ age: { $lte: 25 } })).toEqual([2]);
    expect(await ids({ age: { $gt: '3' } })).toEqual([4]);
  });

  // https://www.mongodb.com/docs/manual/reference/operator/query/eq/
  it('$eq and a plain value match equal values and array elements', async () => {
    expect(await ids({ name: { $eq: 'Ana' } })).toEqual([1]);
    expect(await ids({ tags: 'b' })).toEqual([1, 2]);
    expect(await ids({ 'addr.city': 'CDMX' })).toEqual([1]);
  });

  // https://www.mongodb.com/docs/manual/reference/operator/query/ne/
  it('$ne also matches documents that lack the field', async () => {
    expect(await ids({ 'addr.city': { $ne: 'CDMX' } })).toEqual([2, 3, 4, 5]);
  });

  // https://www.mongodb.com/docs/manual/reference/operator/query/in/
  // https://www.mongodb.com/docs/manual/reference/operator/query/nin/
  it('$in matches any listed value and $nin matches none of them', async () => {
    expect(await ids({ age: { $in: [25, 35] } })).toEqual([2, 3]);
    expect(await ids({ tags: { $in: ['a', 'zz'] } })).toEqual([1]);
    expect(await ids({ age: { $nin: [25, 35] } })).toEqual([1, 4, 5]);
    expect(await ids({ name: { $in: [/^d/i] } })).toEqual([4]);
  });
});

describe('find with logical operators', () => {
  // https://www.mongodb.com/docs/manual/reference/operator/query/and/
  // https://www.mongodb.com/docs/manual/reference/operator/query/or/
  it('$and requires every clause and $or any clause', async () => {
    expect(await ids({ $and: [{ age: { $gt: 20 } }, { tags: 'b' }] })).toEqual([1, 2]);
    expect(await ids({ $or: [{ age: 35 }, { name: 'beto' }] })).toEqual([2, 3]);
  });

  // https://www.mongodb.com/docs/manual/reference/operator/query/nor/
  it('$nor matches documents that fail every clause', async () => {
    expect(await ids({ $nor: [{ age: 30 }, { name: 'beto' }] })).toEqual([3, 4, 5]);
  });

  // https://www.mongodb.com/docs/manual/reference/operator/query/not/
  it('$not inverts an operator expression and matches documents where it does not apply', async () => {
    expect(await ids({ age: { $not: { $gt: 28 } } })).toEqual([2, 4, 5]);
  });
});

describe('find with element operators', () => {
  // https://www.mongodb.com/docs/manual/reference/operator/query/exists/
  it('$exists true matches a null value and $exists false only missing fields', async () => {
    expect(await ids({ nick: { $exists: true } })).toEqual([3]);
    expect(await ids({ items: { $exists: false } })).toEqual([1, 2, 3]);
  });

  // https://www.mongodb.com/docs/manual/reference/operator/query/type/
  it('$type matches by BSON type name, with number covering every numeric type', async () => {
    expect(await ids({ age: { $type: 'string' } })).toEqual([4]);
    expect(await ids({ age: { $type: 'number' } })).toEqual([1, 2, 3, 5]);
    expect(await ids({ nick: { $type: 'null' } })).toEqual([3]);
  });

  // https://www.mongodb.com/docs/manual/tutorial/query-for-null-fields/
  it('a null equality matches documents where the field is null or missing', async () => {
    expect(await ids({ nick: null })).toEqual([1, 2, 3, 4, 5]);
    expect(await ids({ addr: null })).toEqual([3, 4, 5]);
  });
});

describe('find with array operators', () => {
  // https://www.mongodb.com/docs/manual/reference/operator/query/all/
  it('$all requires every listed element', async () => {
    expect(await ids({ tags: { $all: ['a', 'b'] } })).toEqual([1]);
  });

  // https://www.mongodb.com/docs/manual/reference/operator/query/size/
  it('$size matches the exact array length', async () => {
    expect(await ids({ tags: { $size: 0 } })).toEqual([3]);
    expect(await ids({ scores: { $size: 2 } })).toEqual([1, 3]);
  });

  // https://www.mongodb.com/docs/manual/reference/operator/query/elemMatch/
  it('$elemMatch requires one element to satisfy every condition, unlike separate conditions', async () => {
    expect(await ids({ scores: { $gte: 85, $lt: 92 } })).toEqual([1, 3]);
    expect(await ids({ scores: { $elemMatch: { $gte: 85, $lt: 92 } } })).toEqual([3]);
    expect(await ids({ 'items.sku': 'x', 'items.q': 1 })).toEqual([4, 5]);
    expect(await ids({ items: { $elemMatch: { sku: 'x', q: 1 } } })).toEqual([5]);
  });
});

describe('find with evaluation operators', () => {
  // https://www.mongodb.com/docs/manual/reference/operator/query/regex/
  it('$regex matches case-sensitively unless the i option is given', async () => {
    expect(await ids({ name: { $regex: '^[a-c]' } })).toEqual([2]);
    expect(await ids({ name: { $regex: '^[a-c]', $options: 'i' } })).toEqual([1, 2, 3]);
    expect(await ids({ name: /NA$/i })).toEqual([1, 5]);
  });

  // https://www.mongodb.com/docs/manual/reference/operator/query/expr/
  it('$expr compares two fields of the same document', async () => {
    expect(await ids({ $expr: { $gt: ['$a', '$b'] } })).toEqual([5]);
    expect(await ids({ $expr: { $eq: [{ $size: { $ifNull: ['$tags', [0, 0]] } }, 2] } })).toEqual([1, 4, 5]);
  });

  // https://www.mongodb.com/docs/manual/reference/operator/query/
  it('refuses an unknown query operator with code 2 BadValue naming it', async () => {
    const e = await serverError(c.find({ age: { $frobnicate: 1 } } as never).toArray());
    expect(e.code).toBe(2);
    expect(e.message).toContain('$frobnicate');
  });
});
