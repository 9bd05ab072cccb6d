import { Binary, Collection, Decimal128, Double, Int32, Long, ObjectId } from 'mongodb';
import { openTestDatabase, TestDatabase } from '../support/test-database';

let t: TestDatabase;
let c: Collection;
const oid = new ObjectId();
const when = new Date('2024-02-29T23:59:59.123Z');
const bigLong = Long.fromString('9007199254740993');
beforeAll(async () => {
  t = await openTestDatabase();
  c = t.db.collection('types');
  await c.insertOne({
    _id: oid,
    date: when,
    long: bigLong,
    int: new Int32(7),
    dbl: new Double(1.5),
    dblWhole: new Double(2),
    dec: Decimal128.fromString('1234.5678901234567890'),
    bin: new Binary(Buffer.from([0, 1, 2, 255])),
    nested: [[1, [2, 3]], { a: [{ b: null }] }],
    nul: null,
    text: 'Cédula ñ',
    emoji: '🚀👍🏽',
    bool: true,
  });
});
afterAll(async () => {
  await t?.close();
});

describe('BSON data types', () => {
  // https://www.mongodb.com/docs/manual/reference/bson-types/
  it('stores each value with its BSON type, including a double holding a whole number', async () => {
    const fields = [
      '_id',
      'date',
      'long',
      'int',
      'dbl',
      'dblWhole',
      'dec',
      'bin',
      'nested',
      'nul',
      'text',
      'bool',
      'absent',
    ];
    const [types] = await c
      .aggregate([{ $project: Object.fromEntries(fields.map((f) => [`t_${f}`, { $type: `$${f}` }])) }])
      .toArray();
    expect(types).toEqual({
      _id: oid,
      t__id: 'objectId',
      t_date: 'date',
      t_long: 'long',
      t_int: 'int',
      t_dbl: 'double',
      t_dblWhole: 'double',
      t_dec: 'decimal',
      t_bin: 'binData',
      t_nested: 'array',
      t_nul: 'null',
      t_text: 'string',
      t_bool: 'bool',
      t_absent: 'missing',
    });
  });

  // https://www.mongodb.com/docs/manual/reference/bson-types/
  it('returns every value unchanged when read back without type promotion', async () => {
    const d = await c.findOne({ _id: oid }, { promoteValues: false, promoteLongs: false });
    expect((d?._id as ObjectId).equals(oid)).toBe(true);
    expect(d?.date).toEqual(when);
    expect(d?.long).toBeInstanceOf(Long);
    expect((d?.long as Long).toString()).toBe('9007199254740993');
    expect(d?.int).toBeInstanceOf(Int32);
    expect((d?.int as Int32).value).toBe(7);
    expect(d?.dbl).toBeInstanceOf(Double);
    expect(d?.dblWhole).toBeInstanceOf(Double);
    expect((d?.dec as Decimal128).toString()).toBe('1234.5678901234567890');
    expect(Buffer.from((d?.bin as Binary).buffer)).toEqual(Buffer.from([0, 1, 2, 255]));
    expect(d?.text).toBe('Cédula ñ');
    expect(d?.emoji).toBe('🚀👍🏽');
    expect(d?.bool).toBe(true);
  });

  // https://www.mongodb.com/docs/manual/core/document/#embedded-documents
  it('round-trips nested arrays and null inside embedded documents exactly', async () => {
    expect((await c.findOne({ _id: oid }))?.nested).toEqual([[1, [2, 3]], { a: [{ b: null }] }]);
  });

  // https://www.mongodb.com/docs/manual/reference/method/NumberLong/
  it('matches a 64-bit integer beyond double precision exactly', async () => {
    expect(await c.countDocuments({ long: bigLong })).toBe(1);
    expect(await c.countDocuments({ long: Long.fromString('9007199254740992') })).toBe(0);
  });

  // https://www.mongodb.com/docs/manual/reference/bson-type-comparison-order/#numeric-types
  it('compares Decimal128 with other numbers by numeric value', async () => {
    const nums = t.db.collection('decimals');
    await nums.insertMany([
      { _id: 'ten', v: Decimal128.fromString('10') },
      { _id: 'nine-half', v: Decimal128.fromString('9.5') },
      { _id: 'nine', v: 9 },
    ] as never[]);
    expect((await nums.find().sort({ v: 1 }).toArray()).map((d) => d._id)).toEqual(['nine', 'nine-half', 'ten']);
    expect((await nums.find({ v: { $gt: 9.75 } }).toArray()).map((d) => d._id)).toEqual(['ten']);
    expect(await c.countDocuments({ dec: { $gt: 1234, $lt: 1235 } })).toBe(1);
  });

  // https://www.mongodb.com/docs/manual/reference/bson-type-comparison-order/#numeric-types
  it('compares 64-bit integers beyond 2^53 exactly in filters and sorts', async () => {
    const big = t.db.collection('bigints');
    await big.insertMany([
      { _id: 'l993', v: Long.fromString('9007199254740993') },
      { _id: 'd992', v: new Double(9007199254740992) },
      { _id: 'l992', v: Long.fromString('9007199254740992') },
      { _id: 'l995', v: Long.fromString('9007199254740995') },
    ] as never[]);
    const above = await big
      .find({ v: { $gt: Long.fromString('9007199254740992') } })
      .sort({ _id: 1 })
      .toArray();
    expect(above.map((d) => d._id)).toEqual(['l993', 'l995']);
    expect((await big.find().sort({ v: -1, _id: 1 }).toArray()).map((d) => d._id)).toEqual([
      'l995',
      'l993',
      'd992',
      'l992',
    ]);
    expect(await big.countDocuments({ v: new Double(9007199254740992) })).toBe(2);
  });

  // https://www.mongodb.com/docs/manual/tutorial/query-for-null-fields/
  it('tells null from missing with $exists and $type, while a null equality matches both', async () => {
    const nm = t.db.collection('nullmissing');
    await nm.insertMany([{ _id: 'null', x: null }, { _id: 'missing' }] as never[]);
    expect((await nm.find({ x: null }).sort({ _id: 1 }).toArray()).map((d) => d._id)).toEqual(['missing', 'null']);
    expect((await nm.find({ x: { $exists: false } }).toArray()).map((d) => d._id)).toEqual(['missing']);
    expect((await nm.find({ x: { $type: 'null' } }).toArray()).map((d) => d._id)).toEqual(['null']);
    expect(await nm.findOne({ _id: 'missing' as never }, { projection: { x: 1 } })).toEqual({ _id: 'missing' });
  });
});

describe('type conversion in expressions', () => {
  // https://www.mongodb.com/docs/manual/reference/operator/aggregation/toString/
  // https://www.mongodb.com/docs/manual/reference/operator/aggregation/toLong/
  it('converts 64-bit integers, decimals, ObjectIds and dates to strings and back without losing digits', async () => {
    const [r] = await c
      .aggregate([
        {
          $project: {
            _id: 0,
            long: { $toString: '$long' },
            dec: { $toString: '$dec' },
            id: { $toString: '$_id' },
            date: { $toString: '$date' },
            back: { $toString: { $toLong: { $toString: '$long' } } },
            sum: { $toString: { $add: ['$long', 1] } },
          },
        },
      ])
      .toArray();
    expect(r).toEqual({
      long: '9007199254740993',
      dec: '1234.5678901234567890',
      id: oid.toHexString(),
      date: '2024-02-29T23:59:59.123Z',
      back: '9007199254740993',
      sum: '9007199254740994',
    });
  });
});

describe('UTF-8 strings', () => {
  // https://www.mongodb.com/docs/manual/reference/operator/aggregation/strLenCP/
  // https://www.mongodb.com/docs/manual/reference/operator/aggregation/strLenBytes/
  it('stores Spanish text and emoji as UTF-8 and counts code points and bytes accordingly', async () => {
    const [r] = await c
      .aggregate([
        {
          $project: {
            _id: 0,
            cp: { $strLenCP: '$text' },
            bytes: { $strLenBytes: '$text' },
            ecp: { $strLenCP: '$emoji' },
            ebytes: { $strLenBytes: '$emoji' },
          },
        },
      ])
      .toArray();
    expect(r).toEqual({ cp: 8, bytes: 10, ecp: 3, ebytes: 12 });
  });

  // https://www.mongodb.com/docs/manual/reference/operator/query/regex/
  it('matches accented text by equality and by regular expression', async () => {
    expect(await c.countDocuments({ text: 'Cédula ñ' })).toBe(1);
    expect(await c.countDocuments({ text: /^Céd.*ñ$/ })).toBe(1);
    expect(await c.countDocuments({ text: 'Cedula n' })).toBe(0);
    expect(await c.countDocuments({ emoji: { $regex: '👍' } })).toBe(1);
  });

  // https://www.mongodb.com/docs/manual/reference/bson-type-comparison-order/#strings
  it('sorts strings by simple binary comparison of their UTF-8 bytes', async () => {
    const words = t.db.collection('words');
    await words.insertMany([{ w: 'árbol' }, { w: 'Zeta' }, { w: 'avión' }, { w: 'ñandú' }, { w: 'nube' }]);
    expect((await words.find().sort({ w: 1 }).toArray()).map((d) => d.w)).toEqual([
      'Zeta',
      'avión',
      'nube',
      'árbol',
      'ñandú',
    ]);
  });
});

describe('document size limit', () => {
  const MAX = 16 * 1024 * 1024;

  // https://www.mongodb.com/docs/manual/reference/limits/#mongodb-limit-BSON-Document-Size
  it('accepts and returns a document just under 16 MiB', async () => {
    const big = t.db.collection('big');
    const payload = 'x'.repeat(MAX - 1024);
    await big.insertOne({ _id: 'near' as never, payload });
    const back = await big.findOne({ _id: 'near' as never });
    expect((back?.payload as string).length).toBe(payload.length);
  });

  // https://www.mongodb.com/docs/manual/reference/limits/#mongodb-limit-BSON-Document-Size
  it('refuses a document over 16 MiB and stores nothing', async () => {
    const big = t.db.collection('too-big');
    await big.insertOne({ _id: 'small' as never });
    const error = await big.insertOne({ _id: 'over' as never, payload: 'x'.repeat(MAX + 1024) }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).not.toBeNull();
    expect(await big.countDocuments({ _id: 'over' as never })).toBe(0);
  });
});
