import type { OrderPage } from '../orders/list-orders';
import type { ServiceOrder } from '../orders/types';

export type { OrderPage } from '../orders/list-orders';

/**
 * The read side the HTTP edge needs: the get-order and list-orders use cases. Both validate
 * their input and throw AppError VALIDATION naming the field, or NOT_FOUND.
 */
export interface OrderReads {
  getOrderByFolio(folio: string): Promise<ServiceOrder>;
  /** `query` holds one plain string per parameter; the use case parses the values. */
  listOrders(query: Record<string, string>): Promise<OrderPage>;
}
