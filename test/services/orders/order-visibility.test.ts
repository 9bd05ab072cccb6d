import { getOrder } from '../../../services/orders/get-order';
import { canSeeOrder, OrderViewer } from '../../../services/orders/order-visibility';
import type { ServiceOrder } from '../../../services/orders/types';
import { reportOrder } from '../../../services/orders/report-order';
import { openWorld, orderIn, P, World } from './world';

let w: World;
let order: ServiceOrder;
beforeAll(async () => {
  w = await openWorld();
  // Reported by fernando.ruiz at CJPF-CDMX, engineer miguel.torres, turned to PROV-TECNOSERV.
  order = await orderIn(w, 'provider');
});
afterAll(async () => {
  await w.t.close();
});

const asPerson = async (id: string): Promise<OrderViewer> => ({ person: (await w.directory.personById(id))! });

describe('canSeeOrder', () => {
  it.each([
    ['its requester', P.requester, true],
    ['its engineer', P.engineer, true],
    ['a contact of the provider it is turned to', P.provider, true],
    ['an analyst', P.analyst, true],
    ['another analyst', P.analyst2, true],
    ['a judge of its centre', P.judge, true],
    ['an admin', P.admin, true],
    ['a requester of another order', P.otherRequester, false],
    ['an engineer not on it', P.otherEngineer, false],
    ['a contact of another provider', P.otherProvider, false],
    ['a judge of another centre', P.otherJudge, false],
  ])('answers %s (%s): %s', async (_who, id, visible) => {
    expect(canSeeOrder(await asPerson(id), order)).toBe(visible);
  });

  it('shows someone outside the directory only the order they reported, by the address Teams vouches for', async () => {
    const theirs = await reportOrder(w.deps, {
      channel: 'teams',
      unknownRequester: { name: 'Pedro Páramo', email: 'Pedro.Paramo@cjf.example.mx' },
      centreId: 'CJPF-CDMX',
      equipment: { type: 'printer' },
      description: 'No imprime nada',
    });
    expect(canSeeOrder({ person: null, email: 'pedro.paramo@cjf.example.mx' }, theirs)).toBe(true);
    expect(canSeeOrder({ person: null, email: 'pedro.paramo@cjf.example.mx' }, order)).toBe(false);
    expect(canSeeOrder({ person: null, email: 'otra.persona@cjf.example.mx' }, theirs)).toBe(false);
    expect(canSeeOrder({ person: null }, theirs)).toBe(false);
  });
});

describe('getOrder with a viewer', () => {
  it('answers someone who may not see the order exactly as for a folio that does not exist', async () => {
    const hidden = await getOrder(w.deps, { folio: order.folio, viewer: await asPerson(P.otherRequester) }).catch(
      (e: unknown) => e,
    );
    const missing = await getOrder(w.deps, { folio: 'OS-1999-999999', viewer: await asPerson(P.otherRequester) }).catch(
      (e: unknown) => e,
    );
    expect(hidden).toMatchObject({ code: 'NOT_FOUND', userMessage: (missing as { userMessage: string }).userMessage });
    await expect(getOrder(w.deps, { folio: order.folio, viewer: { person: null } })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    expect((await getOrder(w.deps, { folio: order.folio, viewer: await asPerson(P.requester) })).folio).toBe(
      order.folio,
    );
  });
});
