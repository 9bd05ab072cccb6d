import { z } from 'zod';
import type { OrderStore } from './order-store';
import type { ServiceOrder } from './types';
import { parseInput } from './inputs';
import { notFoundError } from './apply-transition';
import { canSeeOrder, orderFor, OrderViewer } from './order-visibility';

export const folioSchema = z.string().regex(/^OS-\d{4}-\d{6}$/, 'folio inválido (ejemplo: OS-2026-000123)');
const Input = z.strictObject({ folio: folioSchema });

/**
 * Reads one order by folio, with its history. A malformed folio is VALIDATION naming
 * `folio`; none → NOT_FOUND. Every caller names who reads: a person (every edge where a
 * person asks), for whom an order they may not see (`canSeeOrder`) is the same NOT_FOUND as
 * a folio that does not exist; or `'service'`, the staff read API its own token guards. The
 * viewer is required so that a new edge cannot forget it and show any order to anyone.
 * Internal notes are left out for viewers who are not staff (`orderFor`).
 */
export async function getOrder(
  deps: { orders: Pick<OrderStore, 'findByFolio'> },
  input: { folio: unknown; viewer: OrderViewer | 'service' },
): Promise<ServiceOrder> {
  const { folio } = parseInput(Input, { folio: input.folio });
  const order = await deps.orders.findByFolio(folio);
  if (!order || (input.viewer !== 'service' && !canSeeOrder(input.viewer, order))) throw notFoundError(folio);
  return orderFor(order, input.viewer);
}
