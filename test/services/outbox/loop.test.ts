import { openTestDatabase, TestDatabase } from '../../support/mongo';
import {
  NotificationChannel,
  NotificationDoc,
  OutboxDispatcher,
  OutboxLoop,
  OutboxRelay,
} from '../../../services/outbox';
import { insertOrderWithNotices, quietLogger } from './fixtures';

describe('OutboxLoop', () => {
  let tdb: TestDatabase;
  beforeAll(async () => {
    tdb = await openTestDatabase();
  });
  afterAll(async () => {
    await tdb?.close();
  });

  it('lets the notification being sent finish and stores its outcome before stop() resolves', async () => {
    const order = await insertOrderWithNotices(tdb.db, 3);
    let release!: () => void;
    let started!: () => void;
    const sending = new Promise<void>((r) => {
      started = r;
    });
    const sent: string[] = [];
    const slow: NotificationChannel = {
      name: 'slow',
      canReach: () => true,
      send: async (n: NotificationDoc) => {
        started();
        await new Promise<void>((r) => {
          release = r;
        });
        sent.push(n._id);
      },
    };
    const logger = quietLogger();
    const loop = new OutboxLoop({
      relay: new OutboxRelay({ db: tdb.db, logger }),
      dispatcher: new OutboxDispatcher({ db: tdb.db, logger, channels: [slow] }),
      logger,
      intervalMs: 10,
    });
    loop.start();
    await sending;
    let stopped = false;
    const stopping = loop.stop().then(() => {
      stopped = true;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(sent).toHaveLength(1);
    const states = await tdb.db.collection<NotificationDoc>('notifications').find({ orderId: order._id }).toArray();
    expect(states.filter((n) => n.state === 'sent').map((n) => n._id)).toEqual(sent);
    // The two not yet claimed simply wait for the next start: still pending, not failed.
    expect(states.filter((n) => n.state === 'pending')).toHaveLength(2);
  });
});
