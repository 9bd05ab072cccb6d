import { z } from 'zod';
import type { OrderStore } from './order-store';
import type { ServiceOrder } from './types';
import { parseInput } from './inputs';
import { notFoundError } from './apply-transition';

export const folioSchema = z.string().regex(/^OS-\d{4}-\d{6}$/, 'folio inválido (ejemplo: OS-2026-000123)');
const Input = z.strictObject({ folio: folioSchema });

/** Reads one order by folio, with its history. A malformed folio is VALIDATION naming `folio`; none → NOT_FOUND. */
export async function getOrder(deps: { orders: Pick<OrderStore, 'findByFolio'> }, input: { folio: unknown }): Promise<ServiceOrder> {
  const { folio } = parseInput(Input, input);
  const order = await deps.orders.findByFolio(folio);
  if (!order) throw notFoundError(folio);
  return order;
}
