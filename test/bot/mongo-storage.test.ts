import { MongoClient } from 'mongodb';
import { MongoStorage } from '../../bot/mongo-storage';
import { openTestDatabase, TestDatabase } from '../support/mongo';

describe('MongoStorage', () => {
  let t: TestDatabase;
  let storage: MongoStorage;
  beforeAll(async () => {
    t = await openTestDatabase();
    storage = new MongoStorage(t.db);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('reads back what it wrote, with keys and values BSON would refuse as field names', async () => {
    await storage.write({ 'msteams/conversations/a:1$x.y/': { 'dialog.state': { $weird: 1, list: [1, 'dos'] } } });
    const read = await storage.read(['msteams/conversations/a:1$x.y/', 'missing']);
    expect(read['msteams/conversations/a:1$x.y/']).toMatchObject({ 'dialog.state': { $weird: 1, list: [1, 'dos'] } });
    expect(read['msteams/conversations/a:1$x.y/'].eTag).toEqual(expect.any(String));
    expect(read.missing).toBeUndefined();
  });

  it('refuses a write carrying a stale eTag and keeps the newer state', async () => {
    await storage.write({ k: { n: 1 } });
    const first = (await storage.read(['k'])).k;
    const second = (await storage.read(['k'])).k;
    await storage.write({ k: { ...first, n: 2 } });
    await expect(storage.write({ k: { ...second, n: 3 } })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await storage.read(['k'])).k).toMatchObject({ n: 2 });
  });

  it('serves turns running together with one read, failing only the write whose eTag is stale', async () => {
    await storage.write({ a: { n: 1 }, b: { n: 1 }, c: { n: 1 } });
    const watcher = new MongoClient(t.uri, { monitorCommands: true });
    const commands: string[] = [];
    watcher.on('commandStarted', (e) => {
      if (['find', 'update'].includes(e.commandName)) commands.push(e.commandName);
    });
    try {
      const together = new MongoStorage(watcher.db(t.dbName));
      const [a, b, c] = await Promise.all([together.read(['a']), together.read(['b']), together.read(['c'])]);
      expect(commands).toEqual(['find']);
      expect([a.a.n, b.b.n, c.c.n]).toEqual([1, 1, 1]);
      await storage.write({ b: { ...b.b, n: 2 } }); // another instance moves b on
      const results = await Promise.allSettled([
        together.write({ a: { ...a.a, n: 3 } }),
        together.write({ b: { ...b.b, n: 3 } }),
        together.write({ c: { n: 3, eTag: '*' } }),
      ]);
      expect(results.map((r) => (r.status === 'fulfilled' ? 'ok' : (r.reason as { code?: string }).code))).toEqual([
        'ok',
        'CONFLICT',
        'ok',
      ]);
      // One conditional write per turn, each answering for itself: nothing is read back.
      expect(commands).toEqual(['find', 'update', 'update', 'update']);
    } finally {
      await watcher.close();
    }
    const stored = await storage.read(['a', 'b', 'c']);
    expect([stored.a.n, stored.b.n, stored.c.n]).toEqual([3, 2, 3]);
  });

  it('overwrites when the eTag is * or absent, and deletes', async () => {
    await storage.write({ k: { n: 9, eTag: '*' } });
    expect((await storage.read(['k'])).k).toMatchObject({ n: 9 });
    await storage.delete(['k']);
    expect(await storage.read(['k'])).toEqual({});
  });
});
