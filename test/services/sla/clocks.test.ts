import { Clock, ClockName, orderClocks } from '../../../services/sla/clocks';
import { EXAMPLE_DESK_TARGETS } from '../../support/desk-targets';
import { CDMX, cdmx, H, life, M } from './support';

const BUSINESS_CONTRACT = {
  attentionHours: { critical: 2, high: 4, medium: 8, low: 16 },
  resolutionHours: { critical: 8, high: 16, medium: 40, low: 80 },
  hours: 'business' as const,
};
const CALENDAR_CONTRACT = {
  attentionHours: { critical: 1, high: 4, medium: 24, low: 48 },
  resolutionHours: { critical: 6, high: 24, medium: 72, low: 120 },
  hours: 'calendar' as const,
};

function clocksOf(
  order: ReturnType<typeof life>,
  now: string,
  contract?: typeof BUSINESS_CONTRACT | typeof CALENDAR_CONTRACT,
) {
  const result = orderClocks(order, { calendar: CDMX, desk: EXAMPLE_DESK_TARGETS, contract, now: cdmx(now) });
  const byName = Object.fromEntries(result.clocks.map((c) => [c.name, c])) as Partial<Record<ClockName, Clock>>;
  return { ...result, byName };
}

const TO_PROVIDER: [Parameters<typeof life>[0][number][0], string][] = [
  ['reported', '2026-03-02T09:00'],
  ['desk', '2026-03-02T09:20'],
  ['engineer_assigned', '2026-03-02T09:30'],
  ['diagnosis', '2026-03-02T11:00'],
  ['provider', '2026-03-02T12:00'],
];

describe('orderClocks', () => {
  it("measures every clock of a whole life through the provider, not charging the requester's wait", () => {
    const order = life([
      ...TO_PROVIDER,
      ['validation', '2026-03-03T10:00'],
      ['signature', '2026-03-04T10:00'],
      ['validated', '2026-03-04T12:00'],
      ['resolved', '2026-03-04T13:00'],
      ['closed', '2026-03-04T14:00'],
    ]);
    const { byName, requesterWaitMs } = clocksOf(order, '2026-03-10T12:00', BUSINESS_CONTRACT);
    expect(byName.desk_response).toMatchObject({ elapsedMs: 20 * M, targetMs: 30 * M, state: 'met' });
    expect(byName.onsite_attention).toMatchObject({ elapsedMs: 1.5 * H, targetMs: 4 * H, state: 'met' });
    // Mon 12–18 and Tue 9–10: seven business hours against four.
    expect(byName.provider_attention).toMatchObject({
      elapsedMs: 7 * H,
      targetMs: 4 * H,
      remainingMs: -3 * H,
      state: 'breached',
    });
    // Mon 12:00 → Wed 13:00 is 19 business hours, 11 of them waiting for the requester and the judge.
    expect(byName.provider_resolution).toMatchObject({
      elapsedMs: 8 * H,
      pausedMs: 11 * H,
      targetMs: 16 * H,
      state: 'met',
    });
    expect(byName.desk_resolution).toMatchObject({
      elapsedMs: 11 * H,
      pausedMs: 11 * H,
      targetMs: 18 * H,
      state: 'met',
    });
    expect(requesterWaitMs).toBe(11 * H);
  });

  it('runs the provider clocks from the hand-off and gives their deadlines in business time', () => {
    const { byName } = clocksOf(life(TO_PROVIDER), '2026-03-02T14:00', BUSINESS_CONTRACT);
    expect(byName.provider_attention).toMatchObject({
      elapsedMs: 2 * H,
      remainingMs: 2 * H,
      state: 'running',
      dueAt: cdmx('2026-03-02T16:00'),
    });
    // 14 hours left: Mon 14–18, Tue 9–18, Wed 9–10.
    expect(byName.provider_resolution).toMatchObject({ state: 'running', dueAt: cdmx('2026-03-04T10:00') });
  });

  it('pauses the resolution clocks while the order waits for the requester', () => {
    const { byName } = clocksOf(
      life([...TO_PROVIDER, ['validation', '2026-03-03T10:00']]),
      '2026-03-03T15:00',
      BUSINESS_CONTRACT,
    );
    expect(byName.provider_resolution).toMatchObject({ elapsedMs: 7 * H, pausedMs: 5 * H, state: 'paused' });
    expect(byName.provider_resolution!.dueAt).toBeUndefined();
    expect(byName.provider_attention!.state).toBe('breached');
  });

  it('counts again after a rejected validation sends the order back to the provider', () => {
    const order = life([
      ...TO_PROVIDER,
      ['validation', '2026-03-03T10:00'],
      ['provider', '2026-03-03T12:00'],
      ['validation', '2026-03-03T15:00'],
    ]);
    const { byName } = clocksOf(order, '2026-03-03T16:00', BUSINESS_CONTRACT);
    // Mon 12:00 → Tue 16:00 is 13 business hours; 2 + 1 of them waiting.
    expect(byName.provider_resolution).toMatchObject({ elapsedMs: 10 * H, pausedMs: 3 * H, state: 'paused' });
    // Attention was recorded the first time; rework does not restart it.
    expect(byName.provider_attention).toMatchObject({ stoppedAt: cdmx('2026-03-03T10:00'), elapsedMs: 7 * H });
  });

  it('counts wall-clock time, nights and weekends included, under a calendar-hours contract', () => {
    const order = life([
      ...TO_PROVIDER.slice(0, 4).map(([s]) => [s, '2026-03-06T10:00'] as [typeof s, string]),
      ['provider', '2026-03-06T17:00'],
      ['validation', '2026-03-07T08:00'],
    ]);
    const { byName } = clocksOf(order, '2026-03-07T10:00', CALENDAR_CONTRACT);
    expect(byName.provider_attention).toMatchObject({
      basis: 'calendar',
      elapsedMs: 15 * H,
      targetMs: 4 * H,
      state: 'breached',
    });
    expect(byName.provider_resolution).toMatchObject({
      basis: 'calendar',
      elapsedMs: 15 * H,
      pausedMs: 2 * H,
      state: 'paused',
    });
  });

  it('carries the desk response over the weekend and breaches it once the target is used', () => {
    const order = life([['reported', '2026-03-06T17:50']]);
    expect(clocksOf(order, '2026-03-09T09:05').byName.desk_response).toMatchObject({
      elapsedMs: 15 * M,
      state: 'running',
      dueAt: cdmx('2026-03-09T09:20'),
    });
    expect(clocksOf(order, '2026-03-09T09:20').byName.desk_response).toMatchObject({
      remainingMs: 0,
      state: 'breached',
    });
  });

  it('leaves out the provider clocks when the order never reached a provider, and stops all at cancellation', () => {
    const { clocks, byName } = clocksOf(
      life([
        ['reported', '2026-03-02T09:00'],
        ['cancelled', '2026-03-02T09:10'],
      ]),
      '2026-03-05T09:00',
    );
    expect(clocks.map((c) => c.name)).toEqual(['desk_response', 'desk_resolution']);
    expect(byName.desk_response).toMatchObject({
      stoppedAt: cdmx('2026-03-02T09:10'),
      elapsedMs: 10 * M,
      state: 'met',
    });
  });

  it('stops the desk clocks at a remote closure', () => {
    const { byName } = clocksOf(
      life([
        ['reported', '2026-03-02T09:00'],
        ['desk', '2026-03-02T09:05'],
        ['closed', '2026-03-02T10:00'],
      ]),
      '2026-03-05T09:00',
    );
    expect(byName.desk_resolution).toMatchObject({ elapsedMs: 1 * H, state: 'met' });
  });
});
