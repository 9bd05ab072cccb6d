import { ObjectId } from 'mongodb';
import { createHttpService, HttpService } from '../../../services/http/server';
import type { OrderReads } from '../../../services/http/ports';
import type { ServiceOrder } from '../../../services/orders/types';
import type { OrderStatus } from '../../../services/workflow';
import { reportReads } from '../../../services/reports/report-reads';
import { MongoReportSource } from '../../../services/reports/report-store';
import type { SlaReport } from '../../../services/reports/sla-report';
import { EXAMPLE_DESK_TARGETS } from '../../support/desk-targets';
import { quietLogger } from '../outbox/fixtures';
import { openWorld, World } from '../orders/world';
import { cdmx, life, M } from '../sla/support';

const TOKEN = 'report-token-0123456789';
let w: World;
let http: HttpService;
let base: string;
let reads: ReturnType<typeof reportReads>;

function order(centreId: string, steps: [OrderStatus, string][], provider?: ServiceOrder['provider']): ServiceOrder {
  const l = life(steps);
  const createdAt = l.timestamps.reportedAt!;
  return {
    _id: new ObjectId(),
    folio: `OS-2026-${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`,
    status: l.status,
    version: steps.length,
    requester: { personId: 'fernando.ruiz', name: 'Fernando Ruiz' },
    centreId,
    channel: 'teams',
    equipment: { type: 'computer' },
    description: 'No enciende',
    priority: 'high',
    attachments: [],
    timestamps: l.timestamps,
    history: l.history.map((h) => ({ at: h.at, action: 'take', by: { name: 'x' }, channel: 'teams', to: h.to })),
    outbox: [],
    createdAt,
    updatedAt: createdAt,
    ...(provider ? { provider } : {}),
  } as ServiceOrder;
}

const TECNOSERV = { providerId: 'PROV-TECNOSERV', contractId: 'CT-2026-001', name: 'Tecnoservicios' };

beforeAll(async () => {
  w = await openWorld();
  const source = new MongoReportSource(w.t.db);
  await source.ensureIndexes();
  await w.t.db.collection<ServiceOrder>('orders').insertMany([
    order('CJPF-CDMX', [
      ['reported', '2026-03-02T09:00'],
      ['desk', '2026-03-02T09:10'],
      ['closed', '2026-03-02T10:00'],
    ]),
    order(
      'CJPF-CDMX',
      [
        ['reported', '2026-03-02T09:00'],
        ['desk', '2026-03-02T09:40'],
        ['engineer_assigned', '2026-03-02T09:45'],
        ['diagnosis', '2026-03-02T10:00'],
        ['provider', '2026-03-02T10:00'],
        ['validation', '2026-03-02T12:00'],
        ['signature', '2026-03-02T13:00'],
        ['validated', '2026-03-02T14:00'],
        ['resolved', '2026-03-02T15:00'],
        ['closed', '2026-03-02T16:00'],
      ],
      TECNOSERV,
    ),
    order('CJPF-CDMX', [
      ['reported', '2026-03-03T09:00'],
      ['desk', '2026-03-03T09:20'],
    ]),
    order('CJPF-CDMX', [
      ['reported', '2026-03-03T09:00'],
      ['cancelled', '2026-03-03T09:05'],
    ]),
    order('CJPF-BC-TIJ', [
      ['reported', '2026-03-04T10:00'],
      ['desk', '2026-03-04T10:05'],
    ]),
    order('CJPF-CDMX', [
      ['reported', '2026-04-15T09:00'],
      ['desk', '2026-04-15T09:05'],
    ]),
  ]);
  reads = reportReads({
    source,
    directory: w.directory,
    desk: EXAMPLE_DESK_TARGETS,
    zone: 'America/Mexico_City',
    now: () => cdmx('2026-03-04T12:00'),
  });
  http = createHttpService({
    logger: quietLogger(),
    apiToken: TOKEN,
    orders: {} as OrderReads,
    reports: reads,
    health: { ping: async () => undefined, mailState: () => 'disabled' },
    botEndpoint: async (_req, res) => {
      res.send(404);
    },
  });
  base = `http://127.0.0.1:${await http.listen(0, '127.0.0.1')}`;
});
afterAll(async () => {
  await http.close();
  await w.t.close();
});

const MARCH = { from: '2026-03-01', to: '2026-03-31' };
const group = (r: SlaReport, dimension: string, key: string) =>
  r.groups.find((g) => g.dimension === dimension && g.key === key)!;
const clock = (r: SlaReport, dimension: string, key: string, name: string) =>
  group(r, dimension, key).clocks.find((c) => c.clock === name)!;

describe('slaReport', () => {
  it('counts orders by state per centre, provider and contract within the period', async () => {
    const { report } = await reads.slaReport(MARCH);
    expect(group(report, 'total', 'total').orders).toBe(5);
    expect(group(report, 'centre', 'CJPF-CDMX')).toMatchObject({
      orders: 4,
      byState: { closed: 2, desk: 1, cancelled: 1, reported: 0 },
    });
    expect(group(report, 'centre', 'CJPF-BC-TIJ').orders).toBe(1);
    expect(group(report, 'provider', 'PROV-TECNOSERV').orders).toBe(1);
    expect(group(report, 'contract', 'CT-2026-001').orders).toBe(1);
  });

  it("gives median, p90 and compliance of each clock, in the centre's business time", async () => {
    const { report } = await reads.slaReport(MARCH);
    // Desk response: 10, 40, 20 and 5 minutes (Tijuana's 08:00 → 08:05); the cancelled order is left out.
    expect(clock(report, 'total', 'total', 'desk_response')).toMatchObject({
      completed: 4,
      medianMs: 15 * M,
      p90Ms: 40 * M,
      met: 3,
      breached: 1,
      complianceRate: 0.75,
    });
    expect(clock(report, 'contract', 'CT-2026-001', 'provider_attention')).toMatchObject({
      completed: 1,
      medianMs: 120 * M,
      met: 1,
      breached: 0,
      complianceRate: 1,
    });
    // Five hours from hand-off to resolution, two of them waiting for the requester and the judge.
    expect(clock(report, 'provider', 'PROV-TECNOSERV', 'provider_resolution')).toMatchObject({
      medianMs: 180 * M,
      complianceRate: 1,
    });
    expect(group(report, 'total', 'total').ordersWithBreach).toBe(1);
  });

  it('narrows to one centre, provider or contract', async () => {
    expect(group((await reads.slaReport({ ...MARCH, centre: 'CJPF-BC-TIJ' })).report, 'total', 'total').orders).toBe(1);
    expect(group((await reads.slaReport({ ...MARCH, contract: 'CT-2026-001' })).report, 'total', 'total').orders).toBe(
      1,
    );
    expect((await reads.slaReport({ ...MARCH, provider: 'PROV-NADIE' })).report.groups).toEqual([]);
  });
});

describe('GET /api/reports/sla', () => {
  const get = (query: string, token: string | null = TOKEN) =>
    fetch(`${base}/api/reports/sla?${query}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  it('answers JSON by default and CSV on request', async () => {
    const json = await get('from=2026-03-01&to=2026-03-31');
    expect(json.status).toBe(200);
    expect(((await json.json()) as SlaReport).groups[0]).toMatchObject({ dimension: 'total', orders: 5 });
    const csv = await get('from=2026-03-01&to=2026-03-31&format=csv');
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await csv.text()).replace(/^\uFEFF/, '').split('\r\n');
    expect(lines[0]).toContain('Agrupación,Clave,Órdenes');
    expect(lines[0]).toContain('Cumplimiento (%)');
    expect(lines).toContainEqual(
      expect.stringMatching(/^Total,total,5,1,.*,Respuesta de la Mesa de Servicio,4,15,40,3,1,75\.0$/),
    );
  });

  it.each([
    ['to=2026-03-31', 'from'],
    ['from=2026-03-01&to=2026-02-01', 'to'],
    ['from=2026-03-01&to=2028-03-01', 'to'],
    ['from=marzo&to=2026-03-31', 'from'],
    ['from=2026-03-01&to=2026-03-31&centre=$ne', 'centre'],
    ['from=2026-03-01&to=2026-03-31&format=xlsx', 'format'],
    ['from=2026-03-01&to=2026-03-31&folio=1', 'folio'],
    ['from=2026-03-01&from=2026-03-02&to=2026-03-31', 'from'],
  ])('answers 400 naming the parameter for %s', async (query, field) => {
    const res = await get(query);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'VALIDATION', field } });
  });

  it('refuses a request without the bearer token', async () => {
    expect((await get('from=2026-03-01&to=2026-03-31', null)).status).toBe(401);
  });
});
