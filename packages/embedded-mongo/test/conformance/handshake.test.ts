import { openTestDatabase, TestDatabase } from '../support/test-database';

let t: TestDatabase;
beforeAll(async () => {
  t = await openTestDatabase();
});
afterAll(async () => {
  await t?.close();
});

describe('hello', () => {
  // https://www.mongodb.com/docs/manual/reference/command/hello/
  it('reports a writable primary with size limits, wire versions and local time when asked', async () => {
    const r = await t.db.admin().command({ hello: 1 });
    expect(r.ok).toBe(1);
    expect(r.isWritablePrimary).toBe(true);
    expect(r.maxBsonObjectSize).toBe(16 * 1024 * 1024);
    expect(r.maxMessageSizeBytes).toBe(48000000);
    expect(r.maxWriteBatchSize).toBe(100000);
    expect(r.localTime).toBeInstanceOf(Date);
    expect(Math.abs(r.localTime.getTime() - Date.now())).toBeLessThan(60_000);
    expect(typeof r.minWireVersion).toBe('number');
    expect(r.maxWireVersion).toBeGreaterThanOrEqual(8);
    expect(r.maxWireVersion).toBeGreaterThanOrEqual(r.minWireVersion);
    expect(typeof r.connectionId).toBe('number');
  });

  // https://www.mongodb.com/docs/manual/reference/command/hello/#sessions
  it('reports logicalSessionTimeoutMinutes so that drivers enable sessions', async () => {
    const r = await t.db.admin().command({ hello: 1 });
    expect(typeof r.logicalSessionTimeoutMinutes).toBe('number');
    expect(r.logicalSessionTimeoutMinutes).toBeGreaterThan(0);
  });

  // https://www.mongodb.com/docs/manual/reference/command/hello/#replica-sets
  it('names the replica set, its hosts, primary and itself when the deployment is a replica set', async () => {
    const r = await t.db.admin().command({ hello: 1 });
    const fromUri = /[?&]replicaSet=([^&]+)/.exec(t.uri)?.[1];
    expect(typeof r.setName).toBe('string');
    if (fromUri) expect(r.setName).toBe(decodeURIComponent(fromUri));
    expect(Array.isArray(r.hosts)).toBe(true);
    expect(r.hosts).toContain(r.primary);
    expect(r.hosts).toContain(r.me);
    expect(r.secondary).toBe(false);
  });

  // https://www.mongodb.com/docs/manual/reference/command/isMaster/
  it('answers the legacy isMaster command with ismaster true', async () => {
    const r = await t.db.admin().command({ isMaster: 1 });
    expect(r.ok).toBe(1);
    expect(r.ismaster).toBe(true);
    expect(r.maxBsonObjectSize).toBe(16 * 1024 * 1024);
    expect(typeof r.logicalSessionTimeoutMinutes).toBe('number');
  });
});

describe('ping', () => {
  // https://www.mongodb.com/docs/manual/reference/command/ping/
  it('answers ok 1 on the admin database and on any other database', async () => {
    expect(await t.db.admin().command({ ping: 1 })).toMatchObject({ ok: 1 });
    expect(await t.db.command({ ping: 1 })).toMatchObject({ ok: 1 });
  });
});

describe('buildInfo', () => {
  // https://www.mongodb.com/docs/manual/reference/command/buildInfo/
  it('reports a dotted version whose parts match versionArray', async () => {
    const r = await t.db.admin().command({ buildInfo: 1 });
    expect(r.ok).toBe(1);
    expect(r.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(Array.isArray(r.versionArray)).toBe(true);
    expect(r.versionArray).toHaveLength(4);
    const [major, minor, patch] = (r.version as string).split(/[.-]/).map(Number);
    expect(r.versionArray.slice(0, 3)).toEqual([major, minor, patch]);
    expect(r.maxBsonObjectSize).toBe(16 * 1024 * 1024);
    expect(r.bits).toBe(64);
  });
});

describe('endSessions', () => {
  // https://www.mongodb.com/docs/manual/reference/command/endSessions/
  it('ends a session that has been used for a write', async () => {
    const session = t.client.startSession();
    try {
      await t.db.collection('sessions').insertOne({ a: 1 }, { session });
      const r = await t.db.admin().command({ endSessions: [session.id] });
      expect(r.ok).toBe(1);
    } finally {
      await session.endSession();
    }
    expect(await t.db.collection('sessions').countDocuments({ a: 1 })).toBe(1);
  });
});
