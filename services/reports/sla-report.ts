import type { ObjectId } from 'mongodb';
import type { Logger } from '../logger';
import type { ClockSource } from '../sla/clock-source';
import { CLOCK_LABELS, CLOCK_NAMES, ClockName } from '../sla/clocks';
import { ORDER_STATUSES, OrderStatus } from '../workflow';
import type { ReportQuery } from './report-query';
import type { ReportSource } from './report-store';
import { OrderFigures, usableFigures } from './order-figures';
import { LIVE_BATCH, measureFromHistory } from './summarise-orders';

export type Dimension = 'total' | 'centre' | 'provider' | 'contract';

export interface ClockFigures {
  clock: ClockName;
  label: string;
  /** Clocks that stopped in the period's orders: the ones with a final time. */
  completed: number;
  medianMs: number | null;
  p90Ms: number | null;
  met: number;
  /** Stopped late, or still running past the target. */
  breached: number;
  /** met / (met + breached); null when nothing is decided yet. */
  complianceRate: number | null;
}

export interface ReportGroup {
  dimension: Dimension;
  key: string;
  orders: number;
  byState: Record<OrderStatus, number>;
  /** Orders with at least one breached clock. */
  ordersWithBreach: number;
  clocks: ClockFigures[];
}

export interface SlaReport {
  period: { from: string; to: string };
  filters: { centre?: string; provider?: string; contract?: string };
  generatedAt: string;
  groups: ReportGroup[];
}

interface Acc {
  dimension: Dimension;
  key: string;
  orders: number;
  byState: Record<OrderStatus, number>;
  ordersWithBreach: number;
  clocks: Map<ClockName, { times: number[]; met: number; breached: number }>;
}

function newAcc(dimension: Dimension, key: string): Acc {
  return {
    dimension,
    key,
    orders: 0,
    byState: Object.fromEntries(ORDER_STATUSES.map((s) => [s, 0])) as Record<OrderStatus, number>,
    ordersWithBreach: 0,
    clocks: new Map(),
  };
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function median(sorted: number[]): number | null {
  if (sorted.length === 0) return null;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Adds one order's figures to each of its groups. */
function count(targets: readonly Acc[], figures: OrderFigures): void {
  const breachedAny = figures.clocks.some((c) => c.state === 'breached');
  for (const a of targets) {
    a.orders += 1;
    a.byState[figures.status] += 1;
    if (breachedAny) a.ordersWithBreach += 1;
    for (const c of figures.clocks) {
      let f = a.clocks.get(c.name);
      if (!f) {
        f = { times: [], met: 0, breached: 0 };
        a.clocks.set(c.name, f);
      }
      if (c.stopped) f.times.push(c.elapsedMs);
      if (c.state === 'met') f.met += 1;
      if (c.state === 'breached') f.breached += 1;
    }
  }
}

function figures(acc: Acc): ReportGroup {
  const clocks: ClockFigures[] = [];
  for (const name of CLOCK_NAMES) {
    const c = acc.clocks.get(name);
    if (!c) continue;
    const sorted = c.times.sort((a, b) => a - b);
    const decided = c.met + c.breached;
    clocks.push({
      clock: name,
      label: CLOCK_LABELS[name],
      completed: sorted.length,
      medianMs: median(sorted),
      p90Ms: percentile(sorted, 90),
      met: c.met,
      breached: c.breached,
      complianceRate: decided ? c.met / decided : null,
    });
  }
  return {
    dimension: acc.dimension,
    key: acc.key,
    orders: acc.orders,
    byState: acc.byState,
    ordersWithBreach: acc.ordersWithBreach,
    clocks,
  };
}

/**
 * The desk's SLA report for a period: per centre, per provider and per contract (and the
 * total), the orders by state, median and p90 of each clock's time (business or calendar
 * time, as the clock counts, waiting for the requester excluded), how many met or breached
 * their target and the compliance rate. Cancelled orders count by state but not in the
 * clock figures. Reads the period's orders once, through an index, taking a closed order's
 * figures from its stored summary while that still holds; the others (open orders, orders
 * stored before summaries, or changed since) are measured from their history with the same
 * clocks the Cédula shows, and the closed ones among them get their summary stored, so the
 * report and the documents always agree and the next report reads less.
 */
export async function slaReport(
  deps: { source: ReportSource; clocks: ClockSource; now: Date; logger?: Logger },
  q: ReportQuery,
): Promise<SlaReport> {
  const groups = new Map<string, Acc>();
  const acc = (dimension: Dimension, key: string) => {
    const id = `${dimension}\u0000${key}`;
    let a = groups.get(id);
    if (!a) {
      a = newAcc(dimension, key);
      groups.set(id, a);
    }
    return a;
  };
  const add = (figures: OrderFigures) => {
    const targets = [acc('total', 'total'), acc('centre', figures.centreId)];
    if (figures.providerId && figures.contractId)
      targets.push(acc('provider', figures.providerId), acc('contract', figures.contractId));
    count(targets, figures);
  };
  let live: ObjectId[] = [];
  const measureLive = async () => {
    await measureFromHistory(deps, live, add);
    live = [];
  };
  for await (const row of deps.source.summariesIn(q)) {
    const stored = await usableFigures(deps.clocks, row);
    if (stored) add(stored);
    else if (live.push(row._id) >= LIVE_BATCH) await measureLive();
  }
  await measureLive();
  const order: Dimension[] = ['total', 'centre', 'provider', 'contract'];
  const result = [...groups.values()]
    .sort((a, b) => order.indexOf(a.dimension) - order.indexOf(b.dimension) || a.key.localeCompare(b.key))
    .map(figures);
  const filters: SlaReport['filters'] = {};
  if (q.centreId) filters.centre = q.centreId;
  if (q.providerId) filters.provider = q.providerId;
  if (q.contractId) filters.contract = q.contractId;
  return {
    period: { from: q.from.toISOString(), to: q.to.toISOString() },
    filters,
    generatedAt: deps.now.toISOString(),
    groups: result,
  };
}
