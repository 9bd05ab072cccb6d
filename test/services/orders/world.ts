import { join } from 'node:path';
import { openTestDatabase, TestDatabase } from '../../support/mongo';
import { MongoDirectoryStore } from '../../../services/directory/directory-store';
import { importDirectory } from '../../../services/directory/load-directory';
import { MongoOrderStore } from '../../../services/orders/order-store';
import type { OrderStatus } from '../../../services/workflow';
import type { ServiceOrder } from '../../../services/orders/types';
import { reportOrder, ReportOrderInput } from '../../../services/orders/report-order';
import { takeOrder } from '../../../services/orders/take-order';
import { assignEngineer } from '../../../services/orders/assign-engineer';
import { acceptOrder } from '../../../services/orders/accept-order';
import { turnToProvider } from '../../../services/orders/turn-to-provider';
import { recordProviderAttention } from '../../../services/orders/record-provider-attention';
import { confirmValidation } from '../../../services/orders/confirm-validation';
import { signOrder } from '../../../services/orders/sign-order';
import { documentAttention } from '../../../services/orders/document-attention';
import { closeOrder } from '../../../services/orders/close-order';
import { cancelOrder } from '../../../services/orders/cancel-order';

export const EXAMPLE_DIRECTORY = join(__dirname, '../../../services/directory/example-directory.json');

/** People of the example directory the order tests act as. */
export const P = {
  requester: 'fernando.ruiz', // requester, CJPF-CDMX
  otherRequester: 'maria.hernandez', // requester, CJPF-BC-TIJ
  analyst: 'ana.lopez',
  analyst2: 'carlos.ramirez',
  engineer: 'miguel.torres', // serves CJPF-CDMX
  otherEngineer: 'jorge.valdez', // serves CJPF-BC-TIJ only
  judge: 'patricia.garcia', // judge (and requester) of CJPF-CDMX
  otherJudge: 'ricardo.navarro', // judge of CJPF-BC-TIJ
  provider: 'raul.ibarra', // contact of PROV-TECNOSERV
  otherProvider: 'elena.vargas', // contact of PROV-AUDIOVIS
  admin: 'gabriela.soto',
} as const;

export interface World {
  t: TestDatabase;
  directory: MongoDirectoryStore;
  orders: MongoOrderStore;
  deps: { orders: MongoOrderStore; directory: MongoDirectoryStore; timeZone: string };
}

/** A fresh database with the example directory imported and the order indexes in place. */
export async function openWorld(): Promise<World> {
  const t = await openTestDatabase();
  const directory = new MongoDirectoryStore(t.client, t.db);
  const orders = new MongoOrderStore(t.db);
  await directory.ensureIndexes();
  await orders.ensureIndexes();
  await importDirectory({ directory }, { file: EXAMPLE_DIRECTORY });
  return { t, directory, orders, deps: { orders, directory, timeZone: 'America/Mexico_City' } };
}

export const reportInput = (over: Partial<ReportOrderInput> = {}): ReportOrderInput => ({
  channel: 'teams',
  actorId: P.requester,
  requesterId: P.requester,
  equipment: { type: 'computer', inventoryNumber: 'CJF-012345', location: 'Sala de audiencias 2' },
  description: 'La computadora de la sala no enciende desde esta mañana.',
  priority: 'high',
  ...over,
});

const base = (o: ServiceOrder, actorId: string) => ({
  orderId: o._id.toHexString(),
  actorId,
  channel: 'teams' as const,
  expectedVersion: o.version,
});

/** The happy path of process 4.2, one step per state, through the real use cases. */
const STEPS: [OrderStatus, (w: World, o: ServiceOrder) => Promise<ServiceOrder>][] = [
  ['desk', (w, o) => takeOrder(w.deps, base(o, P.analyst))],
  ['engineer_assigned', (w, o) => assignEngineer(w.deps, { ...base(o, P.analyst), engineerId: P.engineer })],
  ['diagnosis', (w, o) => acceptOrder(w.deps, base(o, P.engineer))],
  [
    'provider',
    (w, o) =>
      turnToProvider(w.deps, { ...base(o, P.engineer), contractId: 'CT-2026-001', providerId: 'PROV-TECNOSERV' }),
  ],
  ['validation', (w, o) => recordProviderAttention(w.deps, base(o, P.provider))],
  ['signature', (w, o) => confirmValidation(w.deps, base(o, P.requester))],
  ['validated', (w, o) => signOrder(w.deps, base(o, P.judge))],
  [
    'resolved',
    (w, o) =>
      documentAttention(w.deps, {
        ...base(o, P.provider),
        documentation: 'Se reemplazó la fuente de poder del equipo.',
      }),
  ],
  ['closed', (w, o) => closeOrder(w.deps, base(o, P.analyst))],
];

/** Reports a fresh order and drives it to `status` along the happy path. */
export async function orderIn(w: World, status: OrderStatus): Promise<ServiceOrder> {
  let order = await reportOrder(w.deps, reportInput());
  if (status === 'reported') return order;
  if (status === 'cancelled') return cancelOrder(w.deps, { ...base(order, P.analyst), reason: 'Reporte duplicado' });
  for (const [reached, step] of STEPS) {
    order = await step(w, order);
    if (reached === status) return order;
  }
  throw new Error(`no path to ${status}`);
}

/** Expects `promise` to fail with `code` and the stored order to be exactly as before. */
export async function expectRefusedUnchanged(
  w: World,
  before: ServiceOrder,
  promise: Promise<unknown>,
  code: string,
): Promise<void> {
  await expect(promise).rejects.toMatchObject({ code });
  expect(await w.orders.findById(before._id)).toEqual(before);
}
