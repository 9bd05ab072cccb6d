import { Writable } from 'node:stream';
import { ObjectId } from 'mongodb';
import { createTeamsBot } from '../../../bot/endpoint';
import { MongoDirectoryStore } from '../../../services/directory/directory-store';
import { botServices } from '../../support/order-services';
import type { Config } from '../../../services/config';
import { createHttpService, HttpService } from '../../../services/http/server';
import { createLogger, Logger } from '../../../services/logger';
import { orderReadsFromStore } from '../../../services/http/order-reads';
import { MongoOrderStore } from '../../../services/orders/order-store';
import type { ServiceOrder } from '../../../services/orders/types';
import { openTestDatabase, TestDatabase } from '../../support/mongo';
import { quietLogger } from '../outbox/fixtures';

export interface Harness {
  baseUrl: string;
  tdb: TestDatabase;
  http: HttpService;
  close(): Promise<void>;
}

/** The real HTTP service on a free loopback port, over the real driver and test database. */
export async function startHarness(
  options: { apiToken?: string; bot?: Config['bot']; openIdMetadataUrl?: string; logger?: Logger } = {},
): Promise<Harness> {
  const tdb = await openTestDatabase();
  const store = new MongoOrderStore(tdb.db);
  await store.ensureIndexes();
  const orders = orderReadsFromStore(store);
  // TEST_LOG_LEVEL=debug shows the service's own log lines while debugging a test.
  const logger =
    options.logger ?? (process.env.TEST_LOG_LEVEL ? createLogger(process.env.TEST_LOG_LEVEL) : quietLogger());
  const http = createHttpService({
    logger,
    apiToken: options.apiToken,
    orders,
    health: {
      ping: async () => {
        await tdb.db.command({ ping: 1 });
      },
      mailState: () => 'disabled',
      timeoutMs: 1500,
    },
    botEndpoint: createTeamsBot({
      bot: options.bot ?? {},
      db: tdb.db,
      logger,
      openIdMetadataUrl: options.openIdMetadataUrl,
      ...botServices(store, new MongoDirectoryStore(tdb.client, tdb.db)),
    }).endpoint,
  });
  const port = await http.listen(0, '127.0.0.1');
  let closed = false;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    tdb,
    http,
    async close() {
      if (closed) return;
      closed = true;
      await http.close();
      await tdb.close().catch(() => undefined);
    },
  };
}

/** A stored order with sensible defaults. */
export function makeOrder(seq: number, overrides: Partial<ServiceOrder> = {}): ServiceOrder {
  const createdAt = new Date(Date.UTC(2026, 2, 1, 12) + seq * 3600_000);
  return {
    _id: new ObjectId(),
    folio: `OS-2026-${String(seq).padStart(6, '0')}`,
    status: 'reported',
    version: 1,
    requester: { personId: 'ana', name: 'Ana Solicitante' },
    centreId: 'cjpf-cdmx',
    channel: 'teams',
    equipment: { type: 'printer' },
    description: 'La impresora no imprime',
    priority: 'medium',
    attachments: [],
    timestamps: { reportedAt: createdAt },
    history: [
      {
        at: createdAt,
        action: 'report',
        by: { personId: 'ana', name: 'Ana Solicitante' },
        channel: 'teams',
        to: 'reported',
      },
    ],
    outbox: [],
    createdAt,
    updatedAt: createdAt,
    ...overrides,
  };
}

/** A logger at `level` that keeps its lines (parsed) for assertions. */
export function recordingLogger(level = 'debug'): {
  logger: Logger;
  lines: Array<Record<string, unknown> & { level: number; msg?: string }>;
} {
  const lines: Array<Record<string, unknown> & { level: number; msg?: string }> = [];
  const destination = new Writable({
    write(chunk: Buffer, _e, done) {
      lines.push(JSON.parse(chunk.toString('utf8')));
      done();
    },
  });
  return { logger: createLogger(level, destination), lines };
}
