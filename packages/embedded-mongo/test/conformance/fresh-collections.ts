import { Collection } from 'mongodb';
import { openTestDatabase, TestDatabase } from '../support/test-database';

/**
 * Opens one test database for the calling file (beforeAll/afterAll) and hands out a new,
 * empty collection per call, so tests never see each other's documents.
 */
export function useFreshCollections(prefix: string): { db: () => TestDatabase; fresh: () => Collection } {
  let t: TestDatabase | undefined;
  let n = 0;
  beforeAll(async () => {
    t = await openTestDatabase();
  });
  afterAll(async () => {
    await t?.close();
  });
  const db = (): TestDatabase => {
    if (!t) throw new Error('test database not open yet');
    return t;
  };
  return { db, fresh: () => db().db.collection(`${prefix}${(n += 1)}`) };
}
