import { openTestDatabase, TestDatabase } from '../../support/mongo';
import {
  backoffDelay,
  NotificationChannel,
  NotificationDoc,
  OutboxDispatcher,
  OutboxRelay,
} from '../../../services/outbox';
import type { ServiceOrder } from '../../../services/orders/types';
import { first } from '../../support/present';
import { insertOrderWithNotices, quietLogger, RecordingChannel } from './fixtures';

describe('OutboxDispatcher', () => {
  let tdb: TestDatabase;
  let clock: number;
  const now = () => new Date(clock);
  const notifications = () => tdb.db.collection<NotificationDoc>('notifications');
  const orders = () => tdb.db.collection<ServiceOrder>('orders');
  const dispatcher = (
    channels: NotificationChannel[],
    extra: Partial<ConstructorParameters<typeof OutboxDispatcher>[0]> = {},
  ) =>
    new OutboxDispatcher({
      db: tdb.db,
      logger: quietLogger(),
      channels,
      now,
      leaseMs: 60_000,
      baseDelayMs: 1_000,
      maxDelayMs: 60_000,
      ...extra,
    });
  async function seed(orderCount: number, perOrder: number): Promise<ServiceOrder[]> {
    const created: ServiceOrder[] = [];
    for (let i = 0; i < orderCount; i += 1) created.push(await insertOrderWithNotices(tdb.db, perOrder));
    await new OutboxRelay({ db: tdb.db, logger: quietLogger(), now, batchSize: 1000 }).relayOnce();
    return created;
  }

  beforeAll(async () => {
    tdb = await openTestDatabase();
  });
  afterAll(async () => {
    await tdb?.close();
  });
  beforeEach(async () => {
    clock = Date.parse('2026-03-02T16:00:00Z');
    await notifications().deleteMany({});
    await orders().deleteMany({});
  });

  it('sends a due notification, records the channel and writes one history entry on the order', async () => {
    const order = first(await seed(1, 1));
    const channel = new RecordingChannel('teams');
    expect(await dispatcher([channel]).dispatchOnce()).toBe(1);
    expect(channel.sent).toEqual([{ id: first(order.outbox).id, folio: order.folio }]);
    const doc = await notifications().findOne({ _id: first(order.outbox).id });
    expect(doc).toMatchObject({ state: 'sent', channel: 'teams', attempts: 1, historyRecorded: true });
    const history = (await orders().findOne({ _id: order._id }))?.history ?? [];
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({
      action: 'notification',
      notification: { id: first(order.outbox).id, outcome: 'sent_teams', channel: 'teams' },
    });
  });

  it('never sends a sent notification again, however late the clock runs', async () => {
    await seed(1, 2);
    const channel = new RecordingChannel();
    await dispatcher([channel]).dispatchOnce();
    clock += 365 * 24 * 3600_000;
    expect(await dispatcher([channel]).dispatchOnce()).toBe(0);
    expect(channel.sent).toHaveLength(2);
  });

  it('retries after a crash between claim and send once the lease expires, and sends exactly once', async () => {
    const order = first(await seed(1, 1));
    const channel = new RecordingChannel();
    const dying = dispatcher([channel], { instanceId: 'A' });
    const claimed = await dying.claimNext();
    expect(claimed).toMatchObject({ _id: first(order.outbox).id, state: 'claimed', claimedBy: 'A' });
    // "A" dies here: the claim is never processed.
    const survivor = dispatcher([channel], { instanceId: 'B' });
    expect(await survivor.dispatchOnce()).toBe(0);
    clock += 60_001;
    expect(await survivor.dispatchOnce()).toBe(1);
    expect(channel.sent.map((s) => s.id)).toEqual([first(order.outbox).id]);
    expect(await notifications().findOne({ _id: first(order.outbox).id })).toMatchObject({
      state: 'sent',
      claimedBy: 'B',
      attempts: 2,
    });
    // Had "A" come back, its stale claim must not overwrite the outcome.
    expect(await dying.process(claimed as NotificationDoc)).toBe('lost_claim');
    expect(channel.sent).toHaveLength(2);
    expect(await notifications().findOne({ _id: first(order.outbox).id })).toMatchObject({
      state: 'sent',
      claimedBy: 'B',
    });
  });

  it('stores the outcome of each of the sends finishing together, each with its own history entry', async () => {
    const created = await seed(8, 1);
    const channel = new RecordingChannel('teams');
    const d = new OutboxDispatcher({
      db: tdb.db,
      logger: quietLogger(),
      channels: [channel],
      now,
      leaseMs: 60_000,
      concurrency: 8,
    });
    expect(await d.dispatchOnce()).toBe(8);
    expect(await notifications().countDocuments({ state: 'sent', outcome: 'sent_teams', historyRecorded: true })).toBe(
      8,
    );
    for (const order of created) {
      const history = (await orders().findOne({ _id: order._id }))?.history ?? [];
      expect(history.map((h) => h.notification?.id)).toEqual([first(order.outbox).id]);
    }
  });

  it('sends each of 200 notifications exactly once when two dispatchers race', async () => {
    await seed(40, 5);
    const channel = new RecordingChannel();
    const run = async (d: OutboxDispatcher) => {
      while ((await d.dispatchOnce(10)) > 0);
    };
    const a = dispatcher([channel], { instanceId: 'A' });
    const b = dispatcher([channel], { instanceId: 'B' });
    await Promise.all([run(a), run(b)]);
    const ids = channel.sent.map((s) => s.id);
    expect(ids).toHaveLength(200);
    expect(new Set(ids).size).toBe(200);
    expect(await notifications().countDocuments({ state: 'sent' })).toBe(200);
    const byInstance = await notifications()
      .aggregate<{ _id: string; n: number }>([{ $group: { _id: '$claimedBy', n: { $sum: 1 } } }])
      .toArray();
    expect(byInstance.reduce((sum, g) => sum + g.n, 0)).toBe(200);
  }, 120_000);

  it('sends each notification exactly once with several in flight per dispatcher', async () => {
    await seed(20, 5);
    const channel = new RecordingChannel();
    const a = dispatcher([channel], { instanceId: 'A', concurrency: 8 });
    const b = dispatcher([channel], { instanceId: 'B', concurrency: 8 });
    const run = async (d: OutboxDispatcher) => {
      while ((await d.dispatchOnce(50)) > 0);
    };
    await Promise.all([run(a), run(b)]);
    const ids = channel.sent.map((s) => s.id);
    expect(ids).toHaveLength(100);
    expect(new Set(ids).size).toBe(100);
    expect(await notifications().countDocuments({ state: 'sent', attempts: 1 })).toBe(100);
  }, 120_000);

  it('backs off exponentially and records the final failure with its reason', async () => {
    const order = first(await seed(1, 1));
    const id = first(order.outbox).id;
    const channel = new RecordingChannel('email', Infinity);
    const d = dispatcher([channel], { maxAttempts: 3 });
    expect(await d.dispatchOnce()).toBe(1);
    expect(await notifications().findOne({ _id: id })).toMatchObject({
      state: 'pending',
      attempts: 1,
      dueAt: new Date(clock + 1_000),
    });
    clock += 999;
    expect(await d.dispatchOnce()).toBe(0);
    clock += 1;
    expect(await d.dispatchOnce()).toBe(1);
    expect((await notifications().findOne({ _id: id }))?.dueAt).toEqual(new Date(clock + 2_000));
    clock += 2_000;
    expect(await d.dispatchOnce()).toBe(1);
    const failed = await notifications().findOne({ _id: id });
    expect(failed).toMatchObject({ state: 'failed', attempts: 3, reason: 'email: channel unavailable' });
    expect(failed?.log.map((l) => l.outcome)).toEqual(['error', 'error', 'error']);
    clock += 3_600_000;
    expect(await d.dispatchOnce()).toBe(0);
    expect(channel.attempts).toBe(3);
    const history = (await orders().findOne({ _id: order._id }))?.history ?? [];
    expect(history.map((h) => h.notification?.outcome)).toEqual(['failed']);
    expect(first(history).notification?.detail).toBe('email: channel unavailable');
  });

  it('falls back to the next channel that can reach the recipient when the first keeps failing', async () => {
    const order = first(await seed(1, 1));
    const teams = new RecordingChannel('teams', 5);
    const email = new RecordingChannel('email');
    const d = dispatcher([teams, email], { fallbackAfterAttempts: 2 });
    await d.dispatchOnce();
    expect({ teams: teams.attempts, email: email.attempts }).toEqual({ teams: 1, email: 0 });
    clock += 1_000;
    await d.dispatchOnce();
    expect({ teams: teams.attempts, email: email.sent.length }).toEqual({ teams: 2, email: 1 });
    expect(await notifications().findOne({ _id: first(order.outbox).id })).toMatchObject({
      state: 'sent',
      channel: 'email',
      outcome: 'fell_back',
      reason: 'teams: channel unavailable',
    });
    const history = (await orders().findOne({ _id: order._id }))?.history ?? [];
    expect(history.map((h) => h.notification)).toEqual([
      expect.objectContaining({ outcome: 'fell_back', channel: 'email', detail: 'teams: channel unavailable' }),
    ]);
  });

  it('falls back at once when the first channel says the recipient is gone there', async () => {
    const order = first(await seed(1, 1));
    const gone: NotificationChannel = {
      name: 'teams',
      canReach: () => true,
      send: async () => {
        throw Object.assign(new Error('Teams answered 403'), { details: { gone: true } });
      },
    };
    const email = new RecordingChannel('email');
    await dispatcher([gone, email]).dispatchOnce();
    expect(await notifications().findOne({ _id: first(order.outbox).id })).toMatchObject({
      state: 'sent',
      outcome: 'fell_back',
      attempts: 1,
    });
  });

  it('reaches provider contacts by email only, even when another channel claims to reach them', async () => {
    const order = first(await seed(1, 1));
    await notifications().updateOne(
      { _id: first(order.outbox).id },
      { $set: { recipient: { email: 'prov@tecno.example.mx', role: 'provider_contact' } } },
    );
    const teams = new RecordingChannel('teams');
    const email = new RecordingChannel('email');
    await dispatcher([teams, email]).dispatchOnce();
    expect({ teams: teams.attempts, email: email.sent.length }).toEqual({ teams: 0, email: 1 });
    expect(await notifications().findOne({ _id: first(order.outbox).id })).toMatchObject({ outcome: 'sent_email' });
  });

  it('fails a notification at once when no channel can reach the recipient', async () => {
    const order = first(await seed(1, 1));
    await dispatcher([new RecordingChannel('teams', 0, false)]).dispatchOnce();
    expect(await notifications().findOne({ _id: first(order.outbox).id })).toMatchObject({
      state: 'failed',
      reason: 'no channel can reach the recipient',
    });
  });

  it('claims due notices in batches and writes one history entry per outcome on each order', async () => {
    const created = await seed(6, 3);
    const channel = new RecordingChannel();
    expect(await dispatcher([channel], { concurrency: 2 }).dispatchOnce()).toBe(18);
    expect(new Set(channel.sent.map((s) => s.id)).size).toBe(18);
    expect(await notifications().countDocuments({ state: 'sent', attempts: 1, historyRecorded: true })).toBe(18);
    for (const order of created) {
      const history = (await orders().findOne({ _id: order._id }))?.history ?? [];
      expect(history.map((h) => h.notification?.id).sort()).toEqual(order.outbox.map((n) => n.id).sort());
    }
  });

  it('puts a claimed notice back, unsent and its attempt uncounted, when its lease could run out mid-send', async () => {
    const order = first(await seed(1, 2));
    const channel = new RecordingChannel();
    // A send may take up to 60 s but the claim only holds 60 s: sending could outlive it.
    const d = dispatcher([channel], { leaseMs: 60_000, sendTimeoutMs: 60_000 });
    expect(await d.dispatchOnce()).toBe(0);
    expect(channel.attempts).toBe(0);
    expect(
      await notifications()
        .find({ orderId: order._id })
        .project({ _id: 0, state: 1, attempts: 1, claimToken: 1 })
        .toArray(),
    ).toEqual([
      { state: 'pending', attempts: 0 },
      { state: 'pending', attempts: 0 },
    ]);
  });

  it('gives back the rest of a claimed batch when told to stop, so nothing waits for a lease', async () => {
    await seed(1, 6);
    const channel = new RecordingChannel();
    let budget = 2;
    const sent = await dispatcher([channel], { concurrency: 1 }).dispatchOnce(100, () => budget-- > 0);
    expect(sent).toBe(channel.sent.length);
    expect(sent).toBeLessThan(6);
    expect(await notifications().countDocuments({ state: 'claimed' })).toBe(0);
    expect(await notifications().countDocuments({ state: 'pending', attempts: 0 })).toBe(6 - sent);
    expect(await dispatcher([channel]).dispatchOnce()).toBe(6 - sent);
  });

  it('writes a missing history entry once after a crash between outcome and history', async () => {
    const order = first(await seed(1, 1));
    await dispatcher([new RecordingChannel()]).dispatchOnce();
    await notifications().updateOne({ _id: first(order.outbox).id }, { $set: { historyRecorded: false } });
    expect(await dispatcher([]).recordPendingHistory()).toBe(1);
    expect((await orders().findOne({ _id: order._id }))?.history).toHaveLength(1);
  });
});

describe('backoffDelay', () => {
  it('doubles from the base delay and stops at the cap', () => {
    expect([1, 2, 3, 4, 10].map((n) => backoffDelay(n, 1_000, 5_000))).toEqual([1_000, 2_000, 4_000, 5_000, 5_000]);
  });
});
