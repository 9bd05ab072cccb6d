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
