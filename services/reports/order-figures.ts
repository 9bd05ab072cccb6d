import type { Logger } from '../logger';
import { ClockDirectory, ClockSource } from '../sla/clock-source';
import type { DeskTargetSource } from '../sla/targets';
import type { ClockName, ClockState } from '../sla/clocks';
import type { Priority } from '../orders/types';
import type { OrderStatus } from '../workflow';
import type { ReportedOrder } from './report-store';

/** One clock as the report counts it. */
export interface FigureClock {
  name: ClockName;
  elapsedMs: number;
  targetMs: number;
  state: ClockState;
  /** The clock has stopped: its time counts among the completed ones. */
  stopped: boolean;
}

/**
 * What one order adds to the SLA report: where it is grouped, its state and its clocks.
 * Measured from the order's history ({@link figuresOf}) or read back from its stored
 * summary; both are the same object, so the two paths cannot count differently.
 */
export interface OrderFigures {
  status: OrderStatus;
  centreId: string;
  providerId?: string;
  contractId?: string;
  /** Empty for a cancelled order: it counts by state, not in the clock figures. */
  clocks: FigureClock[];
}

/** The order's figures at `now`, measured with the same clocks the Cédula shows. */
export async function figuresOf(clocks: ClockSource, order: ReportedOrder, now: Date): Promise<OrderFigures> {
  const measured = order.status === 'cancelled' ? [] : (await clocks.clocksOf(order, now)).clocks;
  const figures: OrderFigures = {
    status: order.status,
    centreId: order.centreId,
    clocks: measured.map((c) => ({
      name: c.name,
      elapsedMs: c.elapsedMs,
      targetMs: c.targetMs,
      state: c.state,
      stopped: c.stoppedAt !== undefined,
    })),
  };
  if (order.provider) {
    figures.providerId = order.provider.providerId;
    figures.contractId = order.provider.contractId;
  }
  return figures;
}

/** The statuses whose figures no longer change with time, once every clock has stopped. */
export const SUMMARISED_STATUSES: readonly OrderStatus[] = ['closed', 'cancelled'];

/** Layout of {@link SlaSummary}; a summary of another layout is measured again. */
export const SLA_SUMMARY_SCHEMA = 1;

/**
 * An order's SLA figures stored on the order once it is closed or cancelled, so the report
 * reads this small field instead of every order's history. It holds for one version of the
 * order (any later change of state, priority or facts bumps `version` and makes it stale)
 * and one clock basis (the directory's calendar and targets, see ClockSource.basis). The
 * report uses it only when both still hold and `final` is true; otherwise it measures the
 * order from its history, as before summaries existed.
 */
export interface SlaSummary extends OrderFigures {
  schema: typeof SLA_SUMMARY_SCHEMA;
  version: number;
  basis: string;
  priority: Priority;
  /** When the order was closed (or cancelled). */
  closedAt?: Date;
  /**
   * Every clock has stopped, so the figures no longer depend on when the report runs. A
   * clock left running at closure (an attention never recorded) keeps growing: such an
   * order is measured live.
   */
  final: boolean;
}

/** An order as the summary is measured from: its clock facts and its version. */
export type SummarisedOrder = ReportedOrder & { version: number };

/**
 * The summary a closed or cancelled order carries; `null` for any other status (an order
 * still open, or reopened, is measured live).
 */
export async function slaSummaryOf(clocks: ClockSource, order: SummarisedOrder, now: Date): Promise<SlaSummary | null> {
  if (!SUMMARISED_STATUSES.includes(order.status)) return null;
  const figures = await figuresOf(clocks, order, now);
  const summary: SlaSummary = {
    schema: SLA_SUMMARY_SCHEMA,
    version: order.version,
    basis: await clocks.basis(order),
    priority: order.priority,
    final: figures.clocks.every((c) => c.stopped),
    ...figures,
  };
  const closedAt = order.timestamps.closedAt ?? order.timestamps.cancelledAt;
  if (closedAt) summary.closedAt = closedAt;
  return summary;
}

/** The summary's figures when it still describes the order as it is now; undefined otherwise. */
export async function usableFigures(
  clocks: ClockSource,
  row: { status: OrderStatus; version: number; slaSummary?: SlaSummary | null },
): Promise<OrderFigures | undefined> {
  const s = row.slaSummary;
  if (!s || s.schema !== SLA_SUMMARY_SCHEMA || !s.final || s.version !== row.version || s.status !== row.status)
    return undefined;
  const place = { centreId: s.centreId, ...(s.contractId ? { provider: { contractId: s.contractId } } : {}) };
  if (s.basis !== (await clocks.basis(place))) return undefined;
  const figures: OrderFigures = { status: s.status, centreId: s.centreId, clocks: s.clocks };
  if (s.providerId) figures.providerId = s.providerId;
  if (s.contractId) figures.contractId = s.contractId;
  return figures;
}

/**
 * The summariser the order use cases store with each closure or cancellation: one fresh
 * ClockSource per change, so the directory as it is at that moment is measured against. It
 * never stops a closure: a measurement that fails (a directory error) is logged and the
 * order is left without a summary, which the report then measures from history.
 */
export function slaSummariser(deps: {
  directory: ClockDirectory;
  desk: DeskTargetSource;
  zone: string;
  logger?: Logger;
}): (order: SummarisedOrder, now: Date) => Promise<SlaSummary | null> {
  return async (order, now) => {
    try {
      return await slaSummaryOf(new ClockSource(deps.directory, deps.desk, deps.zone), order, now);
    } catch (error) {
      deps.logger?.warn({ err: error, orderId: String(order._id) }, 'could not measure the SLA summary');
      return null;
    }
  };
}
