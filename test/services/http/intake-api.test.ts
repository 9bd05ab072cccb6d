import { IntakeStats, IntakeStore } from '../../../intake';
import type { MailLogEntry } from '../../../intake/intake-store';
import { intakeReadsFrom } from '../../../services/http/intake-reads';
import { createHttpService, HttpService } from '../../../services/http/server';
import { orderReadsFromStore } from '../../../services/http/order-reads';
import { MongoOrderStore } from '../../../services/orders/order-store';
import { openTestDatabase, TestDatabase } from '../../support/mongo';
import { quietLogger } from '../outbox/fixtures';

const TOKEN = 'intake-token-0123456789abcdef';
const json = (res: Response): Promise<any> => res.json();

const entry = (i: number, folder: MailLogEntry['folder']): MailLogEntry => ({
  _id: `key-${i}`,
  outcome: folder === 'processed' ? 'order_created' : folder === 'refused' ? 'refused' : 'quarantined',
  folder,
  mailbox: 'INBOX',
  uid: i,
  uidValidity: '1',
  messageId: `<m${i}@ejemplo.mx>`,
  from: `persona${i}@ejemplo.mx`,
  subject: `Asunto ${i} — impresión`,
  reason: folder === 'processed' ? undefined : `motivo ${i}`,
  at: new Date(Date.UTC(2026, 2, 1, 12, i)),
});

describe('GET /api/intake', () => {
  let tdb: TestDatabase;
  let http: HttpService;
  let baseUrl: string;
  const stats: IntakeStats = {
    state: 'connected',
    processed: 7,
    refused: 3,
    quarantined: 4,
    automated: 1,
    duplicates: 0,
    lastError: 'imap: connection reset',
    lastErrorAt: new Date(Date.UTC(2026, 2, 1, 13)),
  };
  const get = (path: string, token: string | null = TOKEN) =>
    fetch(`${baseUrl}${path}`, { headers: token === null ? {} : { authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    tdb = await openTestDatabase();
    const store = new IntakeStore(tdb.db);
    await store.ensureIndexes();
    // 1..12: every third refused, every third processed, the rest quarantined.
    await store.record(
      Array.from({ length: 12 }, (_, k) =>
        entry(k + 1, k % 3 === 0 ? 'quarantine' : k % 3 === 1 ? 'refused' : 'processed'),
      ),
    );
    http = createHttpService({
      logger: quietLogger(),
      apiToken: TOKEN,
      orders: orderReadsFromStore(new MongoOrderStore(tdb.db)),
      health: { ping: async () => undefined, mailState: () => stats.state },
      intake: intakeReadsFrom(store, { state: () => stats.state, stats: () => stats }),
      botEndpoint: async (_req, res) => {
        res.send(404);
      },
    });
    baseUrl = `http://127.0.0.1:${await http.listen(0, '127.0.0.1')}`;
  });
  afterAll(async () => {
    await http?.close();
    await tdb?.close();
  });

  it('answers 401 with a Spanish message when the token is missing or wrong', async () => {
    for (const token of [null, 'wrong-token-0123456789']) {
      const res = await get('/api/intake', token);
      expect(res.status).toBe(401);
      expect((await json(res)).error).toMatchObject({
        code: 'UNAUTHENTICATED',
        message: expect.stringMatching(/token de acceso/),
      });
    }
  });

  it('answers the poller counters and the held mails newest first, without processed ones', async () => {
    const res = await get('/api/intake');
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.mail).toBe('connected');
    expect(body.counters).toMatchObject({
      processed: 7,
      refused: 3,
      quarantined: 4,
      lastError: 'imap: connection reset',
      lastErrorAt: '2026-03-01T13:00:00.000Z',
    });
    expect(body.held.total).toBe(8);
    expect(body.held.items.map((m: { sender: string }) => m.sender)).toEqual(
      [11, 10, 8, 7, 5, 4, 2, 1].map((i) => `persona${i}@ejemplo.mx`),
    );
    expect(body.held.items[0]).toEqual({
      key: expect.any(String),
      folder: 'refused',
      outcome: 'refused',
      reason: 'motivo 11',
      sender: 'persona11@ejemplo.mx',
      subject: 'Asunto 11 — impresión',
      date: '2026-03-01T12:11:00.000Z',
      messageId: '<m11@ejemplo.mx>',
    });
  });

  it('pages and filters by folder', async () => {
    const page = await json(await get('/api/intake?folder=quarantine&page=2&pageSize=2'));
    expect(page.held).toMatchObject({ total: 4, page: 2, pageSize: 2 });
    expect(page.held.items.map((m: { reason: string }) => m.reason)).toEqual(['motivo 4', 'motivo 1']);
    expect(page.held.items.every((m: { folder: string }) => m.folder === 'quarantine')).toBe(true);
  });

  it('answers 400 naming the parameter for a bad query', async () => {
    const cases: Array<[string, string]> = [
      ['folder=processed', 'folder'],
      ['pageSize=1000', 'pageSize'],
      ['page=0', 'page'],
      ['color=red', 'color'],
      ['folder=refused&folder=quarantine', 'folder'],
    ];
    for (const [query, field] of cases) {
      const res = await get(`/api/intake?${query}`);
      expect(res.status).toBe(400);
      const body = await json(res);
      expect(body.error.code).toBe('VALIDATION');
      expect(body.error.field ?? body.error.message).toContain(field);
    }
  });

  it('answers null counters while no mailbox is configured', async () => {
    const reads = intakeReadsFrom(new IntakeStore(tdb.db), { state: () => 'disabled', stats: () => undefined });
    const status = await reads.intakeStatus({ pageSize: '1' });
    expect(status).toMatchObject({ mail: 'disabled', counters: null, held: { total: 8 } });
  });
});
