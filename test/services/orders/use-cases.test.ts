import type { OrderStatus } from '../../../services/workflow';
import type { ServiceOrder } from '../../../services/orders/types';
import { takeOrder } from '../../../services/orders/take-order';
import { closeRemotely } from '../../../services/orders/close-remotely';
import { assignEngineer } from '../../../services/orders/assign-engineer';
import { reassignEngineer } from '../../../services/orders/reassign-engineer';
import { acceptOrder } from '../../../services/orders/accept-order';
import { resolveOnsite } from '../../../services/orders/resolve-onsite';
import { turnToProvider } from '../../../services/orders/turn-to-provider';
import { recordProviderAttention } from '../../../services/orders/record-provider-attention';
import { confirmValidation } from '../../../services/orders/confirm-validation';
import { rejectValidation } from '../../../services/orders/reject-validation';
import { signOrder } from '../../../services/orders/sign-order';
import { refuseSignature } from '../../../services/orders/refuse-signature';
import { documentAttention } from '../../../services/orders/document-attention';
import { closeOrder } from '../../../services/orders/close-order';
import { cancelOrder } from '../../../services/orders/cancel-order';
import { expectRefusedUnchanged, openWorld, orderIn, P, World } from './world';

type UseCase = (deps: World['deps'], input: any) => Promise<ServiceOrder>;

interface Case {
  useCase: UseCase;
  action: string;
  from: OrderStatus;
  to: OrderStatus;
  actor: string;
  extra?: Record<string, unknown>;
  /** Someone who holds no right to this action on this order. */
  stranger: string;
  wrongState: OrderStatus;
  /** Who must hear of it (a notice event for that person id or email). */
  notifies: string[];
}

const CASES: Case[] = [
  {
    useCase: takeOrder,
    action: 'take',
    from: 'reported',
    to: 'desk',
    actor: P.analyst,
    stranger: P.engineer,
    wrongState: 'desk',
    notifies: ['status_changed>fernando.ruiz'],
  },
  {
    useCase: closeRemotely,
    action: 'close_remotely',
    from: 'desk',
    to: 'closed',
    actor: P.analyst,
    extra: { solution: 'Se reinició el servicio de impresión a distancia.' },
    stranger: P.requester,
    wrongState: 'reported',
    notifies: ['status_changed>fernando.ruiz'],
  },
  {
    useCase: assignEngineer,
    action: 'assign_engineer',
    from: 'desk',
    to: 'engineer_assigned',
    actor: P.analyst,
    extra: { engineerId: P.engineer },
    stranger: P.judge,
    wrongState: 'diagnosis',
    notifies: ['order_assigned>miguel.torres'],
  },
  {
    useCase: reassignEngineer,
    action: 'reassign',
    from: 'diagnosis',
    to: 'engineer_assigned',
    actor: P.analyst2,
    extra: { engineerId: 'daniel.ortiz', reason: 'Cambio de turno' },
    stranger: P.engineer,
    wrongState: 'desk',
    notifies: ['order_assigned>daniel.ortiz', 'order_unassigned>miguel.torres'],
  },
  {
    useCase: acceptOrder,
    action: 'accept',
    from: 'engineer_assigned',
    to: 'diagnosis',
    actor: P.engineer,
    stranger: P.otherEngineer,
    wrongState: 'desk',
    notifies: ['status_changed>fernando.ruiz'],
  },
  {
    useCase: resolveOnsite,
    action: 'resolve_onsite',
    from: 'diagnosis',
    to: 'resolved',
    actor: P.engineer,
    extra: { documentation: 'Se cambió el cable de red dañado.' },
    stranger: P.otherEngineer,
    wrongState: 'engineer_assigned',
    notifies: ['order_resolved>ana.lopez'],
  },
  {
    useCase: turnToProvider,
    action: 'turn_to_provider',
    from: 'diagnosis',
    to: 'provider',
    actor: P.engineer,
    extra: { contractId: 'CT-2026-001' },
    stranger: P.analyst,
    wrongState: 'validation',
    notifies: ['turned_to_provider>soporte@tecnoservicios.example.mx'],
  },
  {
    useCase: recordProviderAttention,
    action: 'record_provider_attention',
    from: 'provider',
    to: 'validation',
    actor: P.engineer,
    stranger: P.otherProvider,
    wrongState: 'diagnosis',
    notifies: ['validation_request>fernando.ruiz'],
  },
  {
    useCase: confirmValidation,
    action: 'confirm',
    from: 'validation',
    to: 'signature',
    actor: P.requester,
    stranger: P.otherRequester,
    wrongState: 'provider',
    notifies: ['signature_request>patricia.garcia'],
  },
  {
    useCase: rejectValidation,
    action: 'reject',
    from: 'validation',
    to: 'provider',
    actor: P.requester,
    extra: { reason: 'La impresora sigue atascando hojas.' },
    stranger: P.judge,
    wrongState: 'signature',
    notifies: ['validation_rejected>soporte@tecnoservicios.example.mx'],
  },
  {
    useCase: signOrder,
    action: 'sign',
    from: 'signature',
    to: 'validated',
    actor: P.judge,
    stranger: P.otherJudge,
    wrongState: 'validation',
    notifies: ['signature_done>ana.lopez'],
  },
  {
    useCase: refuseSignature,
    action: 'refuse_signature',
    from: 'signature',
    to: 'validation',
    actor: P.judge,
    extra: { reason: 'Falta la evidencia de la reparación.' },
    stranger: P.otherJudge,
    wrongState: 'validated',
    notifies: ['validation_request>fernando.ruiz'],
  },
  {
    useCase: documentAttention,
    action: 'document',
    from: 'validated',
    to: 'resolved',
    actor: P.engineer,
    extra: { documentation: 'Reemplazo de fusor; pruebas correctas.' },
    stranger: P.otherProvider,
    wrongState: 'signature',
    notifies: ['order_resolved>carlos.ramirez'],
  },
  {
    useCase: closeOrder,
    action: 'close',
    from: 'resolved',
    to: 'closed',
    actor: P.analyst,
    stranger: P.admin,
    wrongState: 'validated',
    notifies: ['status_changed>fernando.ruiz'],
  },
  {
    useCase: cancelOrder,
    action: 'cancel',
    from: 'provider',
    to: 'cancelled',
    actor: P.analyst,
    extra: { reason: 'Orden duplicada de OS-2026-000001' },
    stranger: P.requester,
    wrongState: 'closed',
    notifies: ['status_changed>fernando.ruiz'],
  },
];

let w: World;
beforeAll(async () => {
  w = await openWorld();
});
afterAll(async () => {
  await w.t.close();
});

const call = (c: Case, o: ServiceOrder, over: Record<string, unknown> = {}) =>
  c.useCase(w.deps, {
    orderId: o._id.toHexString(),
    actorId: c.actor,
    channel: 'teams',
    expectedVersion: o.version,
    ...c.extra,
    ...over,
  });

describe.each(CASES)('$action use case', (c) => {
  it(`moves the order from ${c.from} to ${c.to} with history and notices in the same write`, async () => {
    const before = await orderIn(w, c.from);
    const after = await call(c, before);
    const stored = (await w.orders.findById(before._id))!;
    expect(stored).toEqual(after);
    expect(stored).toMatchObject({ status: c.to, version: before.version + 1 });
    expect(stored.history).toHaveLength(before.history.length + 1);
    expect(stored.history.at(-1)).toMatchObject({
      action: c.action,
      from: c.from,
      to: c.to,
      channel: 'teams',
      by: { personId: c.actor },
    });
    const added = stored.outbox.slice(before.outbox.length);
    const heard = added.map((n) => `${n.event}>${n.recipient.personId ?? n.recipient.email}`);
    for (const expected of c.notifies) expect(heard).toContain(expected);
    expect(added.some((n) => n.recipient.personId === c.actor)).toBe(false);
    expect(added.every((n) => n.id.startsWith(`${before._id.toHexString()}:${stored.version}:`))).toBe(true);
  });

  it('refuses as CONFLICT and changes nothing when the card version is stale', async () => {
    const before = await orderIn(w, c.from);
    await expectRefusedUnchanged(
      w,
      before,
      call(c, before, { expectedVersion: before.version > 1 ? before.version - 1 : before.version + 1 }),
      'CONFLICT',
    );
  });

  it('refuses as FORBIDDEN and changes nothing when the actor has no right to it', async () => {
    const before = await orderIn(w, c.from);
    await expectRefusedUnchanged(w, before, call(c, before, { actorId: c.stranger }), 'FORBIDDEN');
  });

  it('refuses as FORBIDDEN when the actor is not in the directory, whatever the input claims', async () => {
    const before = await orderIn(w, c.from);
    await expectRefusedUnchanged(w, before, call(c, before, { actorId: 'intruso', roles: ['analyst'] }), 'VALIDATION');
    await expectRefusedUnchanged(w, before, call(c, before, { actorId: 'intruso' }), 'FORBIDDEN');
  });

  it(`refuses as INVALID_TRANSITION and changes nothing when the order is ${c.wrongState}`, async () => {
    const before = await orderIn(w, c.wrongState);
    await expectRefusedUnchanged(w, before, call(c, before), 'INVALID_TRANSITION');
  });
});
