import type { Contract } from '../directory/schema';
import type { HistoryEntry, ServiceOrder } from '../orders/types';
import type { OrderStatus } from '../workflow';
import { BusinessCalendar, deadlineIn, durationIn, TimeBasis } from './calendar';
import type { DeskTargets } from './targets';

export const CLOCK_NAMES = [
  'desk_response',
  'onsite_attention',
  'desk_resolution',
  'provider_attention',
  'provider_resolution',
] as const;
export type ClockName = (typeof CLOCK_NAMES)[number];

export const CLOCK_LABELS: Record<ClockName, string> = {
  desk_response: 'Respuesta de la Mesa de Servicio',
  onsite_attention: 'Atención del ingeniero en sitio',
  desk_resolution: 'Resolución de la orden',
  provider_attention: 'Atención del proveedor (contrato)',
  provider_resolution: 'Solución del proveedor (contrato)',
};

export type ClockState = 'running' | 'met' | 'breached' | 'paused';

export const CLOCK_STATE_LABELS: Record<ClockState, string> = {
  running: 'En curso',
  met: 'Cumplido',
  breached: 'Incumplido',
  paused: 'En pausa (esperando al solicitante)',
};

export interface Clock {
  name: ClockName;
  basis: TimeBasis;
  targetMs: number;
  startedAt: Date;
  stoppedAt?: Date;
  /** Time counted against the target (waiting time excluded). */
  elapsedMs: number;
  /** Time within the clock's span spent waiting for the requester or the judge. */
  pausedMs: number;
  /** Target less elapsed; negative once breached. */
  remainingMs: number;
  /** When a running clock reaches its target if nothing stops it. */
  dueAt?: Date;
  state: ClockState;
}

/** The statuses in which the order waits for the requester (validation) or the judge (signature). */
export const WAITING_STATUSES: readonly OrderStatus[] = ['validation', 'signature'];

export interface ClockContext {
  calendar: BusinessCalendar;
  /** `null` when the directory sets no desk targets: the desk's clocks are then not measured. */
  desk: DeskTargets | null;
  /** The contract of `order.provider.contractId`, when the order was turned to a provider. */
  contract?: Pick<Contract, 'attentionHours' | 'resolutionHours' | 'hours'>;
  now: Date;
}

export type ClockOrder = Pick<ServiceOrder, 'status' | 'priority' | 'timestamps'> & {
  history: readonly Pick<HistoryEntry, 'at' | 'to'>[];
};

export interface OrderClocks {
  clocks: Clock[];
  /** Business time (centre calendar) the order spent waiting for the requester and the judge. */
  requesterWaitMs: number;
}

type Span = [number, number];

/** Spans in which the order was in a waiting status, from its history of transitions. */
export function waitingSpans(order: ClockOrder, now: Date): Span[] {
  const moves = order.history.filter((h) => h.to !== undefined);
  const spans: Span[] = [];
  moves.forEach((h, i) => {
    if (!WAITING_STATUSES.includes(h.to!)) return;
    const end = moves[i + 1]?.at ?? now;
    spans.push([h.at.getTime(), end.getTime()]);
  });
  return spans;
}

interface Definition {
  name: ClockName;
  start?: Date;
  stop?: Date;
  basis: TimeBasis;
  targetHours?: number;
  /** Waiting time is excluded (resolution clocks). */
  pausable: boolean;
}

function definitions(order: ClockOrder, ctx: ClockContext): Definition[] {
  const t = order.timestamps;
  const p = order.priority;
  const end = (...dates: (Date | undefined)[]) => dates.find((d) => d !== undefined);
  const contract = ctx.contract;
  return [
    {
      name: 'desk_response',
      start: t.reportedAt,
      stop: end(t.takenAt, t.engineerAssignedAt, t.closedAt, t.cancelledAt),
      basis: 'business',
      targetHours: ctx.desk?.responseHours[p],
      pausable: false,
    },
    {
      name: 'onsite_attention',
      start: t.engineerAssignedAt,
      stop: end(t.acceptedAt, t.cancelledAt),
      basis: 'business',
      targetHours: ctx.desk?.onsiteAttentionHours[p],
      pausable: false,
    },
    {
      name: 'desk_resolution',
      start: t.reportedAt,
      stop: end(t.resolvedAt, t.closedAt, t.cancelledAt),
      basis: 'business',
      targetHours: ctx.desk?.resolutionHours[p],
      pausable: true,
    },
    {
      name: 'provider_attention',
      start: t.providerAt,
      stop: end(t.providerAttendedAt, t.cancelledAt),
      basis: contract?.hours ?? 'business',
      targetHours: contract?.attentionHours[p],
      pausable: false,
    },
    {
      name: 'provider_resolution',
      start: t.providerAt,
      stop: end(t.resolvedAt, t.cancelledAt),
      basis: contract?.hours ?? 'business',
      targetHours: contract?.resolutionHours[p],
      pausable: true,
    },
  ];
}

function measure(
  def: Definition & { start: Date; targetHours: number },
  order: ClockOrder,
  ctx: ClockContext,
  waits: Span[],
): Clock {
  const stop = def.stop;
  const until = stop ?? ctx.now;
  const gross = durationIn(def.basis, def.start, until, ctx.calendar);
  let pausedMs = 0;
  for (const [s, e] of waits) {
    const from = Math.max(s, def.start.getTime());
    const to = Math.min(e, until.getTime());
    if (to > from) pausedMs += durationIn(def.basis, new Date(from), new Date(to), ctx.calendar);
  }
  const elapsedMs = def.pausable ? gross - pausedMs : gross;
  const targetMs = Math.round(def.targetHours * 3600_000);
  const clock: Clock = {
    name: def.name,
    basis: def.basis,
    targetMs,
    startedAt: def.start,
    elapsedMs,
    pausedMs,
    remainingMs: targetMs - elapsedMs,
    state: 'running',
  };
  if (stop) {
    clock.stoppedAt = stop;
    clock.state = elapsedMs <= targetMs ? 'met' : 'breached';
  } else if (elapsedMs >= targetMs) {
    clock.state = 'breached';
  } else if (def.pausable && WAITING_STATUSES.includes(order.status)) {
    clock.state = 'paused';
  } else {
    clock.dueAt = deadlineIn(def.basis, ctx.now, targetMs - elapsedMs, ctx.calendar);
  }
  return clock;
}

/**
 * The service-level clocks of an order at `ctx.now`. Pure: everything it needs is passed in.
 *
 * - desk response: report → taken (or turned straight to an engineer, or closed);
 * - on-site attention: engineer assigned → engineer accepts and contacts the requester;
 * - desk resolution: report → resolved (or closed remotely);
 * - provider attention and provider resolution: hand-off to the provider → attention
 *   recorded / resolved, against the contract's hours for the order's priority, in business
 *   or calendar time as the contract says.
 *
 * Desk clocks count business time of the centre; targets come from `ctx.desk`. Time the
 * order waits for the requester's validation or the judge's signature is measured
 * separately (`pausedMs`, `requesterWaitMs`) and never counted against the resolution
 * clocks, so a provider is not charged for the requester's delay; a clock whose
 * target is already used up stays breached while paused. A clock that has not started
 * (no hand-off yet) or has no target (no contract) is left out. A cancelled order stops
 * every clock at its cancellation. Every timestamp is the FIRST time the activity happened:
 * rework after a rejected validation does not restart a clock.
 */
export function orderClocks(order: ClockOrder, ctx: ClockContext): OrderClocks {
  const waits = waitingSpans(order, ctx.now);
  const clocks: Clock[] = [];
  for (const def of definitions(order, ctx)) {
    if (!def.start || def.targetHours === undefined) continue;
    clocks.push(measure({ ...def, start: def.start, targetHours: def.targetHours }, order, ctx, waits));
  }
  const requesterWaitMs = waits.reduce(
    (sum, [s, e]) => sum + durationIn('business', new Date(s), new Date(e), ctx.calendar),
    0,
  );
  return { clocks, requesterWaitMs };
}
