import { useFreshCollections } from './fresh-collections';
import { serverError } from './server-error';

const { db, fresh } = useFreshCollections('ix');

describe('createIndexes', () => {
  // https://www.mongodb.com/docs/manual/reference/command/createIndexes/
  it('names an index after its keys by default and uses the given name otherwise', async () => {
    const c = fresh();
    expect(await c.createIndex({ a: 1, b: -1 })).toBe('a_1_b_-1');
    expect(await c.createIndex({ email: 1 }, { unique: true, name: 'email_unique' })).toBe('email_unique');
  });

  // https://www.mongodb.com/docs/manual/reference/method/db.collection.createIndex/#behavior
  it('creates the collection when indexing one that does not exist yet', async () => {
    const c = fresh();
    await c.createIndex({ a: 1 });
    expect((await db().db.listCollections({ name: c.collectionName }).toArray()).map((x) => x.name)).toEqual([
      c.collectionName,
    ]);
  });

  // https://www.mongodb.com/docs/manual/reference/command/listIndexes/
  it('refuses listIndexes on a collection that does not exist with code 26 NamespaceNotFound', async () => {
    const e = await serverError(db().db.command({ listIndexes: 'no-such-collection' }));
    expect(e.code).toBe(26);
  });

  // https://www.mongodb.com/docs/manual/reference/command/listIndexes/#output
  it('lists the _id index and each created index with v, key, name and unique', async () => {
    const c = fresh();
    await c.insertOne({ a: 1 });
    await c.createIndex({ email: 1 }, { unique: true, name: 'email_unique' });
    await c.createIndex({ a: 1, b: -1 });
    const list = await c.listIndexes().toArray();
    expect(list).toHaveLength(3);
    expect(list.find((i) => i.name === '_id_')).toMatchObject({ v: 2, key: { _id: 1 } });
    expect(list.find((i) => i.name === '_id_')?.unique).toBeUndefined();
    expect(list.find((i) => i.name === 'email_unique')).toMatchObject({ v: 2, key: { email: 1 }, unique: true });
    const compound = list.find((i) => i.name === 'a_1_b_-1');
    expect(compound).toMatchObject({ v: 2, key: { a: 1, b: -1 } });
    expect(Object.keys(compound?.key ?? {})).toEqual(['a', 'b']);
  });

  // https://www.mongodb.com/docs/manual/reference/method/db.collection.createIndex/#recreating-an-existing-index
  it('accepts the same index specification twice without creating a second index', async () => {
    const c = fresh();
    await c.createIndex({ k: 1 }, { unique: true });
    await c.createIndex({ k: 1 }, { unique: true });
    expect(await c.listIndexes().toArray()).toHaveLength(2);
  });

  // https://www.mongodb.com/docs/manual/core/index-unique/
  it('refuses a duplicate on a unique index with code 11000 naming the key', async () => {
    const c = fresh();
    await c.createIndex({ email: 1 }, { unique: true });
    await c.insertOne({ email: 'a@x.mx' });
    const e = await serverError(c.insertOne({ email: 'a@x.mx' }));
    expect(e.code).toBe(11000);
    expect(e.keyPattern).toEqual({ email: 1 });
    expect(e.keyValue).toEqual({ email: 'a@x.mx' });
    expect(await c.countDocuments()).toBe(1);
  });

  // https://www.mongodb.com/docs/manual/core/index-unique/#unique-compound-index
  it('enforces uniqueness of the combination on a compound unique index', async () => {
    const c = fresh();
    await c.createIndex({ tenant: 1, code: 1 }, { unique: true });
    await c.insertMany([
      { tenant: 'a', code: 1 },
      { tenant: 'a', code: 2 },
      { tenant: 'b', code: 1 },
    ]);
    const e = await serverError(c.insertOne({ tenant: 'a', code: 2 }));
    expect(e.code).toBe(11000);
    expect(e.keyValue).toEqual({ tenant: 'a', code: 2 });
  });

  // https://www.mongodb.com/docs/manual/core/index-unique/#missing-document-field-in-a-unique-single-field-index
  it('stores a missing field as null so a second document without it is a duplicate', async () => {
    const c = fresh();
    await c.createIndex({ email: 1 }, { unique: true });
    await c.insertOne({ name: 'sin correo' });
    const e = await serverError(c.insertOne({ name: 'otro sin correo' }));
    expect(e.code).toBe(11000);
  });

  // https://www.mongodb.com/docs/manual/core/index-unique/#restrictions
  it('fails with code 11000 when building a unique index over existing duplicates and creates nothing', async () => {
    const c = fresh();
    await c.insertMany([{ k: 1 }, { k: 1 }]);
    const e = await serverError(c.createIndex({ k: 1 }, { unique: true }));
    expect(e.code).toBe(11000);
    expect((await c.listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_']);
  });

  // https://www.mongodb.com/docs/manual/reference/command/createIndexes/#considerations
  it('refuses another key pattern under an existing index name with code 86', async () => {
    const c = fresh();
    await c.createIndex({ a: 1 }, { name: 'mine' });
    const e = await serverError(c.createIndex({ b: 1 }, { name: 'mine' }));
    expect(e.code).toBe(86);
  });

  // https://www.mongodb.com/docs/manual/core/index-unique/
  it('lets an updated document take a unique value that another document gave up', async () => {
    const c = fresh();
    await c.createIndex({ k: 1 }, { unique: true });
    await c.insertMany([
      { _id: 1, k: 'a' },
      { _id: 2, k: 'b' },
    ] as never[]);
    await c.updateOne({ _id: 1 as never }, { $set: { k: 'z' } });
    await c.updateOne({ _id: 2 as never }, { $set: { k: 'a' } });
    expect(await c.findOne({ k: 'a' })).toEqual({ _id: 2, k: 'a' });
    expect(await c.findOne({ k: 'b' })).toBeNull();
  });
});

describe('dropIndexes', () => {
  // https://www.mongodb.com/docs/manual/reference/command/dropIndexes/
  it('drops one index by name so its uniqueness no longer applies', async () => {
    const c = fresh();
    await c.createIndex({ k: 1 }, { unique: true, name: 'k_unique' });
    await c.dropIndex('k_unique');
    expect((await c.listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_']);
    await c.insertMany([{ k: 1 }, { k: 1 }]);
    expect(await c.countDocuments({ k: 1 })).toBe(2);
  });

  // https://www.mongodb.com/docs/manual/reference/command/dropIndexes/
  it('drops every index except _id when given *', async () => {
    const c = fresh();
    await c.createIndex({ a: 1 });
    await c.createIndex({ b: 1 });
    await c.dropIndexes();
    expect((await c.listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_']);
  });

  // https://www.mongodb.com/docs/manual/reference/command/dropIndexes/
  it('refuses to drop an index that does not exist with code 27 IndexNotFound', async () => {
    const c = fresh();
    await c.insertOne({ a: 1 });
    const e = await serverError(c.dropIndex('nope_1'));
    expect(e.code).toBe(27);
  });

  // https://www.mongodb.com/docs/manual/reference/command/dropIndexes/#behavior
  it('refuses to drop the _id index', async () => {
    const c = fresh();
    await c.insertOne({ a: 1 });
    const e = await serverError(c.dropIndex('_id_'));
    expect(e.code).toBe(72);
    expect((await c.listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_']);
  });
});
