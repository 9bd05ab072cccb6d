import { ObjectId } from 'mongodb';
import { createHttpService, HttpService } from '../../../services/http/server';
import { orderReadsFromStore } from '../../../services/http/order-reads';
import { DeskMetrics } from '../../../services/metrics/desk-metrics';
import { orderGaugeObserver, seedOrderGauge, slaCountObserver } from '../../../services/metrics/order-metrics';
import { MongoOrderStore } from '../../../services/orders/order-store';
import { MongoSlaStore } from '../../../services/sla/sla-store';
import { openTestDatabase, TestDatabase } from '../../support/mongo';
import { makeOrder } from '../http/harness';
import { quietLogger } from '../outbox/fixtures';

const TOKEN = 'metrics-test-token-0123456789';
const by = { personId: 'luis', name: 'Luis Analista' };

/** The value of one sample line (`name{labels} value`), or undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && wanted.every((w) => l.includes(w)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('/metrics', () => {
  let tdb: TestDatabase;
  let http: HttpService;
  let base: string;
  let metrics: DeskMetrics;
  let store: MongoOrderStore;
  let intake = { state: 'connected', processed: 7, refused: 2, quarantined: 1, automated: 3, duplicates: 0 };

  beforeAll(async () => {
    tdb = await openTestDatabase();
    // Orders stored before the start: the gauge counts them once, by state and centre.
    await tdb.db
      .collection('orders')
      .insertMany([
        makeOrder(1),
        makeOrder(2),
        makeOrder(3, { status: 'desk' }),
        makeOrder(4, { centreId: 'cjpf-gdl' }),
      ]);
    metrics = new DeskMetrics({ intake: () => intake });
    store = new MongoOrderStore(tdb.db, orderGaugeObserver(metrics));
    await seedOrderGauge(tdb.db, metrics);
    const logger = quietLogger();
    http = createHttpService({
      logger,
      apiToken: TOKEN,
      orders: orderReadsFromStore(store),
      metrics,
      health: {
        ping: async () => {
          await tdb.db.command({ ping: 1 });
        },
        mailState: () => 'disabled',
        timeoutMs: 1500,
      },
      botEndpoint: async (_req, res) => {
        res.send(200);
      },
    });
    base = `http://127.0.0.1:${await http.listen(0, '127.0.0.1')}`;
  });
  afterAll(async () => {
    await http?.close();
    await tdb?.close();
  });

  const scrape = async () => {
    const res = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    return res.text();
  };

  it('refuses a scrape without the read API token, as the read API does', async () => {
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    expect(
      (await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status,
    ).toBe(401);
  });

  it('counts the stored orders by state and centre', async () => {
    const text = await scrape();
    expect(sample(text, 'mesa_orders', { status: 'reported', centre: 'cjpf-cdmx' })).toBe(2);
    expect(sample(text, 'mesa_orders', { status: 'desk', centre: 'cjpf-cdmx' })).toBe(1);
    expect(sample(text, 'mesa_orders', { status: 'reported', centre: 'cjpf-gdl' })).toBe(1);
  });

  it('moves the gauge with each insert and state change, without counting again', async () => {
    const { folio: _folio, ...unnumbered } = makeOrder(5);
    const { order } = await store.create(unnumbered, 2026);
    const changed = await store.applyChange({
      id: order._id,
      from: 'reported',
      version: 1,
      set: { status: 'desk' },
      history: { at: new Date(), action: 'take', by, channel: 'teams', from: 'reported', to: 'desk' },
      notices: [],
    });
    expect(changed?.status).toBe('desk');
    // A stale change matches nothing and moves nothing.
    await store.applyChange({
      id: order._id,
      from: 'reported',
      version: 1,
      set: { status: 'desk' },
      history: { at: new Date(), action: 'take', by, channel: 'teams' },
      notices: [],
    });
    await tdb.db.collection('orders').insertOne(makeOrder(6)); // written behind the store's back: not seen until a recount
    const text = await scrape();
    expect(sample(text, 'mesa_orders', { status: 'reported', centre: 'cjpf-cdmx' })).toBe(2);
    expect(sample(text, 'mesa_orders', { status: 'desk', centre: 'cjpf-cdmx' })).toBe(2);
    await seedOrderGauge(tdb.db, metrics);
    expect(sample(await scrape(), 'mesa_orders', { status: 'reported', centre: 'cjpf-cdmx' })).toBe(3);
  });

  it('reports notices by channel and outcome, SLA breaches and the intake counters', async () => {
    metrics.notices.inc({ channel: 'teams', outcome: 'sent_teams' }, 3);
    metrics.notices.inc({ channel: 'email', outcome: 'fell_back' });
    const sla = new MongoSlaStore(tdb.db, slaCountObserver(metrics));
    const [order] = await tdb.db.collection('orders').find({}).limit(1).toArray();
    expect(await sla.recordThresholds(order!._id as ObjectId, ['attention:75', 'attention:100'], [])).toBe(true);
    expect(await sla.recordThresholds(order!._id as ObjectId, ['attention:75', 'attention:100'], [])).toBe(false); // already recorded
    intake = { ...intake, processed: 8 };
    const text = await scrape();
    expect(sample(text, 'mesa_notices_total', { channel: 'teams', outcome: 'sent_teams' })).toBe(3);
    expect(sample(text, 'mesa_notices_total', { channel: 'email', outcome: 'fell_back' })).toBe(1);
    expect(sample(text, 'mesa_sla_breaches_total', { clock: 'attention' })).toBe(1);
    expect(sample(text, 'mesa_sla_warnings_total', { clock: 'attention' })).toBe(1);
    expect(sample(text, 'mesa_intake_mails_total', { result: 'processed' })).toBe(8);
    expect(sample(text, 'mesa_intake_mails_total', { result: 'refused' })).toBe(2);
    expect(text).toContain('mesa_intake_connected 1');
  });

  it('measures HTTP latency by route, keeping unmatched paths under one label', async () => {
    await fetch(`${base}/healthz`);
    await fetch(`${base}/no/such/path/${Date.now()}`);
    const text = await scrape();
    expect(
      sample(text, 'mesa_http_request_duration_seconds_count', { method: 'GET', route: '/healthz', status: '200' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(text, 'mesa_http_request_duration_seconds_count', { route: '(unmatched)', status: '404' }),
    ).toBeGreaterThanOrEqual(1);
    expect(text).not.toContain('/no/such/path');
  });
});
