import { OutboxDispatcher, OutboxRelay } from '../../../services/outbox';
import { openTestDatabase, TestDatabase } from '../../support/mongo';
import { insertOrderWithNotices, quietLogger, RecordingChannel } from '../outbox/fixtures';

describe('OutboxDispatcher onOutcome (what feeds mesa_notices_total)', () => {
  let tdb: TestDatabase;
  beforeAll(async () => {
    tdb = await openTestDatabase();
  });
  afterAll(async () => {
    await tdb?.close();
  });

  it('tells each stored outcome with its channel: a retry, then the send', async () => {
    let clock = Date.parse('2026-03-02T16:00:00Z');
    const now = () => new Date(clock);
    await insertOrderWithNotices(tdb.db, 2);
    await new OutboxRelay({ db: tdb.db, logger: quietLogger(), now, batchSize: 1000 }).relayOnce();
    const told: Array<{ channel?: string; outcome: string; count: number }> = [];
    const dispatcher = new OutboxDispatcher({
      db: tdb.db,
      logger: quietLogger(),
      channels: [new RecordingChannel('teams', 1)],
      now,
      leaseMs: 60_000,
      baseDelayMs: 1_000,
      maxDelayMs: 60_000,
      onOutcome: (o, count) => told.push({ ...o, count }),
    });
    await dispatcher.dispatchOnce();
    clock += 120_000;
    await dispatcher.dispatchOnce();
    const sum = (outcome: string) => told.filter((t) => t.outcome === outcome).reduce((n, t) => n + t.count, 0);
    expect(sum('retry')).toBe(1);
    expect(sum('sent_teams')).toBe(2);
    expect(told.filter((t) => t.outcome === 'sent_teams').every((t) => t.channel === 'teams')).toBe(true);
  });
});
