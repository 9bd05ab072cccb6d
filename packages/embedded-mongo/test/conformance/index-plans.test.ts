import { Collection, Document, Double, Filter, Long } from 'mongodb';
import { openTestDatabase, TestDatabase } from '../support/test-database';

/**
 * `$in`, `$or` and range conditions on indexed fields, in the shapes the service's polling loops
 * use, give MongoDB's documented answers. The expected ids are written out by hand from the
 * query semantics, so the same file holds against a real MongoDB (MONGODB_URI).
 */
type Doc = Document & { _id: number };

let t: TestDatabase;
let orders: Collection<Doc>;
let queue: Collection<Doc>;

const t0 = Date.parse('2024-01-01T00:00:00Z');
const at = (seconds: number) => new Date(t0 + seconds * 1000);

const orderDocs: Doc[] = [
  { _id: 1, status: 'reported', centre: 1, tags: ['a', 'b'], n: 5 },
  { _id: 2, status: 'desk', centre: 2, tags: [], n: Long.fromNumber(5) },
  { _id: 3, status: 'closed', cedula: { code: 'C1' }, n: 5.5 },
  { _id: 4, status: 'closed', cedula: { code: null } },
  { _id: 5, status: 'closed' },
  { _id: 6, status: 'closed', cedula: {} },
  { _id: 7, status: ['desk', 'closed'], n: new Double(7) },
  { _id: 8, status: null, n: '5' },
  { _id: 9, n: at(0) },
  { _id: 10, status: 'Reported', n: 3 },
  { _id: 11, status: 'closed', cedula: [{ code: 'C2' }, { code: 'C3' }] },
];

const queueDocs: Doc[] = [
  { _id: 1, state: 'pending', dueAt: at(10) },
  { _id: 2, state: 'pending', dueAt: at(50) },
  { _id: 3, state: 'claimed', dueAt: at(5), leaseUntil: at(20) },
  { _id: 4, state: 'claimed', dueAt: at(1), leaseUntil: at(40) },
  { _id: 5, state: 'sent', dueAt: at(0) },
  { _id: 6, state: 'pending', dueAt: at(30) },
  { _id: 7, state: 'pending' },
  { _id: 8, state: 'pending', dueAt: null },
];

beforeAll(async () => {
  t = await openTestDatabase();
  orders = t.db.collection<Doc>('orders');
  await orders.createIndex({ status: 1, centre: 1 });
  await orders.createIndex({ status: 1, 'cedula.code': 1 });
  await orders.createIndex({ tags: 1 });
  await orders.createIndex({ n: 1 });
  await orders.insertMany(orderDocs.map((d) => ({ ...d })));
  queue = t.db.collection<Doc>('queue');
  await queue.createIndex({ state: 1, dueAt: 1 });
  await queue.createIndex({ state: 1, leaseUntil: 1 });
  await queue.insertMany(queueDocs.map((d) => ({ ...d })));
});
afterAll(async () => {
  await t?.close();
});

const ids = async (c: Collection<Doc>, filter: Filter<Doc>) =>
  (await c.find(filter).toArray()).map((d) => Number(d._id)).sort((x, y) => x - y);

const now = at(30);
const due: Filter<Doc> = { state: 'pending', dueAt: { $lte: now } };
const dueOrExpired: Filter<Doc> = { $or: [due, { state: 'claimed', leaseUntil: { $lte: now } }] };

const cases: [string, Filter<Doc>, number[]][] = [
  // https://www.mongodb.com/docs/manual/reference/operator/query/in/
  [
    '$in on the first field of a compound index, matching array elements, case-sensitive',
    { status: { $in: ['reported', 'desk'] } },
    [1, 2, 7],
  ],
  ['$in with null, which matches null and missing', { status: { $in: [null] } }, [8, 9]],
  ['$in mixing a value and null', { status: { $in: ['closed', null] } }, [3, 4, 5, 6, 7, 8, 9, 11]],
  ['$in with no values', { status: { $in: [] } }, []],
  [
    '$in after an equality prefix on a dotted path',
    { status: 'closed', 'cedula.code': { $in: ['C1', 'C3'] } },
    [3, 11],
  ],
  ['$in across numeric types', { n: { $in: [Long.fromNumber(5), 7] } }, [1, 2, 7]],
  // https://www.mongodb.com/docs/manual/tutorial/query-for-null-fields/
  [
    'equality and null on a dotted path (null, missing or no parent)',
    { status: 'closed', 'cedula.code': null },
    [4, 5, 6, 7],
  ],
  // https://www.mongodb.com/docs/manual/reference/operator/query/or/
  ['$or of indexed branches, one by _id', { $or: [{ status: 'reported' }, { tags: 'b' }, { _id: 9 }] }, [1, 9]],
  [
    '$or of an equality prefix plus range, per branch',
    {
      $or: [
        { status: 'desk', centre: { $gte: 2 } },
        { status: 'closed', 'cedula.code': 'C2' },
      ],
    },
    [2, 11],
  ],
  [
    '$or with a branch no index serves',
    { $or: [{ tags: 'a' }, { tags: { $exists: false } }] },
    [1, 3, 4, 5, 6, 7, 8, 9, 10, 11],
  ],
  ['$or next to an equality', { status: 'closed', $or: [{ n: { $gt: 5 } }, { 'cedula.code': 'C1' }] }, [3, 7]],
  // https://www.mongodb.com/docs/manual/reference/method/db.collection.find/#query-for-ranges
  // https://www.mongodb.com/docs/manual/reference/bson-type-comparison-order/ (ranges stay within a type)
  ['a numeric range across int, long and double, skipping strings and dates', { n: { $gt: 4, $lte: 7 } }, [1, 2, 3, 7]],
  ['a range after an equality prefix', { status: 'closed', n: { $lt: 6 } }, [3]],
];

describe('index-served $in, $or and ranges', () => {
  it.each(cases)('%s', async (_name, filter, expected) => {
    expect(await ids(orders, filter)).toEqual(expected);
  });

  it('finds due notices with a range after the state, skipping missing and null due dates', async () => {
    expect(await ids(queue, due)).toEqual([1, 6]);
  });

  it('finds due notices or expired leases in due order', async () => {
    const found = await queue.find(dueOrExpired).sort({ dueAt: 1 }).toArray();
    expect(found.map((d) => d._id)).toEqual([3, 1, 6]);
  });

  it('claims the earliest due notice or expired lease first, then the next', async () => {
    const claim = () =>
      queue.findOneAndUpdate(
        dueOrExpired,
        { $set: { state: 'claimed', leaseUntil: at(90) } },
        { sort: { dueAt: 1 }, returnDocument: 'after' },
      );
    expect((await claim())?._id).toBe(3);
    expect((await claim())?._id).toBe(1);
    expect(await ids(queue, dueOrExpired)).toEqual([6]);
    expect(await ids(queue, { state: { $in: ['claimed'] }, leaseUntil: { $gt: now } })).toEqual([1, 3, 4]);
  });

  it("sees a transaction's own writes and not others' through an index-served $or", async () => {
    const session = t.client.startSession();
    try {
      await session.withTransaction(async () => {
        await queue.insertOne({ _id: 20, state: 'pending', dueAt: at(0) }, { session });
        await queue.updateOne({ _id: 6 }, { $set: { state: 'sent' } }, { session });
        const inside = (await queue.find(dueOrExpired, { session }).toArray())
          .map((d) => Number(d._id))
          .sort((x, y) => x - y);
        expect(inside).toEqual([20]);
        expect(await ids(queue, dueOrExpired)).toEqual([6]);
      });
    } finally {
      await session.endSession();
    }
    expect(await ids(queue, dueOrExpired)).toEqual([20]);
  });
});
