import { noticeMessage } from '../../../services/notifications/messages';
import { acceptOrder } from '../../../services/orders/accept-order';
import { assignEngineer } from '../../../services/orders/assign-engineer';
import { reportOrder } from '../../../services/orders/report-order';
import { turnToProvider } from '../../../services/orders/turn-to-provider';
import type { ServiceOrder } from '../../../services/orders/types';
import { cdmx } from '../sla/support';
import { openWorld, P, reportInput, World } from './world';

const base = (o: ServiceOrder, actorId: string) => ({
  orderId: o._id.toHexString(),
  actorId,
  channel: 'teams' as const,
  expectedVersion: o.version,
});

describe('turning an order to the provider', () => {
  let w: World;
  beforeAll(async () => {
    w = await openWorld();
  });
  afterAll(async () => {
    await w?.t.close();
  });

  it('sets the contract deadlines in the centre business hours and tells the provider them', async () => {
    const at = (local: string) => ({ ...w.deps, now: () => cdmx(local) });
    let o = await reportOrder(at('2026-03-02T10:00'), reportInput({ priority: 'high' }));
    o = await assignEngineer(at('2026-03-02T10:05'), { ...base(o, P.analyst), engineerId: P.engineer });
    o = await acceptOrder(at('2026-03-02T10:10'), base(o, P.engineer));
    // Monday 16:00 in Mexico City; CT-2026-001, high priority: business hours of CJPF-CDMX.
    o = await turnToProvider(at('2026-03-02T16:00'), { ...base(o, P.engineer), contractId: 'CT-2026-001' });
    const d = o.provider!.deadlines!;
    expect(d.zone).toBe('America/Mexico_City');
    expect(d.attendBy.getTime()).toBeGreaterThan(cdmx('2026-03-02T16:00').getTime());
    expect(d.resolveBy.getTime()).toBeGreaterThanOrEqual(d.attendBy.getTime());
    const stored = (await w.orders.findById(o._id))!;
    expect(stored.provider!.deadlines).toEqual(d);
    const mail = noticeMessage('turned_to_provider', stored).paragraphs.join('\n');
    expect(mail).toMatch(/Plazo de atención: .*2026.*\. Plazo de solución: .*2026/);
  });
});
