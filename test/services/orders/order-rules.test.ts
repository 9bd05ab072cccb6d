import { assignEngineer } from '../../../services/orders/assign-engineer';
import { reassignEngineer } from '../../../services/orders/reassign-engineer';
import { turnToProvider } from '../../../services/orders/turn-to-provider';
import { signOrder } from '../../../services/orders/sign-order';
import { rejectValidation } from '../../../services/orders/reject-validation';
import { recordProviderAttention } from '../../../services/orders/record-provider-attention';
import { takeOrder } from '../../../services/orders/take-order';
import { canonicalSummary, orderDigest } from '../../../services/orders/order-digest';
import { createHash } from 'node:crypto';
import type { ServiceOrder } from '../../../services/orders/types';
import { reportOrder } from '../../../services/orders/report-order';
import { acceptOrder } from '../../../services/orders/accept-order';
import { expectRefusedUnchanged, openWorld, orderIn, P, reportInput, World } from './world';

let w: World;
beforeAll(async () => {
  w = await openWorld();
});
afterAll(async () => {
  await w.t.close();
});

const base = (o: ServiceOrder, actorId: string) => ({
  orderId: o._id.toHexString(),
  actorId,
  channel: 'teams' as const,
  expectedVersion: o.version,
});

describe('assignEngineer', () => {
  it.each([
    ["an engineer who does not serve the order's centre", P.otherEngineer],
    ['a person without the engineer role', P.judge],
    ['an id not in the directory', 'nadie.aqui'],
  ])('refuses %s as VALIDATION on engineerId and changes nothing', async (_why, engineerId) => {
    const before = await orderIn(w, 'desk');
    const attempt = assignEngineer(w.deps, { ...base(before, P.analyst), engineerId });
    await expect(attempt).rejects.toHaveProperty('userMessage', expect.stringMatching(/^engineerId: /));
    await expectRefusedUnchanged(w, before, attempt, 'VALIDATION');
  });

  it("records the assigning analyst as the order's analyst when assigned straight from reported", async () => {
    const before = await orderIn(w, 'reported');
    const after = await assignEngineer(w.deps, { ...base(before, P.analyst2), engineerId: P.engineer });
    expect(after).toMatchObject({ analyst: { personId: P.analyst2 }, engineer: { personId: P.engineer } });
    expect(after.timestamps.engineerAssignedAt).toBeInstanceOf(Date);
  });
});

describe('reassignEngineer', () => {
  it('refuses to reassign to the engineer already assigned', async () => {
    const before = await orderIn(w, 'diagnosis');
    await expectRefusedUnchanged(
      w,
      before,
      reassignEngineer(w.deps, { ...base(before, P.analyst), engineerId: P.engineer, reason: 'Sin motivo real' }),
      'VALIDATION',
    );
  });

  it('keeps the first assignment time and hands the order to the new engineer', async () => {
    const before = await orderIn(w, 'diagnosis');
    const after = await reassignEngineer(w.deps, {
      ...base(before, P.analyst),
      engineerId: 'daniel.ortiz',
      reason: 'Vacaciones',
    });
    expect(after.engineer?.personId).toBe('daniel.ortiz');
    expect(after.timestamps.engineerAssignedAt).toEqual(before.timestamps.engineerAssignedAt);
    expect(after.history.at(-1)?.note).toBe('Vacaciones');
  });
});

describe('turnToProvider', () => {
  it.each([
    ['a contract that does not exist', { contractId: 'CT-1999-999' }, /^contractId: /],
    ['a contract of another provider', { contractId: 'CT-2026-001', providerId: 'PROV-AUDIOVIS' }, /^providerId: /],
    ['a contract that does not cover the equipment', { contractId: 'CT-2026-002' }, /^contractId: .*tipo de equipo/],
  ])('refuses %s and changes nothing', async (_why, extra, message) => {
    const before = await orderIn(w, 'diagnosis');
    const attempt = turnToProvider(w.deps, { ...base(before, P.engineer), ...extra });
    await expect(attempt).rejects.toHaveProperty('userMessage', expect.stringMatching(message));
    await expectRefusedUnchanged(w, before, attempt, 'VALIDATION');
  });

  it("refuses a contract that does not cover the order's centre", async () => {
    let order = await reportOrder(
      w.deps,
      reportInput({ actorId: 'jose.chan', requesterId: 'jose.chan', centreId: 'CJPF-QROO-CUN' }),
    );
    order = await assignEngineer(w.deps, { ...base(order, P.analyst), engineerId: 'rosa.mendoza' });
    order = await acceptOrder(w.deps, base(order, 'rosa.mendoza'));
    const attempt = turnToProvider(w.deps, { ...base(order, 'rosa.mendoza'), contractId: 'CT-2026-001' });
    await expect(attempt).rejects.toHaveProperty(
      'userMessage',
      expect.stringMatching(/^contractId: .*no cubre el centro/),
    );
    await expectRefusedUnchanged(w, order, attempt, 'VALIDATION');
  });

  it('records provider and contract on the order', async () => {
    const after = await orderIn(w, 'provider');
    expect(after.provider).toEqual({
      providerId: 'PROV-TECNOSERV',
      contractId: 'CT-2026-001',
      name: 'Tecnoservicios Integrales del Centro, S.A. de C.V.',
      deadlines: { attendBy: expect.any(Date), resolveBy: expect.any(Date), zone: 'America/Mexico_City' },
    });
    expect(after.timestamps.providerAt).toBeInstanceOf(Date);
  });
});

describe('signOrder', () => {
  it('stores the judge, the time and the SHA-256 of the summary as it stood when signed', async () => {
    const before = await orderIn(w, 'signature');
    const after = await signOrder(w.deps, base(before, P.judge));
    expect(after.signature).toMatchObject({
      judge: { personId: P.judge, name: 'Patricia García Morales' },
      at: expect.any(Date),
    });
    expect(after.signature!.digest).toBe(createHash('sha256').update(canonicalSummary(before)).digest('hex'));
    expect(after.signature!.digest).not.toBe(orderDigest(after));
  });
});

describe('rework', () => {
  it('keeps the first provider-attention time after a rejected validation is attended again', async () => {
    const validation = await orderIn(w, 'validation');
    const rejected = await rejectValidation(w.deps, {
      ...base(validation, P.requester),
      reason: 'Sigue fallando el audio',
    });
    expect(rejected.status).toBe('provider');
    const again = await recordProviderAttention(w.deps, base(rejected, P.provider));
    expect(again.status).toBe('validation');
    expect(again.timestamps.providerAttendedAt).toEqual(validation.timestamps.providerAttendedAt);
    expect(again.history.map((h) => h.action).slice(-3)).toEqual([
      'record_provider_attention',
      'reject',
      'record_provider_attention',
    ]);
  });

  it('refuses as VALIDATION when the order id is malformed, naming orderId', async () => {
    await expect(takeOrder(w.deps, { orderId: 'abc', actorId: P.analyst, channel: 'teams' })).rejects.toMatchObject({
      code: 'VALIDATION',
      userMessage: expect.stringContaining('orderId'),
    });
  });

  it('refuses as NOT_FOUND when no order has that id', async () => {
    await expect(
      takeOrder(w.deps, { orderId: 'aaaaaaaaaaaaaaaaaaaaaaaa', actorId: P.analyst, channel: 'teams' }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
