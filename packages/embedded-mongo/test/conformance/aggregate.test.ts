import { Collection, Document } from 'mongodb';
import { openTestDatabase, TestDatabase } from '../support/test-database';
import { serverError } from './server-error';

let t: TestDatabase;
let orders: Collection;
beforeAll(async () => {
  t = await openTestDatabase();
  orders = t.db.collection('orders');
  await orders.insertMany([
    { _id: 1, cust: 'ana', item: 'pen', qty: 2, price: 10, tags: ['a', 'b'], at: new Date('2024-03-15T18:30:00Z') },
    { _id: 2, cust: 'ana', item: 'ink', qty: 1, price: 25, tags: ['b'], at: new Date('2024-03-16T05:00:00Z') },
    { _id: 3, cust: 'beto', item: 'pen', qty: 5, price: 10, tags: [], at: new Date('2024-03-17T12:00:00Z') },
    { _id: 4, cust: 'carla', item: 'pad', qty: 3, price: 4, at: new Date('2024-04-01T00:30:00Z') },
  ] as never[]);
  await t.db.collection('customers').insertMany([
    { _id: 'ana', name: 'Ana' },
    { _id: 'beto', name: 'Beto' },
  ] as never[]);
});
afterAll(async () => {
  await t?.close();
});

function run(pipeline: Document[]): Promise<Document[]> {
  return orders.aggregate(pipeline).toArray();
}

describe('aggregate $match and $group', () => {
  // https://www.mongodb.com/docs/manual/reference/operator/aggregation/group/
  it('groups with $sum, $avg, $min, $max, $push and $addToSet', async () => {
    const out = await run([
      { $match: { qty: { $gte: 1 } } },
      { $sort: { _id: 1 } },
      {
        $group: {
          _id: '$cust',
          qty: { $sum: '$qty' },
          n: { $sum: 1 },
          avgPrice: { $avg: '$price' },
          minQty: { $min: '$qty' },
          maxQty: { $max: '$qty' },
          items: { $push: '$item' },
          set: { $addToSet: '$price' },
        },
      },
      { $sort: { _id: 1 } },
    ]);
    expect(out.map((g) => ({ ...g, set: [...g.set].sort() }))).toEqual([
      { _id: 'ana', qty: 3, n: 2, avgPrice: 17.5, minQty: 1, maxQty: 2, items: ['pen', 'ink'], set: [10, 25] },
      { _id: 'beto', qty: 5, n: 1, avgPrice: 10, minQty: 5, maxQty: 5, items: ['pen'], set: [10] },
      { _id: 'carla', qty: 3, n: 1, avgPrice: 4, minQty: 3, maxQty: 3, items: ['pad'], set: [4] },
    ]);
  });

  // https://www.mongodb.com/docs/manual/reference/operator/aggregation/first/
  // https://www.mongodb.com/docs/manual/reference/operator/aggregation/last/
  it('$first and $last follow the order set by a preceding $sort', async () => {
    const out = await run([
      { $sort: { qty: -1 } },
      { $group: { _id: '$item', first: { $first: '$_id' }, last: { $last: '$_id' } } },
      { $match: { _id: 'pen' } },
    ]);
    expect(out).toEqual([{ _id: 'pen', first: 3, last: 1 }]);
  });

  // https://www.mongodb.com/docs/manual/reference/operator/aggregation/group/#calculate-count-sum-and-average
  it('groups everything under _id null and sums an expression', async () => {
    const out = await run([{ $group: { _id: null, revenue: { $sum: { $multiply: ['$qty', '$price'] } } } }]);
    expect(out).toEqual([{ _id: null, revenue: 107 }]);
  });

  // https://www.mongodb.com/docs/manual/core/aggregation-pipeline/
  it('leaves the stored documents as they were after $match, $sort, $group and $project stages', async () => {
    const stored = await orders.find().sort({ _id: 1 }).toArray();
    await run([
      { $match: {} },
      { $sort: { qty: -1 } },
      { $group: { _id: '$cust', all: { $push: '$$ROOT' }, first: { $first: '$tags' } } },
    ]);
    await run([{ $match: { item: 'pen' } }, { $project: { tags: 0, 'at.x': 0 } }]);
    await run([{ $match: {} }, { $count: 'n' }]);
    expect(await orders.find().sort({ _id: 1 }).toArray()).toEqual(stored);
  });
});

describe('aggregate reshaping stages', () => {
  // https://www.mongodb.com/docs/manual/reference/operator/aggregation/project/
  it('$project includes fields, computes new ones and drops _id on request', async () => {
    const out = await run([
      { $match: { _id: 1 } },
      { $project: { _id: 0, item: 1, total: { $multiply: ['$qty', '$price'] } } },
    ]);
    expect(out).toEqual([{ item: 'pen', total: 20 }]);
  });

  // https://www.mongodb.com/docs/manual/reference/operator/aggregation/addFields/
  // https://www.mongodb.com/docs/manual/reference/operator/aggregation/set/
  it('$addFields and $set add fields and keep every existing one', async () => {
    const out = await run([
      { $match: { _id: 4 } },
      { $addFields: { total: { $multiply: ['$qty', '$price'] } } },
      { $set: { big: { $gt: ['$total', 10] } } },
    ]);
    expect(out).toEqual([
      {
        _id: 4,
        cust: 'carla',
        item: 'pad',
        qty: 3,
        price: 4,
        at: new Date('2024-04-01T00:30:00Z'),
        total: 12,
        big: true,
      },
    ]);
  });

  // https://www.mongodb.com/docs/manual/reference/operator/aggregation/unwind/
  it('$unwind emits one document per element and drops missing or empty arrays', async () => {
    const out = await run([{ $unwind: '$tags' }, { $project: { tags: 1 } }, { $sort: { _id: 1, tags: 1 } }]);
    expect(out).toEqual([
      { _id: 1, tags: 'a' },
      { _id: 1, tags: 'b' },
      { _id: 2, tags: 'b' },
    ]);
  });

  // https://www.mongodb.com/docs/manual/reference/operator/aggregation/unwind/#preservenullandemptyarrays
  it('$unwind keeps documents without elements when preserveNullAndEmptyArrays is set', async () => {
    const out = await run([{ $unwind: { path: '$tags', preserveNullAndEmptyArrays: true } }, { $count: 'n' }]);
    expect(out).toEqual([{ n: 5 }]);
  });

  // https://www.mongodb.com/docs/manual/reference/operator/aggregation/skip/
  // https://www.mongodb.com/docs/manual/reference/operator/aggregation/limit/
  it('$sort, $skip and $limit page through the results', async () => {
    const out = await run([{ $sort: { qty: 1 } }, { $skip: 1 }, { $limit: 2 }, { $project: { qty: 1 } }]);
    expect(out).toEqual([
      { _id: 1, qty: 2 },
      { _id: 4, qty: 3 },
    ]);
  });

  // https://www.mongodb.com/docs/manual/reference/operator/aggregation/count/
  it('$count returns one document with the count and none when the input is empty', async () => {
    expect(await run([{ $match: { cust: 'ana' } }, { $count: 'orders' }])).toEqual([{ orders: 2 }]);
    expect(await run([{ $match: { cust: 'nobody' } }, { $count: 'orders' }])).toEqual([]);
  });
});

describe('aggregate multi-collection and bucketing stages', () => {
  // https://www.mongodb.com/docs/manual/reference/operator/aggregation/facet/
  it('$facet runs several sub-pipelines over the same input', async () => {
    const out = await run([
      {
        $facet: {
          pens: [{ $match: { item: 'pen' } }, { $count: 'n' }],
          top: [{ $sort: { qty: -1 } }, { $limit: 1 }, { $project: { _id: 1 } }],
        },
      },
    ]);
    expect(out).toEqual([{ pens: [{ n: 2 }], top: [{ _id: 3 }] }]);
  });

  // https://www.mongodb.com/docs/manual/reference/operator/aggregation/lookup/#equality-match-with-a-single-join-condition
  it('$lookup joins matching documents as an array and an empty array when none match', async () => {
    const out = await run([
      { $lookup: { from: 'customers', localField: 'cust', foreignField: '_id', as: 'customer' } },
      { $project: { customer: 1 } },
      { $sort: { _id: 1 } },
    ]);
    expect(out).toEqual([
      { _id: 1, customer: [{ _id: 'ana', name: 'Ana' }] },
      { _id: 2, customer: [{ _id: 'ana', name: 'Ana' }] },
      { _id: 3, customer: [{ _id: 'beto', name: 'Beto' }] },
      { _id: 4, customer: [] },
    ]);
  });

  // https://www.mongodb.com/docs/manual/reference/operator/aggregation/bucket/
  it('$bucket counts documents between boundaries', async () => {
    const out = await run([{ $bucket: { groupBy: '$qty', boundaries: [0, 3, 6], output: { n: { $sum: 1 } } } }]);
    expect(out).toEqual([
      { _id: 0, n: 2 },
      { _id: 3, n: 2 },
    ]);
  });

  // https://www.mongodb.com/docs/manual/reference/operator/aggregation/dateToString/
  it('$dateToString formats in the requested time zone, by name or by offset', async () => {
    const out = await run([
      { $match: { _id: { $in: [1, 2] } } },
      { $sort: { _id: 1 } },
      {
        $project: {
          local: { $dateToString: { format: '%Y-%m-%d %H:%M', date: '$at', timezone: 'America/Mexico_City' } },
          offset: { $dateToString: { format: '%H:%M', date: '$at', timezone: '+05:30' } },
          utc: { $dateToString: { format: '%Y-%m-%dT%H:%M:%S.%LZ', date: '$at' } },
          day: { $dayOfMonth: { date: '$at', timezone: 'America/Mexico_City' } },
        },
      },
    ]);
    expect(out).toEqual([
      { _id: 1, local: '2024-03-15 12:30', offset: '00:00', utc: '2024-03-15T18:30:00.000Z', day: 15 },
      { _id: 2, local: '2024-03-15 23:00', offset: '10:30', utc: '2024-03-16T05:00:00.000Z', day: 15 },
    ]);
  });

  // https://www.mongodb.com/docs/manual/reference/operator/aggregation-pipeline/
  it('returns no documents for a collection that does not exist', async () => {
    expect(
      await t.db
        .collection('nothing-here')
        .aggregate([{ $match: {} }])
        .toArray(),
    ).toEqual([]);
  });

  // https://www.mongodb.com/docs/manual/reference/operator/aggregation-pipeline/
  it('refuses an unknown stage with code 40324 naming it', async () => {
    const e = await serverError(run([{ $frobnicate: {} }]));
    expect(e.code).toBe(40324);
    expect(e.message).toContain('$frobnicate');
  });
});
