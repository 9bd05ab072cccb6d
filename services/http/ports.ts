import type { ServiceOrder } from '../orders/types';
import type { OrderStatus } from '../workflow';

/** Validated filters of the list endpoint (never raw user values). */
export interface OrderListQuery {
  status?: OrderStatus;
  centreId?: string;
  requesterId?: string;
  from?: Date;
  to?: Date;
  page: number;
  pageSize: number;
}

export interface OrderPage {
  items: ServiceOrder[];
  total: number;
  page: number;
  pageSize: number;
}

/**
 * The read side the HTTP edge and the bot need: the get-order and list-orders use cases.
 * `getOrderByFolio` throws AppError NOT_FOUND for an unknown folio.
 */
export interface OrderReads {
  getOrderByFolio(folio: string): Promise<ServiceOrder>;
  listOrders(query: OrderListQuery): Promise<OrderPage>;
}
