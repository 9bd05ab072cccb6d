import { join } from 'node:path';
import { MongoAssetOrders } from '../../../services/assets/asset-orders';
import { MongoAssetStore } from '../../../services/assets/asset-store';
import { importAssets } from '../../../services/assets/load-assets';
import { correctFacts } from '../../../services/orders/correct-facts';
import { reportOrder } from '../../../services/orders/report-order';
import { setPriority } from '../../../services/orders/set-priority';
import type { ServiceOrder } from '../../../services/orders/types';
import { expectRefusedUnchanged, openWorld, orderIn, P, reportInput, World } from './world';

let w: World;
let deps: World['deps'] & { assets: MongoAssetStore; assetOrders: MongoAssetOrders };
beforeAll(async () => {
  w = await openWorld();
  const assets = new MongoAssetStore(w.t.db);
  await assets.ensureIndexes();
  await importAssets(
    { assets, directory: w.directory },
    { file: join(__dirname, '../../../services/assets/example-assets.json') },
  );
  const assetOrders = new MongoAssetOrders(w.t.db);
  await assetOrders.ensureIndexes();
  deps = { ...w.deps, assets, assetOrders };
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

describe('setPriority', () => {
  it('changes the priority in the same state, with the reason and both values on the history', async () => {
    const before = await orderIn(w, 'desk');
    const after = await setPriority(deps, {
      ...base(before, P.analyst),
      priority: 'critical',
      reason: 'Audiencia de vinculación en curso',
    });
    expect(after).toMatchObject({
      status: 'desk',
      version: before.version + 1,
      priority: 'critical',
      priorityBasis: { source: 'analyst' },
    });
    expect(after.history.at(-1)).toMatchObject({
      action: 'set_priority',
      from: 'desk',
      to: 'desk',
      note: 'Audiencia de vinculación en curso',
      by: { personId: P.analyst },
      changes: [{ field: 'priority', from: 'Alta', to: 'Crítica' }],
    });
    expect(await w.orders.findById(before._id)).toEqual(after);
  });

  it('gives the priority from impact × urgency', async () => {
    const before = await orderIn(w, 'reported');
    const after = await setPriority(deps, {
      ...base(before, P.analyst),
      impact: 'low',
      urgency: 'low',
      reason: 'Hay equipo de respaldo',
    });
    expect(after).toMatchObject({
      priority: 'low',
      priorityBasis: { source: 'analyst', impact: 'low', urgency: 'low' },
    });
  });

  it('refuses a change without a reason, in Spanish, and changes nothing', async () => {
    const before = await orderIn(w, 'desk');
    const attempt = setPriority(deps, { ...base(before, P.analyst), priority: 'low' });
    await expect(attempt).rejects.toMatchObject({
      code: 'VALIDATION',
      userMessage: 'Para «Cambiar la prioridad» falta: el motivo.',
    });
    await expectRefusedUnchanged(
      w,
      before,
      setPriority(deps, { ...base(before, P.analyst), priority: 'low', reason: '   ' }),
      'VALIDATION',
    );
  });

  it('refuses anyone but an analyst, a stale card, and a closed order, changing nothing', async () => {
    const before = await orderIn(w, 'diagnosis');
    await expectRefusedUnchanged(
      w,
      before,
      setPriority(deps, { ...base(before, P.engineer), priority: 'low', reason: 'No es urgente' }),
      'FORBIDDEN',
    );
    await expectRefusedUnchanged(
      w,
      before,
      setPriority(deps, {
        ...base(before, P.analyst),
        expectedVersion: before.version - 1,
        priority: 'low',
        reason: 'No es urgente',
      }),
      'CONFLICT',
    );
    const closed = await orderIn(w, 'closed');
    await expectRefusedUnchanged(
      w,
      closed,
      setPriority(deps, { ...base(closed, P.analyst), priority: 'low', reason: 'No es urgente' }),
      'INVALID_TRANSITION',
    );
  });

  it('re-plans the provider deadlines from the hand-off and forgets the thresholds already announced', async () => {
    const before = await orderIn(w, 'provider');
    await w.t.db.collection('orders').updateOne({ _id: before._id }, { $set: { slaMarks: ['provider_attention:75'] } });
    const after = await setPriority(deps, {
      ...base(before, P.analyst),
      priority: 'low',
      reason: 'El equipo tiene respaldo en la sala contigua',
    });
    expect(after.slaMarks).toEqual([]);
    expect(after.provider!.deadlines!.attendBy.getTime()).toBeGreaterThan(
      before.provider!.deadlines!.attendBy.getTime(),
    );
    expect(after.provider!.contractId).toBe(before.provider!.contractId);
  });
});

describe('correctFacts', () => {
  it('lets the analyst correct type and location, on the history, and re-chooses the covering contract', async () => {
    const before = await reportOrder(
      deps,
      reportInput({ equipment: { type: 'other' }, description: 'Falla sin identificar en la sala' }),
    );
    expect(before.coverage).toBeNull();
    const after = await correctFacts(deps, {
      ...base(before, P.analyst),
      equipmentType: 'audio_video',
      location: 'Sala de audiencias 3',
      reason: 'El requirente aclaró por teléfono',
    });
    expect(after).toMatchObject({
      status: 'reported',
      equipment: { type: 'audio_video', location: 'Sala de audiencias 3' },
      coverage: { contractId: 'CT-2026-002', source: 'directory' },
    });
    expect(after.history.at(-1)).toMatchObject({
      action: 'correct_facts',
      from: 'reported',
      to: 'reported',
      note: 'El requirente aclaró por teléfono',
      changes: expect.arrayContaining([
        { field: 'equipmentType', from: 'Otro', to: 'Grabación de audiencias / video' },
        { field: 'contractId', to: 'CT-2026-002' },
      ]),
    });
  });

  it('lets the assigned engineer link the asset by inventory number; the asset gives type, place and contract', async () => {
    const before = await orderIn(w, 'diagnosis');
    const after = await correctFacts(deps, {
      ...base(before, P.engineer),
      inventoryNumber: 'cjf-030001',
      reason: 'Etiqueta leída en sitio',
    });
    expect(after.equipment).toEqual({
      type: 'printer',
      inventoryNumber: 'CJF-030001',
      location: 'Sala de audiencias 3',
      register: 'linked',
    });
    expect(after.coverage).toEqual({ contractId: 'CT-2026-001', providerId: 'PROV-TECNOSERV', source: 'asset' });
  });

  it('keeps an inventory number the register does not hold, flagged', async () => {
    const before = await orderIn(w, 'desk');
    const after = await correctFacts(deps, {
      ...base(before, P.analyst),
      inventoryNumber: 'CJF-777777',
      reason: 'Número dictado por el requirente',
    });
    expect(after.equipment).toMatchObject({ inventoryNumber: 'CJF-777777', register: 'unknown' });
  });

  it('adds to the description and never rewrites it', async () => {
    const before = await orderIn(w, 'desk');
    const once = await correctFacts(deps, {
      ...base(before, P.analyst),
      addendum: 'También falla el monitor secundario.',
      reason: 'Información adicional',
    });
    const twice = await correctFacts(deps, {
      ...base(once, P.analyst),
      addendum: 'El equipo huele a quemado.',
      reason: 'Información adicional',
    });
    expect(twice.description).toBe(before.description);
    expect(twice.addenda!.map((a) => [a.text, a.by.personId])).toEqual([
      ['También falla el monitor secundario.', P.analyst],
      ['El equipo huele a quemado.', P.analyst],
    ]);
  });

  it('moves the order to another centre only if it exists', async () => {
    const before = await orderIn(w, 'desk');
    await expectRefusedUnchanged(
      w,
      before,
      correctFacts(deps, { ...base(before, P.analyst), centreId: 'CJPF-NOPE', reason: 'Centro equivocado' }),
      'VALIDATION',
    );
    const after = await correctFacts(deps, {
      ...base(before, P.analyst),
      centreId: 'CJPF-BC-TIJ',
      reason: 'El equipo está en Tijuana',
    });
    expect(after.centreId).toBe('CJPF-BC-TIJ');
  });

  it('refuses a stale card as CONFLICT with a Spanish message, and changes nothing', async () => {
    const before = await orderIn(w, 'diagnosis');
    const stale = {
      ...base(before, P.engineer),
      expectedVersion: before.version - 1,
      location: 'Sala de audiencias 4',
      reason: 'Ubicación real',
    };
    await expect(correctFacts(deps, stale)).rejects.toMatchObject({
      code: 'CONFLICT',
      userMessage: expect.stringContaining('La orden cambió'),
    });
    await expectRefusedUnchanged(w, before, correctFacts(deps, stale), 'CONFLICT');
  });

  it('refuses an engineer not on the order, a requester, and a closed order, changing nothing', async () => {
    const before = await orderIn(w, 'diagnosis');
    const input = (actor: string) => ({
      ...base(before, actor),
      location: 'Sala de audiencias 4',
      reason: 'Ubicación real',
    });
    await expect(correctFacts(deps, input(P.otherEngineer))).rejects.toMatchObject({
      code: 'FORBIDDEN',
      userMessage: 'No tiene permiso para «Corregir datos de la orden» en esta orden.',
    });
    await expectRefusedUnchanged(w, before, correctFacts(deps, input(P.otherEngineer)), 'FORBIDDEN');
    await expectRefusedUnchanged(w, before, correctFacts(deps, input(P.requester)), 'FORBIDDEN');
    const closed = await orderIn(w, 'closed');
    await expectRefusedUnchanged(
      w,
      closed,
      correctFacts(deps, { ...base(closed, P.analyst), location: 'Sala 1', reason: 'Ubicación real' }),
      'INVALID_TRANSITION',
    );
  });

  it('refuses a correction without a reason or without anything to correct', async () => {
    const before = await orderIn(w, 'desk');
    await expectRefusedUnchanged(
      w,
      before,
      correctFacts(deps, { ...base(before, P.analyst), location: 'Sala 9' }),
      'VALIDATION',
    );
    await expect(correctFacts(deps, { ...base(before, P.analyst), reason: 'Nada' })).rejects.toMatchObject({
      code: 'VALIDATION',
      userMessage: expect.stringContaining('indique qué dato corrige'),
    });
    await expectRefusedUnchanged(
      w,
      before,
      correctFacts(deps, { ...base(before, P.analyst), location: before.equipment.location, reason: 'Igual' }),
      'VALIDATION',
    );
  });
});

describe('intake with the equipment register', () => {
  it('links an inventory number written in the text, taking type, place and contract from the asset', async () => {
    const order = await reportOrder(
      deps,
      reportInput({
        priority: undefined,
        equipment: { type: 'other' },
        description: 'No graba el equipo CJF-020001 y hay audiencia en curso',
      }),
    );
    expect(order.equipment).toEqual({
      type: 'audio_video',
      inventoryNumber: 'CJF-020001',
      location: 'Sala de audiencias 3',
      register: 'linked',
    });
    expect(order.coverage).toEqual({ contractId: 'CT-2026-002', providerId: 'PROV-AUDIOVIS', source: 'asset' });
    expect(order.priority).toBe('critical');
  });

  it('keeps and flags an inventory number the register does not hold', async () => {
    const order = await reportOrder(
      deps,
      reportInput({ equipment: { type: 'computer', inventoryNumber: 'CJF-999998' } }),
    );
    expect(order.equipment).toMatchObject({ type: 'computer', inventoryNumber: 'CJF-999998', register: 'unknown' });
  });

  it("flags the third failure of one asset within 90 days, and lists the asset's orders", async () => {
    const day = (d: string) => ({ ...deps, now: () => new Date(`${d}T16:00:00Z`) });
    const input = reportInput({ equipment: { type: 'computer', inventoryNumber: 'CJF-012346' } });
    const first = await reportOrder(day('2026-01-10'), input);
    const second = await reportOrder(day('2026-02-20'), input);
    expect(second.repeatFailure).toBeUndefined();
    const third = await reportOrder(day('2026-04-05'), input);
    expect(third.repeatFailure).toEqual({ count: 3, windowDays: 90, earlier: [second.folio, first.folio] });
    const fourthLate = await reportOrder(day('2026-07-20'), input);
    expect(fourthLate.repeatFailure).toBeUndefined();
    expect((await deps.assetOrders.ordersOfAsset('cjf-012346')).map((o) => o.folio)).toEqual([
      fourthLate.folio,
      third.folio,
      second.folio,
      first.folio,
    ]);
  });
});
