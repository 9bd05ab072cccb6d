import { MongoClient, ObjectId } from 'mongodb';
import { admitToQuietWindow, QuietWindowDoc } from '../../../services/outbox/quiet-windows';
import { openTestDatabase, TestDatabase } from '../../support/mongo';
import { NotificationChannel, NotificationDoc, OutboxDispatcher, OutboxRelay } from '../../../services/outbox';
import type { ServiceOrder } from '../../../services/orders/types';
import { quietLogger } from './fixtures';

/** A channel that records single sends and digests separately. */
class DigestChannel implements NotificationChannel {
  readonly messages: string[][] = [];
  constructor(readonly name = 'teams') {}
  canReach() {
    return true;
  }
  async send(doc: NotificationDoc) {
    this.messages.push([doc._id]);
  }
  async sendDigest(items: readonly { doc: NotificationDoc; order: ServiceOrder }[]) {
    this.messages.push(items.map((i) => i.doc._id));
  }
}

describe('digest batching in the dispatcher', () => {
  let tdb: TestDatabase;
  let clock: number;
  const now = () => new Date(clock);
  const notifications = () => tdb.db.collection<NotificationDoc>('notifications');
  // One message per window, so each test shows the grouping plainly; the default allowance has its own test.
  const dispatcher = (channels: NotificationChannel[], id: string, digestAllowance = 1) =>
    new OutboxDispatcher({
      db: tdb.db,
      logger: quietLogger(),
      channels,
      now,
      instanceId: id,
      digestWindowMs: 10_000,
      leaseMs: 60_000,
      digestAllowance,
    });

  async function newOrderFor(personId: string, event = 'new_order'): Promise<string> {
    const _id = new ObjectId();
    const id = `${_id.toHexString()}:1:${event}:${personId}`;
    const order: ServiceOrder = {
      _id,
      folio: `OS-2026-${_id.toHexString().slice(-6)}`,
      status: 'reported',
      version: 1,
      requester: { personId: 'req', name: 'Ana Solicitante' },
      centreId: 'C1',
      channel: 'teams',
      equipment: { type: 'computer' },
      description: 'No enciende',
      priority: 'medium',
      attachments: [],
      timestamps: { reportedAt: now() },
      history: [],
      createdAt: now(),
      updatedAt: now(),
      outboxPending: true,
      outbox: [{ id, event, recipient: { personId, role: 'analyst' }, createdAt: now() }],
    };
    await tdb.db.collection<ServiceOrder>('orders').insertOne(order);
    return id;
  }
  const relay = () => new OutboxRelay({ db: tdb.db, logger: quietLogger(), now, batchSize: 1000 }).relayOnce();

  beforeAll(async () => {
    tdb = await openTestDatabase();
  });
  afterAll(async () => {
    await tdb?.close();
  });
  beforeEach(async () => {
    clock = Date.parse('2026-03-02T16:00:00Z');
    for (const c of ['notifications', 'orders', 'notificationWindows']) await tdb.db.collection(c).deleteMany({});
  });

  it('sends the first notice at once and groups the next 30 for the same person into one digest', async () => {
    const teams = new DigestChannel();
    const d = dispatcher([teams], 'A');
    const first = await newOrderFor('ana');
    await relay();
    await d.dispatchOnce();
    expect(teams.messages).toEqual([[first]]);
    const burst: string[] = [];
    for (let i = 0; i < 30; i += 1) {
      clock += 100;
      burst.push(await newOrderFor('ana'));
      await relay();
      await d.dispatchOnce();
    }
    expect(teams.messages).toHaveLength(1);
    expect(await notifications().countDocuments({ state: 'pending', attempts: 0 })).toBe(30);
    clock = Date.parse('2026-03-02T16:00:10Z');
    await d.dispatchOnce();
    expect(teams.messages).toHaveLength(2);
    expect([...teams.messages[1]!].sort()).toEqual([...burst].sort());
    expect(await notifications().countDocuments({ state: 'sent', outcome: 'sent_teams', attempts: 1 })).toBe(31);
  });

  it('sends notices already waiting for the same person as one digest at once', async () => {
    const teams = new DigestChannel();
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) ids.push(await newOrderFor('ana'));
    await relay();
    await dispatcher([teams], 'A').dispatchOnce();
    expect(teams.messages.map((m) => [...m].sort())).toEqual([[...ids].sort()]);
  });

  it('never holds a validation request and does not batch different people together', async () => {
    const teams = new DigestChannel();
    const d = dispatcher([teams], 'A');
    const first = await newOrderFor('ana');
    const other = await newOrderFor('carlos');
    const ask = await newOrderFor('ana', 'validation_request');
    await relay();
    await d.dispatchOnce();
    expect(teams.messages.flat().sort()).toEqual([first, other, ask].sort());
    expect(teams.messages).toHaveLength(3);
  });

  it('sends every notice exactly once when two instances share the window', async () => {
    const teams = new DigestChannel();
    const [a, b] = [dispatcher([teams], 'A'), dispatcher([teams], 'B')];
    const ids: string[] = [];
    for (let i = 0; i < 20; i += 1) ids.push(await newOrderFor(i % 2 === 0 ? 'ana' : 'carlos'));
    await relay();
    await Promise.all([a.dispatchOnce(), b.dispatchOnce()]);
    clock += 10_000;
    await Promise.all([a.dispatchOnce(), b.dispatchOnce()]);
    expect(teams.messages.flat().sort()).toEqual([...ids].sort());
    expect(teams.messages.length).toBeLessThanOrEqual(4);
  });

  it('with several sends in flight, still sends one digest per person per window and every notice once', async () => {
    const teams = new DigestChannel();
    const d = new OutboxDispatcher({
      db: tdb.db,
      logger: quietLogger(),
      channels: [teams],
      now,
      instanceId: 'A',
      digestWindowMs: 10_000,
      leaseMs: 60_000,
      concurrency: 8,
      digestAllowance: 1,
    });
    const people = ['ana', 'carlos', 'rosa'];
    const firsts = [];
    for (const p of people) firsts.push(await newOrderFor(p));
    await relay();
    await d.dispatchOnce();
    expect(teams.messages.map((m) => m.length)).toEqual([1, 1, 1]);
    const burst: string[] = [];
    for (let i = 0; i < 30; i += 1) burst.push(await newOrderFor(people[i % 3]!));
    // A validation request is never held: it goes at once even inside the window.
    const ask = await newOrderFor('ana', 'validation_request');
    await relay();
    await d.dispatchOnce();
    expect(teams.messages.slice(3)).toEqual([[ask]]);
    clock += 10_000;
    await d.dispatchOnce();
    const digests = teams.messages.slice(4);
    expect(digests.map((m) => m.length)).toEqual([10, 10, 10]);
    expect(digests.flat().sort()).toEqual([...burst].sort());
    expect(new Set(teams.messages.flat()).size).toBe(34);
    expect(await notifications().countDocuments({ state: 'sent', attempts: 1 })).toBe(34);
  });

  it("by default lets a person's first five messages of a window through at once and groups the rest", async () => {
    const teams = new DigestChannel();
    const d = new OutboxDispatcher({
      db: tdb.db,
      logger: quietLogger(),
      channels: [teams],
      now,
      instanceId: 'A',
      digestWindowMs: 10_000,
      leaseMs: 60_000,
    });
    const quick: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      clock += 1_000;
      quick.push(await newOrderFor('ana'));
      await relay();
      await d.dispatchOnce();
    }
    expect(teams.messages).toEqual(quick.map((id) => [id]));
    const rest: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      clock += 500;
      rest.push(await newOrderFor('ana'));
      await relay();
      await d.dispatchOnce();
    }
    expect(teams.messages).toHaveLength(5);
    // The window opened with the first message (16:00:01) ends at 16:00:11.
    clock = Date.parse('2026-03-02T16:00:11Z');
    await d.dispatchOnce();
    expect(teams.messages.slice(5).map((m) => [...m].sort())).toEqual([[...rest].sort()]);
    // The digest opened a new window and counts as its first message: four more go at once.
    for (let i = 0; i < 4; i += 1) {
      clock += 100;
      await newOrderFor('ana');
      await relay();
      await d.dispatchOnce();
    }
    expect(teams.messages.map((m) => m.length)).toEqual([1, 1, 1, 1, 1, 5, 1, 1, 1, 1]);
  });

  it('has the relay queue notices for a person whose window is full due at its end, so none is claimed only to be put back', async () => {
    const teams = new DigestChannel();
    const d = dispatcher([teams], 'A');
    const holdingRelay = () =>
      new OutboxRelay({ db: tdb.db, logger: quietLogger(), now, batchSize: 1000, digestAllowance: 1 }).relayOnce();
    const first = await newOrderFor('ana');
    await holdingRelay();
    await d.dispatchOnce();
    expect(teams.messages).toEqual([[first]]);
    const burst: string[] = [];
    for (let i = 0; i < 10; i += 1) {
      clock += 100;
      burst.push(await newOrderFor('ana'));
    }
    const other = await newOrderFor('carlos');
    await holdingRelay();
    const queued = await notifications()
      .find({ _id: { $in: burst } })
      .toArray();
    expect(queued.map((n) => [n.state, n.attempts, n.dueAt.toISOString()])).toEqual(
      burst.map(() => ['pending', 0, '2026-03-02T16:00:10.000Z']),
    );
    // Carlos has no window yet: his notice is due now and the only one the dispatcher takes.
    expect(await d.dispatchOnce()).toBe(1);
    expect(teams.messages).toEqual([[first], [other]]);
    clock = Date.parse('2026-03-02T16:00:10Z');
    await d.dispatchOnce();
    expect(teams.messages.slice(2).map((m) => [...m].sort())).toEqual([[...burst].sort()]);
    expect(await notifications().countDocuments({ state: 'sent', attempts: 1 })).toBe(12);
  });

  it("stores a digest's outcome for every notice still held, and leaves one whose claim passed to another instance alone", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) ids.push(await newOrderFor('ana'));
    await relay();
    const stolen = ids[1]!;
    // While the digest is on the wire, another instance takes one notice over (its lease ran out there).
    const teams = new DigestChannel();
    const send = teams.sendDigest.bind(teams);
    teams.sendDigest = async (items) => {
      await notifications().updateOne({ _id: stolen }, { $set: { claimToken: 'elsewhere', claimedBy: 'B' } });
      await send(items);
    };
    await dispatcher([teams], 'A', 5).dispatchOnce();
    expect(teams.messages.map((m) => [...m].sort())).toEqual([[...ids].sort()]);
    const docs = new Map(
      (
        await notifications()
          .find({ _id: { $in: ids } })
          .toArray()
      ).map((d) => [d._id, d]),
    );
    expect(ids.map((id) => [docs.get(id)!.state, docs.get(id)!.claimedBy])).toEqual([
      ['sent', 'A'],
      ['claimed', 'B'],
      ['sent', 'A'],
    ]);
    const history = (await tdb.db.collection<ServiceOrder>('orders').find({}).toArray()).flatMap((o) =>
      o.history.map((h) => h.notification?.id),
    );
    expect(history.sort()).toEqual([ids[0], ids[2]].sort());
  });

  it('admits a message to a quiet window in one round trip, whether the window is new, open or over', async () => {
    const watcher = new MongoClient(tdb.uri, { monitorCommands: true });
    const commands: string[] = [];
    watcher.on('commandStarted', (e) => {
      if (e.commandName !== 'endSessions') commands.push(e.commandName);
    });
    try {
      const windows = watcher.db(tdb.dbName).collection<QuietWindowDoc>('notificationWindows');
      const at = (s: number) => new Date(clock + s * 1000);
      const answers = [];
      for (const s of [0, 1, 2, 3]) answers.push(await admitToQuietWindow(windows, 'rosa', at(s), 10_000, 3));
      answers.push(await admitToQuietWindow(windows, 'rosa', at(10), 10_000, 3));
      expect(answers).toEqual([null, null, null, at(10), null]);
      expect(commands).toEqual(Array(5).fill('findAndModify'));
    } finally {
      await watcher.close();
    }
  });

  it('falls back to sending one by one on a channel that cannot send digests', async () => {
    const email: NotificationChannel = { name: 'email', canReach: () => true, send: jest.fn(async () => undefined) };
    const d = dispatcher([email], 'A');
    for (let i = 0; i < 3; i += 1) await newOrderFor('ana');
    await relay();
    await d.dispatchOnce();
    expect(email.send).toHaveBeenCalledTimes(3);
    expect(await notifications().countDocuments({ state: 'sent' })).toBe(3);
  });
});
