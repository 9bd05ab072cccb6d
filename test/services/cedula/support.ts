import { join } from 'node:path';
import { acceptOrder } from '../../../services/orders/accept-order';
import { assignEngineer } from '../../../services/orders/assign-engineer';
import { closeOrder } from '../../../services/orders/close-order';
import { confirmValidation } from '../../../services/orders/confirm-validation';
import { documentAttention } from '../../../services/orders/document-attention';
import { recordProviderAttention } from '../../../services/orders/record-provider-attention';
import { reportOrder } from '../../../services/orders/report-order';
import { signOrder } from '../../../services/orders/sign-order';
import { takeOrder } from '../../../services/orders/take-order';
import { turnToProvider } from '../../../services/orders/turn-to-provider';
import type { ServiceOrder } from '../../../services/orders/types';
import { P, reportInput, World } from '../orders/world';
import { cdmx } from '../sla/support';

export const ARTIFACTS = join(__dirname, '../../../test-artifacts');
export const SECRET = 'test-cedula-secret-0123456789abcdef';

/** The whole life of an order through a provider, each step at a given Mexico City time. */
export async function closedThroughProvider(world: World): Promise<ServiceOrder> {
  const at = (local: string) => ({ ...world.deps, now: () => cdmx(local) });
  const step = (o: ServiceOrder, actorId: string) => ({
    orderId: o._id.toHexString(),
    actorId,
    channel: 'teams' as const,
    expectedVersion: o.version,
  });
  let o = await reportOrder(
    at('2026-03-02T09:00'),
    reportInput({
      priority: 'high',
      description: 'La computadora de la sala de audiencias no enciende; huele a quemado.',
    }),
  );
  o = await takeOrder(at('2026-03-02T09:20'), step(o, P.analyst));
  o = await assignEngineer(at('2026-03-02T09:30'), { ...step(o, P.analyst), engineerId: P.engineer });
  o = await acceptOrder(at('2026-03-02T11:00'), step(o, P.engineer));
  o = await turnToProvider(at('2026-03-02T12:00'), {
    ...step(o, P.engineer),
    contractId: 'CT-2026-001',
    providerId: 'PROV-TECNOSERV',
  });
  o = await recordProviderAttention(at('2026-03-03T10:00'), step(o, P.provider));
  o = await confirmValidation(at('2026-03-04T10:00'), step(o, P.requester));
  o = await signOrder(at('2026-03-04T12:00'), step(o, P.judge));
  o = await documentAttention(at('2026-03-04T13:00'), {
    ...step(o, P.provider),
    documentation: 'Se reemplazó la fuente de poder dañada; el equipo enciende y funciona con normalidad.',
  });
  return closeOrder(at('2026-03-04T14:00'), step(o, P.analyst));
}
