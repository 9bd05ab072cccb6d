import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Db, MongoClient } from 'mongodb';
import { RunningEngine, startEngine } from '@cjpf/embedded-mongo';

/**
 * A database for one test file. With MONGODB_URI set, a uniquely named database on that
 * server (dropped on close); otherwise a fresh embedded engine on a free loopback port with
 * its own temporary data directory (removed on close).
 */
export interface TestDatabase {
  uri: string;
  dbName: string;
  client: MongoClient;
  db: Db;
  /** The in-process engine, when no MONGODB_URI was given. */
  engine?: RunningEngine;
  /** Data directory of the in-process engine. */
  dbPath?: string;
  close(): Promise<void>;
}

export const usingRealMongo = Boolean(process.env.MONGODB_URI);

export async function openTestDatabase(): Promise<TestDatabase> {
  const dbName = `t_${randomBytes(6).toString('hex')}`;
  if (process.env.MONGODB_URI) {
    const uri = process.env.MONGODB_URI;
    const client = await MongoClient.connect(uri);
    const db = client.db(dbName);
    return {
      uri,
      dbName,
      client,
      db,
      async close() {
        await db.dropDatabase().catch(() => undefined);
        await client.close();
      },
    };
  }
  const dbPath = await mkdtemp(join(tmpdir(), 'cjpf-engine-'));
  const engine = await startEngine({ port: 0, dbPath });
  const client = await MongoClient.connect(engine.uri);
  const db = client.db(dbName);
  return {
    uri: engine.uri,
    dbName,
    client,
    db,
    engine,
    dbPath,
    async close() {
      await client.close();
      await engine.close();
      await rm(dbPath, { recursive: true, force: true });
    },
  };
}
