import type { OrderStatus } from '../workflow';
import { OPEN_STATUSES } from '../workflow';
import type { OrderStore } from './order-store';
import type { ServiceOrder } from './types';

/** One page of a work list, newest first, with how many there are in all. */
export interface WorkPage {
  items: ServiceOrder[];
  total: number;
}

export interface WorkListInput {
  /** 1-based. */
  page?: number;
  pageSize: number;
}

export type WorkListDeps = { orders: Pick<OrderStore, 'list'> };

/** States in which an order is on its engineer's desk. */
export const ENGINEER_STATUSES: readonly OrderStatus[] = [
  'engineer_assigned',
  'diagnosis',
  'provider',
  'validation',
  'signature',
  'validated',
];

const pageOf = (input: WorkListInput) => ({
  skip: (Math.max(1, input.page ?? 1) - 1) * input.pageSize,
  limit: input.pageSize,
});

/**
 * The analysts' queue (`pendientes`): orders reported and not yet taken, newest first. The
 * database filters, sorts and counts, so the page and the total cover every such order.
 */
export function listQueue(deps: WorkListDeps, input: WorkListInput): Promise<WorkPage> {
  return deps.orders.list({ status: 'reported', ...pageOf(input) });
}

/** An engineer's orders (`mis asignadas`): turned to them and still in their hands, newest first. */
export function listAssigned(deps: WorkListDeps, input: WorkListInput & { engineerId: string }): Promise<WorkPage> {
  return deps.orders.list({ statuses: ENGINEER_STATUSES, engineerId: input.engineerId, ...pageOf(input) });
}

/** A requester's open orders (`mis reportes`), newest first. */
export function listMyReports(deps: WorkListDeps, input: WorkListInput & { requesterId: string }): Promise<WorkPage> {
  return deps.orders.list({ statuses: OPEN_STATUSES, requesterId: input.requesterId, ...pageOf(input) });
}

/** The views of the analysts' queue in Mesa. */
export const DESK_VIEWS = ['new', 'mine', 'closure', 'risk'] as const;
export type DeskView = (typeof DESK_VIEWS)[number];

/** States an analyst still owes work on once they took the order (everything open but new). */
const TAKEN_STATUSES: readonly OrderStatus[] = OPEN_STATUSES.filter((s) => s !== 'reported');

export interface DeskQueueInput extends WorkListInput {
  view: DeskView;
  /** The analyst asking: `mine` is what they took. */
  analystId: string;
  centreId?: string;
  engineerId?: string;
  providerId?: string;
}

const viewFilter = (view: DeskView, analystId: string) => {
  switch (view) {
    case 'new':
      return { status: 'reported' as const };
    case 'mine':
      return { statuses: TAKEN_STATUSES, analystId };
    case 'closure':
      return { statuses: ['resolved', 'validated'] as const };
    case 'risk':
      return { statuses: OPEN_STATUSES, atRisk: true };
  }
};

/**
 * The analysts' queue as Mesa shows it: new orders, those the analyst took, those waiting
 * for closure, and those whose SLA clocks warned or broke; each narrowed by centre, engineer
 * and provider. `counts` gives every view's total under the same narrowing, so the tabs
 * show them without a second round trip.
 */
export async function listDeskQueue(
  deps: WorkListDeps,
  input: DeskQueueInput,
): Promise<WorkPage & { counts: Record<DeskView, number> }> {
  const narrow = {
    ...(input.centreId && { centreId: input.centreId }),
    ...(input.engineerId && { engineerId: input.engineerId }),
    ...(input.providerId && { providerId: input.providerId }),
  };
  const pages = await Promise.all(
    DESK_VIEWS.map((view) =>
      deps.orders.list({
        ...viewFilter(view, input.analystId),
        ...narrow,
        ...(view === input.view ? pageOf(input) : { skip: 0, limit: 1 }),
      }),
    ),
  );
  const counts = Object.fromEntries(DESK_VIEWS.map((v, i) => [v, pages[i]!.total])) as Record<DeskView, number>;
  return { items: pages[DESK_VIEWS.indexOf(input.view)]!.items, total: counts[input.view], counts };
}
