import { ClientSession, Collection, CommandStartedEvent, Long, MongoClient } from 'mongodb';
import { openTestDatabase, TestDatabase } from '../support/test-database';
import { serverError } from './server-error';
import { itemAt } from '../support/checked';

let t: TestDatabase;
let c: Collection;
let session: ClientSession;
const TOTAL = 250;

beforeAll(async () => {
  t = await openTestDatabase();
  c = t.db.collection('many');
  await c.insertMany(Array.from({ length: TOTAL }, (_, i) => ({ _id: i, pad: 'x'.repeat(50) })) as never[]);
  session = t.client.startSession();
});
afterAll(async () => {
  await session?.endSession();
  await t?.close();
});

/** Runs a raw command in the shared explicit session, keeping int64 values as Long. */
function raw(command: Record<string, unknown>) {
  return t.db.command(command, { session, promoteLongs: false });
}

describe('find cursor', () => {
  // https://www.mongodb.com/docs/manual/reference/command/find/#output
  it('returns a first batch of 101 documents and a non-zero int64 cursor id when no batchSize is given', async () => {
    const r = await raw({ find: 'many', filter: {}, sort: { _id: 1 } });
    expect(r.cursor.firstBatch).toHaveLength(101);
    expect(r.cursor.id).toBeInstanceOf(Long);
    expect((r.cursor.id as Long).isZero()).toBe(false);
    expect(r.cursor.ns).toBe(`${t.dbName}.many`);
    await raw({ killCursors: 'many', cursors: [r.cursor.id] });
  });

  // https://www.mongodb.com/docs/manual/reference/command/getMore/
  it('continues with getMore batches and reports cursor id 0 once exhausted', async () => {
    const first = await raw({ find: 'many', filter: {}, sort: { _id: 1 }, batchSize: 100 });
    const id = first.cursor.id as Long;
    const second = await raw({ getMore: id, collection: 'many', batchSize: 100 });
    expect(second.cursor.nextBatch.map((d: { _id: number }) => d._id)).toEqual(
      Array.from({ length: 100 }, (_, i) => 100 + i),
    );
    expect((second.cursor.id as Long).equals(id)).toBe(true);
    const third = await raw({ getMore: id, collection: 'many', batchSize: 100 });
    expect(third.cursor.nextBatch).toHaveLength(50);
    expect((third.cursor.id as Long).isZero()).toBe(true);
  });

  // https://www.mongodb.com/docs/manual/reference/method/cursor.toArray/
  it('delivers every document across batches when iterated by the driver', async () => {
    const docs = await c.find().sort({ _id: 1 }).toArray();
    expect(docs).toHaveLength(TOTAL);
    expect(docs.map((d) => d._id)).toEqual(Array.from({ length: TOTAL }, (_, i) => i));
  });

  // https://www.mongodb.com/docs/manual/reference/method/cursor.batchSize/
  it('fetches with getMore in batches of the requested size and honours limit', async () => {
    const watcher = new MongoClient(t.uri, { monitorCommands: true });
    const started: CommandStartedEvent[] = [];
    watcher.on('commandStarted', (e) => started.push(e));
    try {
      const docs = await watcher
        .db(t.dbName)
        .collection('many')
        .find()
        .sort({ _id: 1 })
        .batchSize(50)
        .limit(180)
        .toArray();
      expect(docs).toHaveLength(180);
      expect(itemAt(docs, 179)._id).toBe(179);
      const getMores = started.filter((e) => e.commandName === 'getMore');
      expect(getMores.length).toBe(3);
    } finally {
      await watcher.close();
    }
  });

  // https://www.mongodb.com/docs/manual/reference/method/cursor.close/
  // https://www.mongodb.com/docs/manual/reference/command/killCursors/
  it('kills the server cursor on close so a later getMore fails with CursorNotFound 43', async () => {
    const cursor = c.find({}, { batchSize: 10, session });
    await cursor.next();
    const id = cursor.id as Long;
    expect(id).toBeInstanceOf(Long);
    expect(id.isZero()).toBe(false);
    await cursor.close();
    const e = await serverError(raw({ getMore: id, collection: 'many' }));
    expect(e.code).toBe(43);
  });

  // https://www.mongodb.com/docs/manual/reference/command/killCursors/#output
  it('reports the killed cursor in cursorsKilled and an unknown one in cursorsNotFound', async () => {
    const first = await raw({ find: 'many', filter: {}, batchSize: 5 });
    const unknown = Long.fromString('1234567890123');
    const r = await raw({ killCursors: 'many', cursors: [first.cursor.id, unknown] });
    expect(r.cursorsKilled.map(String)).toEqual([String(first.cursor.id)]);
    expect(r.cursorsNotFound.map(String)).toEqual([String(unknown)]);
  });

  // https://www.mongodb.com/docs/manual/reference/command/getMore/
  it('refuses getMore on a cursor id that never existed with CursorNotFound 43', async () => {
    const e = await serverError(raw({ getMore: Long.fromString('98765432123'), collection: 'many' }));
    expect(e.code).toBe(43);
  });

  // https://www.mongodb.com/docs/manual/reference/command/aggregate/#cursor
  it('returns aggregate results through a cursor with getMore when they exceed the batch size', async () => {
    const watcher = new MongoClient(t.uri, { monitorCommands: true });
    const started: CommandStartedEvent[] = [];
    watcher.on('commandStarted', (e) => started.push(e));
    try {
      const docs = await watcher
        .db(t.dbName)
        .collection('many')
        .aggregate([{ $match: { _id: { $gte: 10 } } }, { $sort: { _id: -1 } }], { batchSize: 60 })
        .toArray();
      expect(docs).toHaveLength(TOTAL - 10);
      expect(itemAt(docs, 0)._id).toBe(TOTAL - 1);
      expect(started.filter((e) => e.commandName === 'getMore').length).toBeGreaterThanOrEqual(3);
    } finally {
      await watcher.close();
    }
  });

  // https://www.mongodb.com/docs/manual/reference/command/find/
  it('refuses a find command carrying a field it does not know, naming the field', async () => {
    const e = await serverError(raw({ find: 'many', filter: {}, frobOption: 1 }));
    expect(e.message).toContain('frobOption');
  });

  // https://www.mongodb.com/docs/manual/reference/method/cursor.hint/#behavior
  it('refuses a hint that names no existing index', async () => {
    await serverError(c.find({ _id: 1 as never }, { hint: { nope: 1 } }).toArray());
    await serverError(c.find({ _id: 1 as never }, { hint: 'nope_1' }).toArray());
  });
});
