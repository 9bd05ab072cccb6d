import { Document, Double, Long } from 'bson';
import { Collection } from '../../src/collection';
import { tempCollection, tempEngine } from './temp-store';
import { OpContext } from '../../src/context';
import { sortDocuments } from '../../src/compare';
import { idKey } from '../../src/keys';
import { compileFilter } from '../../src/matcher';
import { plan } from '../../src/planner';
import { itemAt } from '../support/checked';

/**
 * The planner may only change how documents are found, never which: for every filter the
 * candidates must contain every document a full scan matches, and the documents the plan yields
 * (filtered unless exact) must be exactly the full scan's. Documents and filters are random,
 * from a fixed seed, over values that stress index keys: arrays, empty arrays, null and missing,
 * numbers of several BSON types, strings spelling numbers, dates and embedded documents.
 */

/** Small deterministic PRNG (mulberry32), so a failure can be replayed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MISSING = Symbol('missing');

const SCALARS: unknown[] = [
  0,
  1,
  2,
  3,
  -0,
  1.5,
  'a',
  'b',
  '1',
  '',
  true,
  false,
  null,
  new Date(0),
  new Date(1000),
  Long.fromNumber(2),
  new Double(3),
];
const QUERY_SCALARS: unknown[] = [
  0,
  1,
  2,
  3,
  1.5,
  'a',
  'b',
  '1',
  true,
  false,
  null,
  new Date(0),
  new Date(1000),
  Long.fromNumber(1),
  new Double(2),
  'zz',
  99,
];

function makeRandom(seed: number) {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => itemAt(xs, Math.floor(rnd() * xs.length));
  const scalar = () => pick(SCALARS);
  const anyValue = (): unknown => {
    const r = rnd();
    if (r < 0.12) return MISSING;
    if (r < 0.7) return scalar();
    if (r < 0.8) return Array.from({ length: Math.floor(rnd() * 4) }, scalar);
    if (r < 0.85) return [];
    if (r < 0.9) return [null, scalar()];
    if (r < 0.95) return { x: scalar() };
    return [[scalar()]];
  };
  // Values for the dotted path `n.x`. An array nested in an array at `n.x` is left out: mingo
  // matches `{'n.x': 0}` against `{n: {x: [[0]]}}`, MongoDB and its indexes do not.
  const nested = (): unknown => {
    const r = rnd();
    if (r < 0.15) return MISSING;
    if (r < 0.25) return null;
    if (r < 0.3) return scalar();
    if (r < 0.55) return { x: scalar() };
    if (r < 0.65) return { x: [scalar(), scalar()] };
    if (r < 0.75) return {};
    if (r < 0.85) return [{ x: scalar() }, { x: scalar() }];
    if (r < 0.95) return [{ x: scalar() }, { y: 1 }];
    if (r < 0.97) return [scalar(), { x: scalar() }];
    return pick([[[{ x: scalar() }]], [{ x: [null] }], [[null]]]);
  };
  const doc = (id: number): Document => {
    const d: Document = { _id: id };
    const fields: [string, unknown][] = [
      ['a', anyValue()],
      ['b', rnd() < 0.15 ? MISSING : scalar()],
      ['c', anyValue()],
      ['n', nested()],
      ['d', scalar()],
    ];
    for (const [f, v] of fields) if (v !== MISSING) d[f] = v;
    return d;
  };

  const q = () => pick(QUERY_SCALARS);
  const inList = () => ({ $in: Array.from({ length: Math.floor(rnd() * 4) }, q) });
  const range = () =>
    rnd() < 0.6
      ? { [pick(['$gt', '$gte', '$lt', '$lte'])]: q() }
      : { [pick(['$gt', '$gte'])]: q(), [pick(['$lt', '$lte'])]: q() };
  const field = () => pick(['a', 'b', 'c', 'n.x', 'd', '_id']);
  const condition = (f: string): unknown => {
    const r = rnd();
    if (f === '_id')
      return r < 0.5 ? Math.floor(rnd() * 400) : { $in: [Math.floor(rnd() * 400), Math.floor(rnd() * 400)] };
    if (r < 0.35) return q();
    if (r < 0.45) return { $eq: q() };
    if (r < 0.7) return inList();
    if (r < 0.85) return range();
    if (r < 0.9) return { $exists: rnd() < 0.5 };
    if (r < 0.95) return { $in: [q(), [q()]] };
    return { ...inList(), $ne: q() };
  };
  const branch = (): Document => {
    const r = rnd();
    if (r < 0.4) {
      const f = field();
      return { [f]: condition(f) };
    }
    if (r < 0.75) return { b: rnd() < 0.5 ? q() : inList(), c: rnd() < 0.5 ? q() : rnd() < 0.5 ? inList() : range() };
    const f = field();
    return { a: rnd() < 0.5 ? q() : inList(), [f]: condition(f) };
  };
  const filter = (): Document => {
    const r = rnd();
    if (r < 0.35) return branch();
    if (r < 0.65) return { $or: Array.from({ length: 1 + Math.floor(rnd() * 3) }, branch) };
    if (r < 0.75) return { ...branch(), $or: [branch(), branch()] };
    if (r < 0.85) return { $and: [branch(), { $or: [branch(), branch()] }] };
    return { $or: [branch(), { $or: [branch(), branch()] }] };
  };
  return { rnd, doc, filter };
}

function buildCollection(docs: Document[]): Collection {
  const coll = tempCollection('db', 'c');
  coll.addIndex({ name: 'a_1', key: { a: 1 } });
  coll.addIndex({ name: 'b_1_c_1', key: { b: 1, c: 1 } });
  coll.addIndex({ name: 'b_1_a_-1', key: { b: 1, a: -1 } });
  coll.addIndex({ name: 'n.x_1', key: { 'n.x': 1 } });
  coll.addIndex({ name: 'c_1', key: { c: 1 }, sparse: true });
  let seq = 1;
  for (const d of docs) coll.write(idKey(d._id), d, seq++, false);
  return coll;
}

function fullScan(coll: Collection, filter: Document): string[] {
  const test = compileFilter(filter);
  return [...coll.entries()]
    .filter(([, e]) => test(e.view))
    .map(([id]) => id)
    .sort();
}

/** What OpContext.entries does with a plan (outside transactions). */
function planned(coll: Collection, filter: Document): { ids: string[]; candidates?: Set<string>; exact: boolean } {
  const p = plan(coll, filter);
  if (!p.ids) return { ids: fullScan(coll, filter), exact: p.exact };
  const candidates = new Set(p.ids);
  const test = compileFilter(filter);
  const ids = [...candidates].filter((id) => {
    const e = coll.get(id);
    return e !== undefined && (p.exact || test(e.view));
  });
  return { ids: ids.sort(), candidates, exact: p.exact };
}

describe('planner against a full scan on random documents', () => {
  const SEED = 20_240_917;
  const DOCS = 300;
  const FILTERS = 1_500;

  function check(coll: Collection, filters: Document[]): { indexed: number; exact: number } {
    let indexed = 0;
    let exact = 0;
    for (const filter of filters) {
      const want = fullScan(coll, filter);
      const got = planned(coll, filter);
      if (got.candidates) {
        indexed += 1;
        if (got.exact) exact += 1;
        const missed = want.filter((id) => !got.candidates?.has(id));
        if (missed.length > 0)
          throw new Error(
            `candidates miss ${missed.join(',')} for ${JSON.stringify(filter)} docs ${missed.map((id) => JSON.stringify(coll.get(id)?.doc)).join(' ')}`,
          );
      }
      if (JSON.stringify(got.ids) !== JSON.stringify(want)) {
        throw new Error(`plan gives ${got.ids.join(',')} instead of ${want.join(',')} for ${JSON.stringify(filter)}`);
      }
    }
    return { indexed, exact };
  }

  it('gives exactly the full-scan result for every filter, before and after rewrites and deletes', () => {
    const { rnd, doc, filter } = makeRandom(SEED);
    const docs = Array.from({ length: DOCS }, (_, i) => doc(i));
    const coll = buildCollection(docs);
    const filters = Array.from({ length: FILTERS }, filter);
    const first = check(coll, filters);
    // Most filters should be served by an index, some of them exactly, or the test proves little.
    expect(first.indexed).toBeGreaterThan(FILTERS / 3);
    expect(first.exact).toBeGreaterThan(20);

    let seq = 1_000;
    for (let i = 0; i < 100; i += 1) {
      const id = Math.floor(rnd() * DOCS);
      const replacement = doc(id);
      coll.write(idKey(id), rnd() < 0.3 ? undefined : replacement, seq++, false);
    }
    check(coll, filters);
  });
});

describe('plan shapes', () => {
  const docs: Document[] = [];
  for (let i = 0; i < 200; i += 1) {
    docs.push({
      _id: i,
      b: i % 50 === 0 ? 'pending' : i % 50 === 1 ? 'claimed' : 'sent',
      c: i,
      a: [i % 3, 'x'],
      d: i % 7,
    });
  }
  const coll = buildCollection(docs);
  const count = (filter: Document) => {
    const p = plan(coll, filter);
    return p.ids ? { candidates: new Set(p.ids).size, exact: p.exact } : undefined;
  };

  it('serves $in on the first index field with one lookup per value', () => {
    expect(count({ b: { $in: ['pending', 'claimed'] } })).toEqual({ candidates: 8, exact: false });
  });

  it('serves $in as the last field of an equality prefix', () => {
    expect(count({ b: 'sent', c: { $in: [2, 3, 50, 'x'] } })).toEqual({ candidates: 2, exact: false });
  });

  it('serves a range after an equality prefix in the index order, with only the documents in range as candidates', () => {
    expect(count({ b: 'pending', c: { $lte: 120 } })).toEqual({ candidates: 3, exact: false });
    // Numeric bounds are looked up inclusive (a key may stand for a nearby Decimal128); the filter drops 10 and 15.
    expect(count({ b: 'sent', c: { $gt: 10, $lt: 15 } })).toEqual({ candidates: 6, exact: false });
    expect(count({ b: { $in: ['pending', 'claimed'] }, c: { $gte: 100 } })).toEqual({ candidates: 4, exact: false });
  });

  it('serves a range on the first field of an index', () => {
    const dates = tempCollection('db', 'dates');
    dates.addIndex({ name: 'at_1', key: { at: 1 } });
    for (let i = 0; i < 100; i += 1) dates.write(idKey(i), { _id: i, at: new Date(i * 1000) }, i + 1, false);
    const p = plan(dates, { at: { $gte: new Date(90_000) } });
    expect(p.ids && new Set(p.ids).size).toBe(10);
  });

  it('leaves a range on a field holding arrays to the filter (elements may meet the bounds separately)', () => {
    // Field a holds arrays: {a: {$gt: 0, $lt: 2}} matches [0, 'x'] only through two elements.
    expect(count({ a: { $gt: 1, $lt: 3 } })).toBeUndefined();
  });

  it('serves an $or whose branches all use an index with the union of their candidates', () => {
    const filter = {
      $or: [
        { b: 'pending', c: { $lte: 500 } },
        { b: 'claimed', d: { $lte: 500 } },
      ],
    };
    expect(count(filter)).toEqual({ candidates: 8, exact: false });
  });

  it('is exact for an $or of exact equalities on top-level fields', () => {
    expect(count({ $or: [{ b: 'pending' }, { _id: 7 }] })).toEqual({ candidates: 5, exact: true });
  });

  it('scans for an $or with a branch no index serves', () => {
    expect(count({ $or: [{ b: 'pending' }, { d: 3 }] })).toBeUndefined();
  });

  it('picks the smaller of an equality plan and an $or plan', () => {
    expect(count({ a: 0, $or: [{ b: 'pending' }, { b: 'claimed' }] })?.candidates).toBe(8);
    expect(count({ b: 'pending', $or: [{ a: 'x' }, { a: 2 }] })?.candidates).toBe(4);
  });

  it('does not plan $in lists holding arrays, regexes or documents', () => {
    expect(count({ b: { $in: ['pending', ['sent']] } })).toBeUndefined();
    expect(count({ b: { $in: [/pend/] } })).toBeUndefined();
    expect(count({ b: { $in: [{ x: 1 }] } })).toBeUndefined();
  });

  it('does not use a sparse index for null, which also matches documents it leaves out', () => {
    expect(count({ c: { $in: [null, 3] } })).toBeUndefined();
  });
});

describe('sorted finds through an index walk', () => {
  const STATES = ['a', 'b', 'c'];
  function setup(): OpContext {
    const engine = tempEngine();
    const ctx = new OpContext(engine, 'db');
    engine.storage.store.write(() => {
      ctx.applyLive({ o: 'createIndex', db: 'db', c: 'o', spec: { name: 'at_1', key: { at: 1 } } });
      ctx.applyLive({ o: 'createIndex', db: 'db', c: 'o', spec: { name: 'st_1_at_-1', key: { st: 1, at: -1 } } });
      for (let i = 0; i < 3000; i++)
        ctx.put('o', {
          _id: i,
          st: STATES[i % 3],
          at: new Date(Date.UTC(2026, 0, 1) + ((i * 7919) % 3000) * 60_000),
          pad: 'x',
        });
    });
    return ctx;
  }

  it('returns what a full scan sorted in memory returns, for equality, range, skip and limit in both directions', () => {
    const ctx = setup();
    const from = new Date(Date.UTC(2026, 0, 1) + 500 * 60_000);
    const filters: Document[] = [
      {},
      { st: 'b' },
      { at: { $gte: from } },
      { st: 'c', at: { $lt: from } },
      { st: 'a', pad: 'x' },
    ];
    const sorts: Document[] = [{ at: -1, _id: -1 }, { at: 1 }, { at: 1, _id: 1 }, { _id: -1 }];
    for (const filter of filters)
      for (const sort of sorts)
        for (const [skip, limit] of [
          [0, 20],
          [7, 5],
          [0, 0],
        ] as const) {
          let expected = sortDocuments(ctx.find('o', filter), sort).slice(skip);
          if (limit > 0) expected = expected.slice(0, limit);
          const walked = ctx.findSorted('o', filter, sort, skip, limit)!;
          expect(walked.map((e) => e.doc._id)).toEqual(expected.map((d) => d._id));
        }
  });

  it('counts from the index alone what a scan counts, for equality, ranges and both together', () => {
    const ctx = setup();
    const from = new Date(Date.UTC(2026, 0, 1) + 500 * 60_000);
    const filters: Document[] = [
      {},
      { st: 'b' },
      { at: { $gte: from } },
      { at: { $gt: from, $lte: new Date(from.getTime() + 600_000) } },
      { st: 'c', at: { $lt: from } },
      { st: 'a', pad: 'x' },
    ];
    for (const filter of filters) expect(ctx.count('o', filter)).toBe(ctx.find('o', filter).length);
  });
});
