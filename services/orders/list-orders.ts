import { z } from 'zod';
import { ORDER_STATUSES } from '../workflow';
import { directoryId } from '../directory/schema';
import type { OrderStore } from './order-store';
import type { ServiceOrder } from './types';
import { parseInput } from './inputs';

export const MAX_PAGE_SIZE = 100;

const date = z.iso
  .datetime({ offset: true, message: 'fecha inválida (ISO 8601)' })
  .or(z.iso.date('fecha inválida (AAAA-MM-DD)'))
  .transform((s) => new Date(s));
const positiveInt = (max: number) =>
  z
    .union([
      z.number(),
      z
        .string()
        .regex(/^\d{1,6}$/, 'debe ser un entero')
        .transform(Number),
    ])
    .pipe(z.number().int().min(1).max(max));

const Input = z
  .strictObject({
    status: z.enum(ORDER_STATUSES).optional(),
    centre: directoryId.optional(),
    requester: directoryId.optional(),
    from: date.optional(),
    to: date.optional(),
    page: positiveInt(10_000).default(1),
    pageSize: positiveInt(MAX_PAGE_SIZE).default(20),
  })
  .refine((i) => !i.from || !i.to || i.from < i.to, { message: 'debe ser posterior a «from»', path: ['to'] });

export interface OrderPage {
  items: ServiceOrder[];
  total: number;
  page: number;
  pageSize: number;
}

/**
 * Lists orders, newest first, by status, centre, requester and creation date range
 * (`from` inclusive, `to` exclusive), paged (pageSize ≤ 100). Every filter is parsed into
 * a typed value first — an enum, an id pattern, a date — so anything else, an object like
 * `{ $gt: "" }` included, is refused as VALIDATION naming the field before a query exists.
 */
export async function listOrders(
  deps: { orders: Pick<OrderStore, 'list'> },
  raw: Record<string, unknown>,
): Promise<OrderPage> {
  const input = parseInput(Input, raw);
  const { items, total } = await deps.orders.list({
    status: input.status,
    centreId: input.centre,
    requesterId: input.requester,
    from: input.from,
    to: input.to,
    skip: (input.page - 1) * input.pageSize,
    limit: input.pageSize,
  });
  return { items, total, page: input.page, pageSize: input.pageSize };
}
