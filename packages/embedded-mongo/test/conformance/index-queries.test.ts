import { Collection, Decimal128, Document, Double, Filter, Int32, Long } from 'mongodb';
import { openTestDatabase, TestDatabase } from '../support/test-database';
import { serverError } from './server-error';

/**
 * An index changes how documents are found, never which: the same filters over the same
 * documents must give the same answer with and without indexes.
 */
let t: TestDatabase;
let indexed: Collection;
let plain: Collection;

const docs: Document[] = [
  { _id: 1, k: 5, a: 1, b: 1 },
  { _id: 2, k: new Double(5.5), a: 1, b: 2 },
  { _id: 3, k: Long.fromNumber(7), a: 1, b: 3 },
  { _id: 4, k: Decimal128.fromString('4.5'), a: 2, b: 1 },
  { _id: 5, k: new Int32(3), a: 2, b: 2 },
  { _id: 6, k: 'abc', a: 2 },
  { _id: 7, k: 'm', b: 9 },
  { _id: 8, k: null, a: 3, b: 1 },
  { _id: 9, a: 3, b: 2 },
  { _id: 10, k: [1, 5, 9], a: 3, b: 3 },
  { _id: 11, k: { x: 1 }, a: 4, b: 1 },
  { _id: 12, k: true, a: 4, b: 2 },
  { _id: 13, k: new Date('2024-01-01T00:00:00Z'), a: 4, b: 3 },
  { _id: 14, k: [], a: 5, b: 1 },
  { _id: 15, k: [[5]], a: 5, b: 2 },
];

beforeAll(async () => {
  t = await openTestDatabase();
  indexed = t.db.collection('indexed');
  plain = t.db.collection('plain');
  await indexed.createIndex({ k: 1 });
  await indexed.createIndex({ a: 1, b: -1 });
  await indexed.insertMany(docs.map((d) => ({ ...d })));
  await plain.insertMany(docs.map((d) => ({ ...d })));
});
afterAll(async () => {
  await t?.close();
});

const filters: [string, Filter<Document>][] = [
  ['equality on a number', { k: 5 }],
  ['equality across numeric types', { k: Long.fromNumber(5) }],
  ['equality on a Decimal128', { k: Decimal128.fromString('4.50') }],
  ['$in mixing types', { k: { $in: [3, 'abc', null] } }],
  ['null, which also matches missing', { k: null }],
  ['a numeric range', { k: { $gt: 4, $lte: 7 } }],
  ['a string range', { k: { $gte: 'a', $lt: 'n' } }],
  ['$ne', { k: { $ne: 5 } }],
  ['$exists false', { k: { $exists: false } }],
  ['an array element', { k: 9 }],
  ['a whole array', { k: [1, 5, 9] }],
  ['an empty array', { k: [] }],
  ['a nested array', { k: [5] }],
  ['$elemMatch', { k: { $elemMatch: { $gt: 4, $lt: 6 } } }],
  ['an embedded document', { k: { x: 1 } }],
  ['a boolean', { k: true }],
  ['a date range', { k: { $gte: new Date('2023-01-01T00:00:00Z') } }],
  ['a compound prefix', { a: 1 }],
  ['a compound prefix and range', { a: { $in: [1, 3] }, b: { $gte: 2 } }],
  ['a non-prefix field of a compound index', { b: 2 }],
  ['$or over two indexes', { $or: [{ k: 'm' }, { a: 5 }] }],
];

describe('find with indexes', () => {
  // https://www.mongodb.com/docs/manual/indexes/
  it.each(filters)('returns the same documents with and without an index for %s', async (_name, filter) => {
    const withIndex = (await indexed.find(filter).toArray()).map((d) => Number(d._id)).sort((x, y) => x - y);
    const without = (await plain.find(filter).toArray()).map((d) => Number(d._id)).sort((x, y) => x - y);
    expect(withIndex).toEqual(without);
  });

  // https://www.mongodb.com/docs/manual/indexes/#indexes-and-collation (sort order is the BSON comparison order)
  it('returns the same order with and without an index when sorting on the indexed field', async () => {
    const withIndex = (await indexed.find().sort({ k: 1, _id: 1 }).toArray()).map((d) => d._id);
    const without = (await plain.find().sort({ k: 1, _id: 1 }).toArray()).map((d) => d._id);
    expect(withIndex).toEqual(without);
  });
});

describe('unique indexes across numeric types', () => {
  // https://www.mongodb.com/docs/manual/reference/bson-type-comparison-order/#numeric-types
  // https://www.mongodb.com/docs/manual/core/index-unique/
  it('treats numerically equal int, long, double and decimal values as the same key', async () => {
    const c = t.db.collection('unique-numbers');
    await c.createIndex({ n: 1 }, { unique: true });
    await c.insertOne({ n: 5 });
    for (const same of [Long.fromNumber(5), new Double(5), Decimal128.fromString('5.0')]) {
      const e = await serverError(c.insertOne({ n: same }));
      expect(e.code).toBe(11000);
    }
    await c.insertOne({ n: '5' });
    expect(await c.countDocuments()).toBe(2);
  });
});
