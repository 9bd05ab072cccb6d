import { MongoReminderStore } from '../../../services/notifications/reminder-store';
import { Writable } from 'node:stream';
import { createLogger } from '../../../services/logger';
import { ValidationReminder, dueReminder } from '../../../services/notifications/validation-reminder';
import { confirmValidation } from '../../../services/orders/confirm-validation';
import { orderDigest } from '../../../services/orders/order-digest';
import { refuseSignature } from '../../../services/orders/refuse-signature';
import { rejectValidation } from '../../../services/orders/reject-validation';
import { signOrder } from '../../../services/orders/sign-order';
import type { ServiceOrder } from '../../../services/orders/types';
import { expectRefusedUnchanged, openWorld, orderIn, P, World } from './world';

const silent = createLogger(
  'silent',
  new Writable({
    write(_c, _e, done) {
      done();
    },
  }),
);
const base = (o: ServiceOrder, actorId: string) => ({
  orderId: o._id.toHexString(),
  actorId,
  channel: 'teams' as const,
  expectedVersion: o.version,
});
const heard = (before: ServiceOrder, after: ServiceOrder) =>
  after.outbox
    .slice(before.outbox.length)
    .map((n) => `${n.event}>${n.recipient.personId ?? n.recipient.email}`)
    .sort();

describe('requester validation (activity 6, first half)', () => {
  let w: World;
  beforeAll(async () => {
    w = await openWorld();
  });
  afterAll(async () => {
    await w?.t.close();
  });

  it('asks the requester "¿Quedó resuelta la falla?" when the provider attention is recorded', async () => {
    const order = await orderIn(w, 'validation');
    expect(order.outbox.filter((n) => n.event === 'validation_request').map((n) => n.recipient.personId)).toEqual([
      P.requester,
    ]);
  });

  it('lets only that requester answer', async () => {
    const order = await orderIn(w, 'validation');
    await expectRefusedUnchanged(w, order, confirmValidation(w.deps, base(order, P.otherRequester)), 'FORBIDDEN');
    await expectRefusedUnchanged(
      w,
      order,
      rejectValidation(w.deps, { ...base(order, P.analyst), reason: 'No me consta' }),
      'FORBIDDEN',
    );
  });

  it('makes a second answer harmless and says so in Spanish', async () => {
    const order = await orderIn(w, 'validation');
    const confirmed = await confirmValidation(w.deps, base(order, P.requester));
    for (const again of [
      confirmValidation(w.deps, base(order, P.requester)),
      confirmValidation(w.deps, base(confirmed, P.requester)),
      rejectValidation(w.deps, { ...base(confirmed, P.requester), reason: 'Ya no funciona' }),
    ]) {
      await expectRefusedUnchanged(w, confirmed, again, 'INVALID_TRANSITION');
      await expect(again).rejects.toMatchObject({
        userMessage: expect.stringMatching(
          /ya estaba registrada.*Pendiente de firma del Juez.*No se hizo ningún cambio/,
        ),
      });
    }
  });

  it('sends a rejection back to the provider, telling the engineer and the provider the reason', async () => {
    const order = await orderIn(w, 'validation');
    const rejected = await rejectValidation(w.deps, {
      ...base(order, P.requester),
      reason: 'La impresora sigue atascando hojas',
    });
    expect(rejected.status).toBe('provider');
    expect(heard(order, rejected)).toEqual([
      'validation_rejected>mesa@tecnoservicios.example.mx',
      'validation_rejected>miguel.torres',
      'validation_rejected>soporte@tecnoservicios.example.mx',
    ]);
    expect(rejected.history.at(-1)).toMatchObject({ action: 'reject', note: 'La impresora sigue atascando hojas' });
  });
});

describe('validation reminders', () => {
  let w: World;
  let clock: number;
  const reminder = () =>
    new ValidationReminder({
      store: new MongoReminderStore(w.t.db),
      logger: silent,
      intervalMs: 24 * 3600_000,
      now: () => new Date(clock),
    });
  beforeAll(async () => {
    w = await openWorld();
  });
  afterAll(async () => {
    await w?.t.close();
  });

  it('counts reminders by whole intervals, up to the maximum', () => {
    const t0 = new Date('2026-03-02T16:00:00Z');
    expect(
      [0, 23.9, 24, 49, 200].map((h) => dueReminder(t0, new Date(t0.getTime() + h * 3600_000), 24 * 3600_000, 3)),
    ).toEqual([0, 0, 1, 2, 3]);
  });

  it('queues one reminder per interval, once across instances, without touching status or version', async () => {
    const order = await orderIn(w, 'validation');
    const enteredAt = order.history.at(-1)!.at.getTime();
    clock = enteredAt + 23 * 3600_000;
    expect(await reminder().checkOnce()).toBe(0);
    clock = enteredAt + 25 * 3600_000;
    const counts = await Promise.all([reminder().checkOnce(), reminder().checkOnce(), reminder().checkOnce()]);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(1);
    const after = (await w.orders.findById(order._id))!;
    expect({ status: after.status, version: after.version }).toEqual({ status: 'validation', version: order.version });
    const reminders = after.outbox.filter((n) => n.event === 'validation_reminder');
    expect(reminders.map((n) => n.recipient.personId)).toEqual([P.requester]);
    expect(await reminder().checkOnce()).toBe(0);
  });

  it('stops reminding once the requester answered', async () => {
    const order = await orderIn(w, 'validation');
    await confirmValidation(w.deps, base(order, P.requester));
    clock = order.history.at(-1)!.at.getTime() + 100 * 3600_000;
    const before = (await w.orders.findById(order._id))!;
    await reminder().checkOnce();
    expect((await w.orders.findById(order._id))!.outbox).toEqual(before.outbox);
  });
});

describe("judge's signature (activity 6, second half)", () => {
  let w: World;
  const AAD = '3f2b8c1e-5d7a-4e9b-9c1a-0a1b2c3d4e99';
  beforeAll(async () => {
    w = await openWorld();
    await w.t.db.collection('people').updateOne({ _id: P.judge as never }, { $set: { aadObjectId: AAD } });
  });
  afterAll(async () => {
    await w?.t.close();
  });

  it('asks the judges of the order centre, with the requester validation on the request', async () => {
    const order = await orderIn(w, 'signature');
    expect(order.outbox.filter((n) => n.event === 'signature_request').map((n) => n.recipient.personId)).toEqual([
      P.judge,
    ]);
    expect(order.validation).toMatchObject({ confirmedBy: { personId: P.requester }, channel: 'teams' });
  });

  it('records the judge AAD object id, name, time and the digest of what was signed', async () => {
    const order = await orderIn(w, 'signature');
    const signed = await signOrder(w.deps, base(order, P.judge));
    expect(signed.signature).toEqual({
      judge: expect.objectContaining({ personId: P.judge, aadObjectId: AAD, name: 'Patricia García Morales' }),
      at: expect.any(Date),
      digest: orderDigest(order),
    });
  });

  it('keeps the digest recomputable after notice outcomes are appended to the history', async () => {
    const order = await orderIn(w, 'signature');
    const withNotice = {
      ...order,
      history: [
        ...order.history,
        { at: new Date(), action: 'notification' as const, by: { name: 'Sistema' }, channel: 'system' as const },
      ],
    };
    expect(orderDigest(withNotice)).toBe(orderDigest(order));
  });

  it('refuses a signature on a changed version, one without a version, and one from a judge of another centre', async () => {
    const order = await orderIn(w, 'signature');
    await expectRefusedUnchanged(
      w,
      order,
      signOrder(w.deps, { ...base(order, P.judge), expectedVersion: order.version - 1 }),
      'CONFLICT',
    );
    const { expectedVersion: _omitted, ...noVersion } = base(order, P.judge);
    await expectRefusedUnchanged(w, order, signOrder(w.deps, noVersion), 'VALIDATION');
    await expectRefusedUnchanged(w, order, signOrder(w.deps, base(order, P.otherJudge)), 'FORBIDDEN');
    await expectRefusedUnchanged(w, order, signOrder(w.deps, base(order, P.analyst)), 'FORBIDDEN');
  });

  it('needs a reason to refuse, and sends the order back to the requester with it', async () => {
    const order = await orderIn(w, 'signature');
    await expectRefusedUnchanged(
      w,
      order,
      refuseSignature(w.deps, { ...base(order, P.judge), reason: '' }),
      'VALIDATION',
    );
    const refused = await refuseSignature(w.deps, { ...base(order, P.judge), reason: 'Falta el número de inventario' });
    expect(refused.status).toBe('validation');
    // The requester is asked again; the engineer, the provider and the analysts learn why.
    expect(heard(order, refused)).toEqual([
      'signature_refused>ana.lopez',
      'signature_refused>carlos.ramirez',
      'signature_refused>mesa@tecnoservicios.example.mx',
      'signature_refused>miguel.torres',
      'signature_refused>soporte@tecnoservicios.example.mx',
      `validation_request>${P.requester}`,
    ]);
  });
});
