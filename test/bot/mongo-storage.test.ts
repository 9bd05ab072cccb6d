import { MongoStorage } from '../../bot/mongo-storage';
import { openTestDatabase, TestDatabase } from '../support/mongo';

describe('MongoStorage', () => {
  let t: TestDatabase;
  let storage: MongoStorage;
  beforeAll(async () => {
    t = await openTestDatabase();
    storage = new MongoStorage(t.db);
  });
  afterAll(async () => { await t?.close(); });

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

  it('overwrites when the eTag is * or absent, and deletes', async () => {
    await storage.write({ k: { n: 9, eTag: '*' } });
    expect((await storage.read(['k'])).k).toMatchObject({ n: 9 });
    await storage.delete(['k']);
    expect(await storage.read(['k'])).toEqual({});
  });
});
