import { Collection, Decimal128, Document, Double, Int32, Long, Timestamp } from 'mongodb';
import { openTestDatabase, TestDatabase } from '../support/test-database';
import { serverError } from './server-error';

let t: TestDatabase;
let c: Collection;
beforeAll(async () => {
  t = await openTestDatabase();
  c = t.db.collection('ops');
});
afterAll(async () => {
  await t?.close();
});

let n = 0;
/** Inserts `doc` under a fresh _id, applies `update` with updateOne and returns the stored result. */
async function apply(doc: Document, update: Document, options: Document = {}): Promise<Document | null> {
  n += 1;
  await c.insertOne({ ...doc, _id: n as never });
  await c.updateOne({ _id: n as never }, update, options);
  return c.findOne({ _id: n as never }, { projection: { _id: 0 } });
}

describe('update field operators', () => {
  // https://www.mongodb.com/docs/manual/reference/operator/update/set/
  it('$set replaces a value and creates missing embedded documents along a dotted path', async () => {
    expect(await apply({ a: 1 }, { $set: { a: 2, 'x.y.z': 'hola' } })).toEqual({ a: 2, x: { y: { z: 'hola' } } });
  });

  // https://www.mongodb.com/docs/manual/reference/operator/update/set/
  it('$set stores each value with its exact BSON type', async () => {
    n += 1;
    await c.insertOne({ _id: n as never });
    await c.updateOne(
      { _id: n as never },
      {
        $set: {
          l: Long.fromString('9007199254740993'),
          d: new Double(2),
          i: new Int32(2),
          dec: Decimal128.fromString('2.50'),
          'sub.l': Long.fromNumber(3),
        },
      },
    );
    const [r] = await c
      .aggregate([
        { $match: { _id: n } },
        {
          $project: {
            _id: 0,
            l: { $type: '$l' },
            d: { $type: '$d' },
            i: { $type: '$i' },
            dec: { $type: '$dec' },
            sub: { $type: '$sub.l' },
          },
        },
      ])
      .toArray();
    expect(r).toEqual({ l: 'long', d: 'double', i: 'int', dec: 'decimal', sub: 'long' });
    const doc = await c.findOne({ _id: n as never }, { promoteLongs: false });
    expect(String(doc?.l)).toBe('9007199254740993');
    expect(String(doc?.dec)).toBe('2.50');
  });

  // https://www.mongodb.com/docs/manual/reference/operator/update/unset/
  it('$unset removes the field and ignores fields that do not exist', async () => {
    expect(await apply({ a: 1, b: { c: 2, d: 3 } }, { $unset: { a: '', 'b.c': 1, nope: '' } })).toEqual({
      b: { d: 3 },
    });
  });

  // https://www.mongodb.com/docs/manual/reference/operator/update/inc/
  it('$inc adds to a number and creates the field with the increment when missing', async () => {
    expect(await apply({ a: 5 }, { $inc: { a: -2, b: 3 } })).toEqual({ a: 3, b: 3 });
  });

  // https://www.mongodb.com/docs/manual/reference/operator/update/inc/#behavior
  it('$inc keeps every digit of a long and of a decimal, and widens an overflowing int to long', async () => {
    n += 1;
    await c.insertOne({
      _id: n as never,
      l: Long.fromString('9007199254740993'),
      dec: Decimal128.fromString('0.2'),
      i: new Int32(2147483647),
    });
    await c.updateOne({ _id: n as never }, { $inc: { l: 1, dec: Decimal128.fromString('0.1'), i: 1 } });
    const [r] = await c
      .aggregate([
        { $match: { _id: n } },
        { $project: { _id: 0, l: { $type: '$l' }, dec: { $type: '$dec' }, i: { $type: '$i' } } },
      ])
      .toArray();
    expect(r).toEqual({ l: 'long', dec: 'decimal', i: 'long' });
    const doc = await c.findOne({ _id: n as never }, { promoteLongs: false });
    expect(String(doc?.l)).toBe('9007199254740994');
    expect(String(doc?.dec)).toBe('0.3');
    expect(String(doc?.i)).toBe('2147483648');
  });

  // https://www.mongodb.com/docs/manual/reference/operator/update/mul/
  it('$mul multiplies and sets a missing field to 0', async () => {
    expect(await apply({ price: 10 }, { $mul: { price: 1.5, qty: 2 } })).toEqual({ price: 15, qty: 0 });
  });

  // https://www.mongodb.com/docs/manual/reference/operator/update/min/
  it('$min lowers only when the new value is smaller', async () => {
    expect(await apply({ lo: 5, hi: 5 }, { $min: { lo: 3, hi: 9 } })).toEqual({ lo: 3, hi: 5 });
  });

  // https://www.mongodb.com/docs/manual/reference/operator/update/max/
  it('$max raises only when the new value is larger and compares dates', async () => {
    const d1 = new Date('2024-01-01T00:00:00Z');
    const d2 = new Date('2025-01-01T00:00:00Z');
    expect(await apply({ n: 5, m: 5, at: d1 }, { $max: { n: 3, m: 9, at: d2 } })).toEqual({ n: 5, m: 9, at: d2 });
  });

  // https://www.mongodb.com/docs/manual/reference/operator/update/rename/
  it('$rename moves a value to a new name, including into an embedded document', async () => {
    expect(await apply({ nmae: 'Luz', a: 1 }, { $rename: { nmae: 'name', a: 'sub.a' } })).toEqual({
      name: 'Luz',
      sub: { a: 1 },
    });
  });

  // https://www.mongodb.com/docs/manual/reference/operator/update/currentDate/
  it('$currentDate sets the current time as a Date by default and as a Timestamp on request', async () => {
    const before = Date.now();
    const doc = await apply({}, { $currentDate: { at: true, ts: { $type: 'timestamp' } } });
    expect(doc?.at).toBeInstanceOf(Date);
    expect(Math.abs((doc?.at as Date).getTime() - before)).toBeLessThan(60_000);
    expect(doc?.ts).toBeInstanceOf(Timestamp);
  });

  // https://www.mongodb.com/docs/manual/reference/operator/update/inc/#behavior
  it('$inc follows the numeric type rules: int + double is double, double stays double, long stays long, decimal stays decimal', async () => {
    n += 1;
    await c.insertOne({
      _id: n as never,
      i: 1,
      d: new Double(2),
      l: Long.fromNumber(5),
      dec: Decimal128.fromString('1.5'),
      sub: { i: 7 },
    });
    await c.updateOne({ _id: n as never }, { $inc: { i: new Double(1), d: 1, l: 1, dec: 1, 'sub.i': 1 } });
    const [r] = await c
      .aggregate([
        { $match: { _id: n } },
        {
          $project: {
            _id: 0,
            i: { $type: '$i' },
            d: { $type: '$d' },
            l: { $type: '$l' },
            dec: { $type: '$dec' },
            sub: { $type: '$sub.i' },
          },
        },
      ])
      .toArray();
    expect(r).toEqual({ i: 'double', d: 'double', l: 'long', dec: 'decimal', sub: 'int' });
    const doc = await c.findOne({ _id: n as never }, { promoteValues: false });
    expect((doc?.i as Double).value).toBe(2);
    expect((doc?.d as Double).value).toBe(3);
    expect(String(doc?.l)).toBe('6');
    expect(String(doc?.dec)).toBe('2.5');
    expect((doc?.sub as { i: { value: number } }).i.value).toBe(8);
  });

  // https://www.mongodb.com/docs/manual/reference/operator/update/inc/#behavior
  // https://www.mongodb.com/docs/manual/reference/operator/update/mul/#behavior
  it('$inc and $mul on a missing field create it with the type of their argument', async () => {
    n += 1;
    await c.insertOne({ _id: n as never });
    await c.updateOne(
      { _id: n as never },
      { $inc: { l: Long.fromNumber(3), 'x.d': new Double(2) }, $mul: { m: new Double(2) } },
    );
    const [r] = await c
      .aggregate([
        { $match: { _id: n } },
        { $project: { _id: 0, l: { $type: '$l' }, d: { $type: '$x.d' }, m: { $type: '$m' } } },
      ])
      .toArray();
    expect(r).toEqual({ l: 'long', d: 'double', m: 'double' });
    expect(await c.findOne({ _id: n as never }, { projection: { _id: 0 } })).toEqual({ l: 3, x: { d: 2 }, m: 0 });
  });
});

describe('update array operators', () => {
  // https://www.mongodb.com/docs/manual/reference/operator/update/push/
  it('$push appends one value and creates the array when missing', async () => {
    expect(await apply({ a: [1] }, { $push: { a: 2, b: 'x' } })).toEqual({ a: [1, 2], b: ['x'] });
  });

  // https://www.mongodb.com/docs/manual/reference/operator/update/each/
  it('$push with $each appends every value, in order', async () => {
    expect(await apply({ a: [1] }, { $push: { a: { $each: [2, 3] } } })).toEqual({ a: [1, 2, 3] });
  });

  // https://www.mongodb.com/docs/manual/reference/operator/update/sort/
  // https://www.mongodb.com/docs/manual/reference/operator/update/slice/
  it('$push with $each, $sort and $slice keeps the top elements sorted by a field', async () => {
    const doc = await apply(
      { s: [{ v: 5 }, { v: 9 }] },
      { $push: { s: { $each: [{ v: 8 }, { v: 3 }], $sort: { v: -1 }, $slice: 3 } } },
    );
    expect(doc).toEqual({ s: [{ v: 9 }, { v: 8 }, { v: 5 }] });
  });

  // https://www.mongodb.com/docs/manual/reference/operator/update/slice/
  it('$push with a negative $slice keeps the last elements', async () => {
    expect(await apply({ a: [1, 2, 3] }, { $push: { a: { $each: [4, 5], $slice: -3 } } })).toEqual({ a: [3, 4, 5] });
  });

  // https://www.mongodb.com/docs/manual/reference/operator/update/position/
  it('$push with $position inserts at that index', async () => {
    expect(await apply({ a: [1, 2, 3] }, { $push: { a: { $each: [9, 8], $position: 1 } } })).toEqual({
      a: [1, 9, 8, 2, 3],
    });
  });

  // https://www.mongodb.com/docs/manual/reference/operator/update/addToSet/
  it('$addToSet adds only values that are not already present, including with $each', async () => {
    const doc = await apply({ a: [1, 2], t: [{ k: 1 }] }, { $addToSet: { a: { $each: [2, 3, 3, 4] }, t: { k: 1 } } });
    expect(doc).toEqual({ a: [1, 2, 3, 4], t: [{ k: 1 }] });
  });

  // https://www.mongodb.com/docs/manual/reference/operator/update/pull/
  it('$pull removes values matching a condition and documents matching a query', async () => {
    const doc = await apply(
      {
        a: [1, 5, 7, 3],
        items: [
          { sku: 'x', q: 1 },
          { sku: 'y', q: 2 },
          { sku: 'x', q: 3 },
        ],
      },
      { $pull: { a: { $gte: 5 }, items: { sku: 'x' } } },
    );
    expect(doc).toEqual({ a: [1, 3], items: [{ sku: 'y', q: 2 }] });
  });

  // https://www.mongodb.com/docs/manual/reference/operator/update/pullAll/
  it('$pullAll removes every occurrence of the listed values', async () => {
    expect(await apply({ a: [1, 2, 3, 1, 4] }, { $pullAll: { a: [1, 3] } })).toEqual({ a: [2, 4] });
  });

  // https://www.mongodb.com/docs/manual/reference/operator/update/pop/
  it('$pop removes the last element with 1 and the first with -1', async () => {
    expect(await apply({ a: [1, 2, 3], b: [1, 2, 3] }, { $pop: { a: 1, b: -1 } })).toEqual({ a: [1, 2], b: [2, 3] });
  });

  // https://www.mongodb.com/docs/manual/reference/operator/update/positional/
  it('positional $ updates the first array element matched by the filter', async () => {
    n += 1;
    await c.insertOne({
      _id: n as never,
      grades: [95, 92, 90, 92],
      items: [
        { sku: 'x', q: 1 },
        { sku: 'y', q: 1 },
      ],
    });
    await c.updateOne({ _id: n as never, grades: 92 }, { $set: { 'grades.$': 82 } });
    await c.updateOne({ _id: n as never, 'items.sku': 'y' }, { $inc: { 'items.$.q': 5 } });
    expect(await c.findOne({ _id: n as never }, { projection: { _id: 0 } })).toEqual({
      grades: [95, 82, 90, 92],
      items: [
        { sku: 'x', q: 1 },
        { sku: 'y', q: 6 },
      ],
    });
  });

  // https://www.mongodb.com/docs/manual/reference/operator/update/positional-filtered/
  it('arrayFilters update every element that matches the named identifier', async () => {
    const doc = await apply(
      {
        grades: [95, 92, 90],
        items: [
          { sku: 'x', q: 1 },
          { sku: 'y', q: 1 },
          { sku: 'x', q: 2 },
        ],
      },
      { $set: { 'grades.$[g]': 100 }, $inc: { 'items.$[it].q': 10 } },
      { arrayFilters: [{ g: { $gte: 92 } }, { 'it.sku': 'x' }] },
    );
    expect(doc).toEqual({
      grades: [100, 100, 90],
      items: [
        { sku: 'x', q: 11 },
        { sku: 'y', q: 1 },
        { sku: 'x', q: 12 },
      ],
    });
  });

  // https://www.mongodb.com/docs/manual/reference/operator/update/positional-all/
  it('all-positional $[] updates every element', async () => {
    expect(await apply({ a: [1, 2, 3] }, { $inc: { 'a.$[]': 10 } })).toEqual({ a: [11, 12, 13] });
  });

  // https://www.mongodb.com/docs/manual/reference/operator/update/push/#behavior
  it('$push onto a dotted path creates the missing embedded document and array', async () => {
    expect(await apply({ a: 1 }, { $push: { 'order.log': 'v', 'order.more': { $each: ['x', 'y'] } } })).toEqual({
      a: 1,
      order: { log: ['v'], more: ['x', 'y'] },
    });
  });

  // https://www.mongodb.com/docs/manual/reference/operator/update/push/#behavior
  it('$push appends onto an array inside an embedded document and leaves its siblings alone', async () => {
    const doc = await apply(
      { s: { n: 1, log: [{ at: 1 }] }, t: [1] },
      { $push: { 's.log': { at: 2, by: { who: 'x' } } } },
    );
    expect(doc).toEqual({ s: { n: 1, log: [{ at: 1 }, { at: 2, by: { who: 'x' } }] }, t: [1] });
  });

  // https://www.mongodb.com/docs/manual/reference/operator/update/push/#behavior
  it('$push refuses a field that is not an array with code 2', async () => {
    n += 1;
    await c.insertOne({ _id: n as never, a: 5, s: { t: 'x' } });
    for (const update of [{ $push: { a: 1 } }, { $push: { 's.t': { $each: [1] } } }] as Document[]) {
      const e = await serverError(c.updateOne({ _id: n as never }, update));
      expect(e.code).toBe(2);
      expect(e.message).toMatch(/must be an array/);
    }
    expect(await c.findOne({ _id: n as never }, { projection: { _id: 0 } })).toEqual({ a: 5, s: { t: 'x' } });
  });

  // https://www.mongodb.com/docs/manual/reference/operator/update/each/
  it('$push with $each keeps the BSON type of every value', async () => {
    n += 1;
    await c.insertOne({ _id: n as never, a: [1] });
    await c.updateOne({ _id: n as never }, {
      $push: { a: { $each: [new Double(2), Long.fromNumber(3), Decimal128.fromString('4.0')] } },
    } as Document);
    const doc = await c.findOne({ _id: n as never }, { promoteValues: false });
    const a = doc?.a as unknown[];
    expect(a.map((v) => (v as { _bsontype?: string })._bsontype)).toEqual(['Int32', 'Double', 'Long', 'Decimal128']);
    expect(a.map(String)).toEqual(['1', '2', '3', '4.0']);
  });
});
