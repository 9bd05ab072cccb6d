import { openTestDatabase, TestDatabase } from '../support/test-database';
import { serverError } from './server-error';

let t: TestDatabase;
beforeAll(async () => {
  t = await openTestDatabase();
});
afterAll(async () => {
  await t?.close();
});

async function names(): Promise<string[]> {
  return (await t.db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).sort();
}

describe('create', () => {
  // https://www.mongodb.com/docs/manual/reference/command/create/
  it('creates an empty collection that listCollections then reports', async () => {
    await t.db.createCollection('explicit');
    expect(await names()).toContain('explicit');
    expect(await t.db.collection('explicit').countDocuments()).toBe(0);
  });

  // https://www.mongodb.com/docs/manual/reference/command/create/
  it('refuses a collection that already exists with code 48 NamespaceExists', async () => {
    await t.db.createCollection('twice');
    const e = await serverError(t.db.createCollection('twice'));
    expect(e.code).toBe(48);
  });

  // https://www.mongodb.com/docs/manual/core/databases-and-collections/#create-a-collection
  it('creates a collection implicitly on the first insert', async () => {
    await t.db.collection('implicit').insertOne({ a: 1 });
    expect(await names()).toContain('implicit');
  });
});

describe('listCollections', () => {
  // https://www.mongodb.com/docs/manual/reference/command/listCollections/#output
  it('describes each collection with its name and type collection', async () => {
    await t.db.collection('described').insertOne({ a: 1 });
    const all = await t.db.listCollections().toArray();
    const entry = all.find((c) => c.name === 'described');
    expect(entry).toMatchObject({ name: 'described', type: 'collection' });
  });

  // https://www.mongodb.com/docs/manual/reference/command/listCollections/#std-label-list-collection-filter
  it('returns only the collection named in a filter', async () => {
    await t.db.collection('alpha').insertOne({ a: 1 });
    await t.db.collection('beta').insertOne({ a: 1 });
    const found = await t.db.listCollections({ name: 'beta' }).toArray();
    expect(found.map((c) => c.name)).toEqual(['beta']);
    expect(await t.db.listCollections({ name: 'gamma' }).toArray()).toEqual([]);
  });

  // https://www.mongodb.com/docs/manual/reference/command/listCollections/
  it('does not list a collection that has only been referenced and never written', async () => {
    t.db.collection('never-written');
    expect(await names()).not.toContain('never-written');
  });
});

describe('drop', () => {
  // https://www.mongodb.com/docs/manual/reference/method/db.collection.drop/
  it('removes the collection with its documents and indexes and returns true', async () => {
    const c = t.db.collection('doomed');
    await c.insertOne({ k: 1 });
    await c.createIndex({ k: 1 }, { unique: true });
    expect(await c.drop()).toBe(true);
    expect(await names()).not.toContain('doomed');
    await c.insertOne({ k: 1 });
    await c.insertOne({ k: 1 });
    expect(await c.countDocuments()).toBe(2);
  });

  // https://mongodb.github.io/node-mongodb-native/7.0/classes/Collection.html#drop
  it('resolves without error and creates nothing when the collection does not exist', async () => {
    const result = await t.db.collection('never-there').drop();
    expect(typeof result).toBe('boolean');
    expect(await names()).not.toContain('never-there');
  });
});

describe('dropDatabase and listDatabases', () => {
  // https://www.mongodb.com/docs/manual/reference/command/listDatabases/
  it('lists a database that holds data, with its size and emptiness', async () => {
    await t.db.collection('listed').insertOne({ a: 1 });
    const r = await t.client.db('admin').admin().listDatabases();
    const entry = r.databases.find((d) => d.name === t.dbName);
    expect(entry).toBeDefined();
    expect(typeof entry?.sizeOnDisk).toBe('number');
    expect(entry?.empty).toBe(false);
    expect(typeof r.totalSize).toBe('number');
  });

  // https://www.mongodb.com/docs/manual/reference/command/listDatabases/#use-nameonly
  it('returns only names when nameOnly is set', async () => {
    await t.db.collection('listed').insertOne({ a: 2 });
    const r = await t.client.db('admin').admin().listDatabases({ nameOnly: true });
    expect(r.databases.map((d) => d.name)).toContain(t.dbName);
  });

  // https://www.mongodb.com/docs/manual/reference/command/dropDatabase/
  it('removes every collection of the database and the database from listDatabases', async () => {
    const other = t.client.db(`${t.dbName}_x`);
    await other.collection('a').insertOne({ a: 1 });
    await other.collection('b').insertOne({ b: 1 });
    expect(await other.dropDatabase()).toBe(true);
    expect(await other.listCollections().toArray()).toEqual([]);
    const r = await t.client.db('admin').admin().listDatabases({ nameOnly: true });
    expect(r.databases.map((d) => d.name)).not.toContain(`${t.dbName}_x`);
    expect(await other.collection('a').countDocuments()).toBe(0);
  });
});
