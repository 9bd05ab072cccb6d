import { loadConfig } from '../../../services/config';
import { analystsToNotify } from '../../../services/notifications/analyst-routing';
import { acceptOrder } from '../../../services/orders/accept-order';
import { assignEngineer } from '../../../services/orders/assign-engineer';
import { closeOrder } from '../../../services/orders/close-order';
import { confirmValidation } from '../../../services/orders/confirm-validation';
import { documentAttention } from '../../../services/orders/document-attention';
import { rejectValidation } from '../../../services/orders/reject-validation';
import { reportOrder } from '../../../services/orders/report-order';
import { resolveOnsite } from '../../../services/orders/resolve-onsite';
import { signOrder } from '../../../services/orders/sign-order';
import type { ServiceOrder } from '../../../services/orders/types';
import { TRANSITIONS, transitionsFor } from '../../../services/workflow';
import { openWorld, P, reportInput, World } from '../orders/world';

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

describe('policy switches', () => {
  it('default to the seed', () => {
    expect(loadConfig({}).notifications).toEqual({
      onsiteRequiresValidation: false,
      validationReminderMs: 24 * 3600_000,
      analystRouting: 'all',
      digestWindowMs: 60_000,
      teamsAttemptsBeforeEmail: 2,
      concurrency: 8,
      leaseMs: 120_000,
    });
  });

  it('parse from the environment and refuse nonsense', () => {
    const c = loadConfig({
      ONSITE_REQUIRES_VALIDATION: 'true',
      VALIDATION_REMINDER_HOURS: '4.5',
      ANALYST_ROUTING: 'roster',
      NOTIFY_DIGEST_SECONDS: '30',
    });
    expect(c.notifications).toMatchObject({
      onsiteRequiresValidation: true,
      validationReminderMs: 4.5 * 3600_000,
      analystRouting: 'roster',
      digestWindowMs: 30_000,
      concurrency: 8,
    });
    expect(() => loadConfig({ ANALYST_ROUTING: 'some', VALIDATION_REMINDER_HOURS: '0' })).toThrow(
      /(?=.*ANALYST_ROUTING)(?=.*VALIDATION_REMINDER_HOURS)/,
    );
  });

  it('change only destinations in the on-site validation variant, so who may act from where stays one table', () => {
    const variant = transitionsFor({ onsiteRequiresValidation: true });
    expect(variant.map(({ to: _to, ...rest }) => rest)).toEqual(TRANSITIONS.map(({ to: _to, ...rest }) => rest));
    expect(variant.filter((r, i) => r.to !== TRANSITIONS[i]!.to).map((r) => `${r.action}>${r.to}`)).toEqual([
      'resolve_onsite>validation',
    ]);
    expect(transitionsFor({ onsiteRequiresValidation: false })).toBe(TRANSITIONS);
  });
});

describe('on-site resolution under each policy', () => {
  let w: World;
  beforeAll(async () => {
    w = await openWorld();
  });
  afterAll(async () => {
    await w?.t.close();
  });

  async function inDiagnosis(
    deps: World['deps'] & { policy?: { onsiteRequiresValidation: boolean } },
  ): Promise<ServiceOrder> {
    let o = await reportOrder(deps, reportInput());
    o = await assignEngineer(deps, { ...base(o, P.analyst), engineerId: P.engineer });
    return acceptOrder(deps, base(o, P.engineer));
  }
  const doc = 'Se reemplazó el cable de red del equipo.';

  it('resolves at once under the seed (4 → 7), telling requester and analysts', async () => {
    const o = await inDiagnosis(w.deps);
    const resolved = await resolveOnsite(w.deps, { ...base(o, P.engineer), documentation: doc });
    expect(resolved.status).toBe('resolved');
    expect(heard(o, resolved)).toEqual(
      [`order_resolved>${P.analyst}`, `order_resolved>${P.analyst2}`, `status_changed>${P.requester}`].sort(),
    );
  });

  it('asks the requester and the judge first when the switch is on, and a rejection returns to the engineer', async () => {
    const deps = { ...w.deps, policy: { onsiteRequiresValidation: true } };
    const o = await inDiagnosis(deps);
    let v = await resolveOnsite(deps, { ...base(o, P.engineer), documentation: doc });
    expect(v.status).toBe('validation');
    expect(v.timestamps.resolvedAt).toBeUndefined();
    expect(heard(o, v)).toEqual([`validation_request>${P.requester}`]);
    const back = await rejectValidation(deps, { ...base(v, P.requester), reason: 'Sigue sin red' });
    expect(back.status).toBe('diagnosis');
    expect(heard(v, back)).toEqual([`validation_rejected>${P.engineer}`]);
    v = await resolveOnsite(deps, { ...base(back, P.engineer), documentation: doc });
    let next = await confirmValidation(deps, base(v, P.requester));
    next = await signOrder(deps, base(next, P.judge));
    expect(next.status).toBe('validated');
    next = await documentAttention(deps, { ...base(next, P.engineer), documentation: doc });
    expect(next.status).toBe('resolved');
    expect(next.timestamps.resolvedAt).toBeInstanceOf(Date);
    expect((await closeOrder(deps, base(next, P.analyst))).status).toBe('closed');
  });
});

describe('analyst routing', () => {
  const person = (id: string, onDuty?: boolean) => ({
    id,
    name: id,
    email: `${id}@cjf.example.mx`,
    roles: ['analyst' as const],
    centreIds: [],
    ...(onDuty === undefined ? {} : { onDuty }),
  });
  const directory = (people: ReturnType<typeof person>[]) => ({ analysts: async () => people });
  const ids = (people: { id: string }[]) => people.map((p) => p.id);

  it('tells every analyst with "all"', async () => {
    expect(ids(await analystsToNotify(directory([person('a', true), person('b')]), 'all'))).toEqual(['a', 'b']);
  });

  it('tells only those on duty with "roster", and everyone when nobody is on duty', async () => {
    expect(
      ids(await analystsToNotify(directory([person('a', true), person('b'), person('c', false)]), 'roster')),
    ).toEqual(['a']);
    expect(ids(await analystsToNotify(directory([person('a'), person('b', false)]), 'roster'))).toEqual(['a', 'b']);
  });
});
