import { Decimal128, Document, Double, Long, ObjectId, serialize } from 'bson';
import { tempEngine } from './temp-store';
import { Dispatcher } from '../../src/dispatch';
import { Engine } from '../../src/engine';
import { OpContext } from '../../src/context';
import { sameDocument, updateDocument } from '../../src/update-doc';
import { copyTyped } from '../../src/values';
import { itemAt } from '../support/checked';

function code(fn: () => unknown): { code?: number; message?: string } | undefined {
  try {
    fn();
  } catch (err) {
    return { code: (err as { code?: number }).code, message: (err as Error).message };
  }
  return undefined;
}

const bytes = (doc: Document): string => Buffer.from(serialize(doc)).toString('hex');

/** An order as the service stores it: a long history next to small fields. */
function order(): Document {
  return {
    _id: new ObjectId('0123456789abcdef01234567'),
    status: 'open',
    version: 3,
    requester: { personId: 'p1', name: 'Luz' },
    totals: { n: 1, d: new Double(2), l: Long.fromString('9007199254740993'), dec: Decimal128.fromString('1.50') },
    history: Array.from({ length: 50 }, (_, i) => ({
      at: new Date(1_700_000_000_000 + i),
      by: 'a',
      note: `entry ${i}`,
    })),
    outbox: [],
  };
}

describe('update fast path: typing', () => {
  it('keeps $inc exact for int32, int64, whole doubles and Decimal128', () => {
    const { doc } = updateDocument(order(), {
      $inc: { version: 1, 'totals.n': 2, 'totals.d': 1, 'totals.l': 1, 'totals.dec': Decimal128.fromString('0.25') },
    });
    expect(doc.version).toBe(4);
    expect(doc.totals.n).toBe(3);
    expect(doc.totals.d).toBeInstanceOf(Double);
    expect((doc.totals.d as Double).value).toBe(3);
    expect(doc.totals.l).toBeInstanceOf(Long);
    expect(String(doc.totals.l)).toBe('9007199254740994');
    expect(doc.totals.dec).toBeInstanceOf(Decimal128);
    expect(String(doc.totals.dec)).toBe('1.75');
  });

  it('widens an int32 past its range to int64 and an int with a double to a double', () => {
    const { doc } = updateDocument({ _id: 1, i: 2147483647, j: 1 }, { $inc: { i: 1, j: new Double(1) } });
    expect(doc.i).toBeInstanceOf(Long);
    expect(String(doc.i)).toBe('2147483648');
    expect(doc.j).toBeInstanceOf(Double);
    expect((doc.j as Double).value).toBe(2);
  });

  it('creates a missing field with the increment, or with a zero of the multiplier type for $mul', () => {
    const { doc } = updateDocument(
      { _id: 1 },
      { $inc: { a: Long.fromNumber(3), 'b.c': new Double(2) }, $mul: { m: Decimal128.fromString('2') } },
    );
    expect(doc.a).toBeInstanceOf(Long);
    expect(doc.b.c).toBeInstanceOf(Double);
    expect(doc.m).toBeInstanceOf(Decimal128);
    expect(String(doc.m)).toBe('0');
  });

  it('retypes a number written by $set over a whole double as a double, as the mingo path does', () => {
    const { doc, changed } = updateDocument({ _id: 1, d: new Double(1), e: new Double(1) }, { $set: { d: 1, e: 2 } });
    expect(doc.d).toBeInstanceOf(Double);
    expect(doc.e).toBeInstanceOf(Double);
    expect((doc.e as Double).value).toBe(2);
    expect(changed).toBe(true);
  });
});

describe('update fast path: $push', () => {
  it('appends to an existing array, also through embedded documents', () => {
    const { doc } = updateDocument({ _id: 1, a: [1], s: { log: ['x'] } }, { $push: { a: 2, 's.log': 'y' } });
    expect(doc).toEqual({ _id: 1, a: [1, 2], s: { log: ['x', 'y'] } });
  });

  it('creates the array and its parents when the field is missing', () => {
    const { doc, changed } = updateDocument(
      { _id: 1 },
      { $push: { a: 1, 'x.y': { $each: [1, 2] }, e: { $each: [] } } },
    );
    expect(doc).toEqual({ _id: 1, a: [1], x: { y: [1, 2] }, e: [] });
    expect(changed).toBe(true);
  });

  it('appends every $each value in order and keeps their BSON types', () => {
    const { doc } = updateDocument(
      { _id: 1, a: [1] },
      { $push: { a: { $each: [new Double(2), Long.fromNumber(3), { v: new Double(4) }] } } },
    );
    expect(doc.a[1]).toBeInstanceOf(Double);
    expect(doc.a[2]).toBeInstanceOf(Long);
    expect(doc.a[3].v).toBeInstanceOf(Double);
  });

  it('refuses a field that is not an array with code 2 and the same message as before', () => {
    expect(code(() => updateDocument({ _id: 1, a: 5 }, { $push: { a: 1 } }))).toEqual({
      code: 2,
      message: "The field 'a' must be an array but is of type number in document {_id: 1}",
    });
    expect(code(() => updateDocument({ _id: 1, s: { t: 'x' } }, { $push: { 's.t': 1 } }))?.code).toBe(2);
    expect(code(() => updateDocument({ _id: 1, n: null }, { $push: { n: { $each: [1] } } }))?.code).toBe(2);
  });

  it('reports no change for $each [] onto an existing array', () => {
    const doc = { _id: 1, a: [1] };
    expect(updateDocument(doc, { $push: { a: { $each: [] } } })).toEqual({ doc, changed: false });
  });
});

describe('update fast path: change detection', () => {
  const cases: Array<[string, Document, Document]> = [
    ['$set of an equal value', { _id: 1, a: 'x', n: 5 }, { $set: { a: 'x', n: 5 } }],
    ['$set of an equal embedded document', { _id: 1, s: { a: [1, { b: 2 }] } }, { $set: { s: { a: [1, { b: 2 }] } } }],
    ['$set of an int over the same whole double', { _id: 1, d: new Double(1) }, { $set: { d: 1 } }],
    ['$set of an equal nested value', { _id: 1, s: { t: { u: 'v' } } }, { $set: { 's.t.u': 'v' } }],
    ['$unset of a missing field', { _id: 1, a: { k: 1 } }, { $unset: { b: '', 'a.c': '', 'x.y': '' } }],
    ['$inc by zero', { _id: 1, n: 5 }, { $inc: { n: 0 } }],
    ['$mul by one', { _id: 1, n: 5 }, { $mul: { n: 1 } }],
  ];
  it.each(cases)('reports no change for %s and returns the stored document itself', (_, doc, u) => {
    const r = updateDocument(doc, u);
    expect(r.changed).toBe(false);
    expect(r.doc).toBe(doc);
  });

  const changes: Array<[string, Document, Document]> = [
    ['$set of a double over an int', { _id: 1, a: 1 }, { $set: { a: new Double(1) } }],
    [
      '$set of a decimal with another exponent',
      { _id: 1, a: Decimal128.fromString('1.5') },
      { $set: { a: Decimal128.fromString('1.50') } },
    ],
    ['$set of embedded fields in another order', { _id: 1, s: { a: 1, b: 2 } }, { $set: { s: { b: 2, a: 1 } } }],
    ['$set of null over a missing field', { _id: 1 }, { $set: { a: null } }],
    ['$unset of an existing field', { _id: 1, a: 1 }, { $unset: { a: '' } }],
    ['$inc by a double zero on an int', { _id: 1, n: 5 }, { $inc: { n: new Double(0) } }],
    ['$push of one value', { _id: 1, a: [] }, { $push: { a: 1 } }],
  ];
  it.each(changes)('reports a change for %s, agreeing with a full comparison', (_, doc, u) => {
    const r = updateDocument(doc, u);
    expect(r.changed).toBe(true);
    expect(sameDocument(doc, r.doc)).toBe(false);
  });
});

describe('update fast path: structural sharing', () => {
  it('copies only the containers on modified paths and never touches the old version', () => {
    const doc = order();
    const before = bytes(doc);
    const { doc: next } = updateDocument(doc, {
      $set: { status: 'closed', 'requester.name': 'Sol' },
      $inc: { 'totals.l': 1 },
      $push: { history: { at: new Date(0), by: 'b' } },
    });
    expect(bytes(doc)).toBe(before);
    expect(next).not.toBe(doc);
    expect(next.requester).not.toBe(doc.requester);
    expect(next.totals).not.toBe(doc.totals);
    expect(next.history).not.toBe(doc.history);
    expect(next.history).toHaveLength(51);
    expect(next.history[0]).toBe(doc.history[0]);
    expect(next.outbox).toBe(doc.outbox);
    expect(doc.history).toHaveLength(50);
    expect(doc.requester.name).toBe('Luz');
  });

  it('copies a container shared by two paths once', () => {
    const doc = { _id: 1, s: { a: 1, b: 2, log: [] as unknown[] } };
    const { doc: next } = updateDocument(doc, { $set: { 's.a': 5 }, $inc: { 's.b': 1 }, $push: { 's.log': 'x' } });
    expect(next).toEqual({ _id: 1, s: { a: 5, b: 3, log: ['x'] } });
    expect(doc).toEqual({ _id: 1, s: { a: 1, b: 2, log: [] } });
  });

  it('keeps a previous image intact through later updates of the same subtree', () => {
    const v1 = order();
    const v2 = updateDocument(v1, { $push: { history: { n: 1 } }, $set: { 'requester.name': 'A' } }).doc;
    const frozen = bytes(v2);
    const v3 = updateDocument(v2, { $push: { history: { n: 2 } }, $set: { 'requester.name': 'B' } }).doc;
    expect(bytes(v2)).toBe(frozen);
    expect(v2.history).toHaveLength(51);
    expect(v3.history).toHaveLength(52);
    expect(v3.history[50]).toBe(v2.history[50]);
  });

  it('produces the same image as the mingo path for the operators both handle', () => {
    const docs: Document[] = [order(), { _id: 2, a: [1, { b: 2 }], s: { t: null, u: { v: 'w' } }, n: 1.5 }, { _id: 3 }];
    const updates: Document[] = [
      { $set: { status: 'x', 'requester.extra': { k: [1, 2] } }, $push: { history: { at: new Date(5), note: 'n' } } },
      { $push: { a: { $each: [3, { c: 4 }] }, 's.t': 1, 'new.list': 'z' }, $unset: { 's.u.v': '' } },
      { $set: { 's.u': { v: 'w' } }, $unset: { nothing: 1 }, $push: { outbox: { $each: [{ kind: 'mail' }] } } },
      { $inc: { n: 2 }, $set: { 'deep.er.est': true } },
    ];
    for (const doc of docs) {
      for (const u of updates) {
        let viaMingo: Document | undefined;
        let fast: Document | undefined;
        let fastChanged: boolean | undefined;
        const mingoError = code(() => {
          viaMingo = updateDocument(copyTyped(doc), u, { arrayFilters: [] }).doc;
        });
        const fastError = code(() => {
          ({ doc: fast, changed: fastChanged } = updateDocument(doc, u));
        });
        expect(fastError).toEqual(mingoError);
        if (fast === undefined || viaMingo === undefined) continue;
        expect(bytes(fast)).toBe(bytes(viaMingo));
        expect(fastChanged).toBe(!sameDocument(doc, viaMingo));
      }
    }
  });
});

describe('structural sharing seen through the engine', () => {
  const server = { host: '127.0.0.1', port: 0, replicaSetName: 'rs0', startedAt: new Date() };

  function setup(): { engine: Engine; run: (cmd: Document) => Document } {
    const engine = tempEngine();
    const dispatcher = new Dispatcher(engine, server);
    new OpContext(engine, 'd').insert('c', { _id: 1, s: { v: 1, log: ['a'] }, other: { k: 1 } });
    new OpContext(engine, 'd').insert('c', { _id: 2, s: { v: 1, log: ['a'] } });
    return { engine, run: (cmd) => dispatcher.handle('d', cmd, 1) };
  }

  const update = { update: 'c', updates: [{ q: {}, u: { $set: { 's.v': 2 }, $push: { 's.log': 'b' } }, multi: true }] };

  it('leaves a document read before an update as it was', () => {
    const { engine, run } = setup();
    const before = itemAt(new OpContext(engine, 'd').find('c', { _id: 1 }), 0);
    expect(run(update)).toMatchObject({ n: 2, nModified: 2, ok: 1 });
    expect(before).toEqual({ _id: 1, s: { v: 1, log: ['a'] }, other: { k: 1 } });
    const after = itemAt(new OpContext(engine, 'd').find('c', { _id: 1 }), 0);
    expect(after).toEqual({ _id: 1, s: { v: 2, log: ['a', 'b'] }, other: { k: 1 } });
    expect(after.other).toBe(before.other);
  });

  it('keeps a transaction snapshot on the old nested values', () => {
    const { engine, run } = setup();
    const txn = engine.beginTransaction('s1', 1);
    run(update);
    expect(new OpContext(engine, 'd', txn).find('c', { _id: 1 })).toEqual([
      { _id: 1, s: { v: 1, log: ['a'] }, other: { k: 1 } },
    ]);
    expect(new OpContext(engine, 'd').find('c', { _id: 1 })).toEqual([
      { _id: 1, s: { v: 2, log: ['a', 'b'] }, other: { k: 1 } },
    ]);
  });

  it('hands out cursor batches as they were when the cursor opened', () => {
    const { run } = setup();
    const opened = run({ find: 'c', filter: {}, sort: { _id: 1 }, batchSize: 1 });
    run(update);
    const more = run({ getMore: opened.cursor.id, collection: 'c' });
    expect(more.cursor.nextBatch).toEqual([{ _id: 2, s: { v: 1, log: ['a'] } }]);
  });

  it('hands out aggregate batches over stored views as they were when the cursor opened', () => {
    const { run } = setup();
    const opened = run({ aggregate: 'c', pipeline: [{ $match: {} }, { $sort: { _id: 1 } }], cursor: { batchSize: 1 } });
    run(update);
    const more = run({ getMore: opened.cursor.id, collection: 'c' });
    expect(more.cursor.nextBatch).toEqual([{ _id: 2, s: { v: 1, log: ['a'] } }]);
  });

  it('does not let a projection of embedded fields change the stored document', () => {
    const { engine, run } = setup();
    expect(run({ find: 'c', filter: { _id: 1 }, projection: { 's.v': 0 } }).cursor.firstBatch).toEqual([
      { _id: 1, s: { log: ['a'] }, other: { k: 1 } },
    ]);
    expect(new OpContext(engine, 'd').find('c', { _id: 1 })).toEqual([
      { _id: 1, s: { v: 1, log: ['a'] }, other: { k: 1 } },
    ]);
  });
});
