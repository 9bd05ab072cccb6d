import { Catalog } from '../../src/catalog';
import { Collection } from '../../src/collection';
import { Engine } from '../../src/engine';
import { IndexSpec, SecondaryIndex } from '../../src/secondary-index';
import { Storage } from '../../src/storage';

/** Stores opened by a test file, closed (and their temporary directories removed) after it. */
const open: Storage[] = [];
afterAll(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

/** A catalog over a fresh temporary store. */
export function tempCatalog(): { catalog: Catalog; storage: Storage } {
  const t = Storage.temporary();
  open.push(t.storage);
  return t;
}

/** An engine over a fresh temporary store. */
export function tempEngine(): Engine {
  const { catalog, storage } = tempCatalog();
  return new Engine(catalog, storage);
}

/** An empty collection in a fresh temporary store. */
export function tempCollection(db: string, c: string): Collection {
  const { catalog } = tempCatalog();
  catalog.apply({ o: 'create', db, c }, 0, false);
  return catalog.get(db, c)!;
}

/** A secondary index (on an empty collection of its own). */
export function tempIndex(spec: IndexSpec): SecondaryIndex {
  const coll = tempCollection('db', 'c');
  coll.addIndex(spec);
  return coll.indexes.get(spec.name)!;
}
