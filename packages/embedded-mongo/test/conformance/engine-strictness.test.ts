import { Collection } from 'mongodb';
import { openTestDatabase, TestDatabase, usingRealMongo } from '../support/test-database';
import { serverError } from './server-error';

/**
 * Behaviour of the embedded engine only: what real MongoDB supports but the engine refuses
 * (loudly, naming the feature) and what it leaves out on purpose. Skipped on a real server.
 */
const describeEngine = usingRealMongo ? describe.skip : describe;

let t: TestDatabase;
let c: Collection;
beforeAll(async () => {
  if (usingRealMongo) return;
  t = await openTestDatabase();
  c = t.db.collection('strict');
  await c.insertMany([
    { _id: 1, a: 1, s: 'uno' },
    { _id: 2, a: 2, s: 'dos' },
  ] as never[]);
});
afterAll(async () => {
  await t?.close();
});

/** The engine's codes for a feature it does not implement: BadValue (2) or a MongoDB "not supported" code. */
const UNSUPPORTED = [2, 115, 238];

describeEngine('embedded engine handshake', () => {
  // https://www.mongodb.com/docs/manual/reference/command/hello/ (topologyVersion switches drivers to streaming)
  it('does not report topologyVersion in hello', async () => {
    const r = await t.db.admin().command({ hello: 1 });
    expect(r.ok).toBe(1);
    expect(r).not.toHaveProperty('topologyVersion');
  });

  // https://www.mongodb.com/docs/manual/reference/error-codes/ (59 CommandNotFound)
  it('refuses an unknown command with code 59 naming it', async () => {
    const e = await serverError(t.db.command({ frobnicateAll: 1 }));
    expect(e.code).toBe(59);
    expect(e.message).toContain('frobnicateAll');
  });
});

describeEngine('embedded engine refusals', () => {
  // https://www.mongodb.com/docs/manual/reference/operator/query/where/
  it('refuses $where naming it instead of running JavaScript', async () => {
    const e = await serverError(c.find({ $where: 'this.a === 1' }).toArray());
    expect(UNSUPPORTED).toContain(e.code);
    expect(e.message).toContain('$where');
  });

  // https://www.mongodb.com/docs/manual/reference/operator/aggregation/function/
  it('refuses $function naming it', async () => {
    const e = await serverError(
      c
        .aggregate([{ $addFields: { x: { $function: { body: 'function(){return 1}', args: [], lang: 'js' } } } }])
        .toArray(),
    );
    expect(UNSUPPORTED).toContain(e.code);
    expect(e.message).toContain('$function');
  });

  // https://www.mongodb.com/docs/manual/reference/operator/query/text/
  it('refuses $text naming it', async () => {
    const e = await serverError(c.find({ $text: { $search: 'uno' } }).toArray());
    expect(e.message).toContain('$text');
  });

  // https://www.mongodb.com/docs/manual/reference/operator/aggregation/out/
  it('refuses $out naming it and writes no collection', async () => {
    const e = await serverError(c.aggregate([{ $match: {} }, { $out: 'copy' }]).toArray());
    expect(UNSUPPORTED).toContain(e.code);
    expect(e.message).toContain('$out');
    expect(await t.db.listCollections({ name: 'copy' }).toArray()).toEqual([]);
  });

  // https://www.mongodb.com/docs/manual/reference/operator/aggregation/merge/
  it('refuses $merge naming it and writes no collection', async () => {
    const e = await serverError(c.aggregate([{ $merge: { into: 'merged' } }]).toArray());
    expect(UNSUPPORTED).toContain(e.code);
    expect(e.message).toContain('$merge');
    expect(await t.db.listCollections({ name: 'merged' }).toArray()).toEqual([]);
  });

  // https://www.mongodb.com/docs/manual/reference/collation/
  it('refuses collation on find, update, delete, aggregate and createIndex naming it', async () => {
    const collation = { locale: 'es', strength: 1 };
    const attempts: Promise<unknown>[] = [
      c.find({ s: 'UNO' }, { collation }).toArray(),
      c.updateOne({ s: 'UNO' }, { $set: { a: 9 } }, { collation }),
      c.deleteOne({ s: 'UNO' }, { collation }),
      c.aggregate([{ $match: { s: 'UNO' } }], { collation }).toArray(),
      c.createIndex({ s: 1 }, { collation }),
    ];
    for (const attempt of attempts) {
      const e = await serverError(attempt);
      expect(UNSUPPORTED).toContain(e.code);
      expect(e.message.toLowerCase()).toContain('collation');
    }
    expect(await c.find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: 1, a: 1, s: 'uno' },
      { _id: 2, a: 2, s: 'dos' },
    ]);
  });

  // https://www.mongodb.com/docs/manual/changeStreams/
  it('refuses a change stream naming it', async () => {
    const stream = c.watch();
    try {
      const e = await serverError(stream.tryNext());
      expect(e.message).toContain('$changeStream');
    } finally {
      await stream.close();
    }
  });
});

/**
 * Less common features: the engine may implement each one or refuse it, but it must never give
 * a result that differs from MongoDB's documented one (for instance by ignoring the operator).
 */
const documentedOrRefused: {
  feature: string;
  doc: string;
  run: (c: Collection) => Promise<unknown>;
  expected: unknown;
}[] = [
  {
    feature: '$bit',
    doc: 'https://www.mongodb.com/docs/manual/reference/operator/update/bit/',
    run: async (x) => {
      await x.updateOne({ _id: 1 as never }, { $bit: { a: { or: 4 } } });
      return (await x.findOne({ _id: 1 as never }))?.a;
    },
    expected: 5,
  },
  {
    feature: '$mod',
    doc: 'https://www.mongodb.com/docs/manual/reference/operator/query/mod/',
    run: async (x) => (await x.find({ a: { $mod: [2, 0] } }).toArray()).map((d) => d._id),
    expected: [2],
  },
  {
    feature: '$bitsAllSet',
    doc: 'https://www.mongodb.com/docs/manual/reference/operator/query/bitsAllSet/',
    run: async (x) => (await x.find({ a: { $bitsAllSet: [1] } }).toArray()).map((d) => d._id),
    expected: [2],
  },
  {
    feature: '$jsonSchema',
    doc: 'https://www.mongodb.com/docs/manual/reference/operator/query/jsonSchema/',
    run: async (x) =>
      (
        await x.find({ $jsonSchema: { required: ['s'], properties: { a: { bsonType: 'int', minimum: 2 } } } }).toArray()
      ).map((d) => d._id),
    expected: [2],
  },
  {
    feature: '$sortArray',
    doc: 'https://www.mongodb.com/docs/manual/reference/operator/aggregation/sortArray/',
    run: async (x) =>
      (
        await x
          .aggregate([
            { $match: { _id: 1 } },
            { $project: { _id: 0, s: { $sortArray: { input: [3, 1, 2], sortBy: -1 } } } },
          ])
          .toArray()
      )[0],
    expected: { s: [3, 2, 1] },
  },
  {
    feature: '$unionWith',
    doc: 'https://www.mongodb.com/docs/manual/reference/operator/aggregation/unionWith/',
    run: async (x) =>
      (
        await x
          .aggregate([
            { $project: { _id: 1 } },
            { $unionWith: { coll: x.collectionName, pipeline: [{ $project: { _id: 1 } }] } },
          ])
          .toArray()
      ).length,
    expected: 4,
  },
  {
    feature: '$setWindowFields',
    doc: 'https://www.mongodb.com/docs/manual/reference/operator/aggregation/setWindowFields/',
    run: async (x) =>
      await x
        .aggregate([
          {
            $setWindowFields: {
              sortBy: { _id: 1 },
              output: { run: { $sum: '$a', window: { documents: ['unbounded', 'current'] } } },
            },
          },
          { $project: { run: 1 } },
        ])
        .toArray(),
    expected: [
      { _id: 1, run: 1 },
      { _id: 2, run: 3 },
    ],
  },
];

describeEngine('embedded engine less common features', () => {
  it.each(documentedOrRefused)(
    '$feature gives the documented result or is refused naming it',
    async ({ feature, run, expected }) => {
      const x = t.db.collection(`rare_${feature.slice(1)}`);
      await x.insertMany([
        { _id: 1, a: 1, s: 'uno' },
        { _id: 2, a: 2, s: 'dos' },
      ] as never[]);
      let outcome: unknown;
      try {
        outcome = await run(x);
      } catch (error) {
        expect((error as Error).message).toContain(feature);
        return;
      }
      expect(outcome).toEqual(expected);
    },
  );
});
