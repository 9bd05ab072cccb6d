import { getOrder } from '../orders/get-order';
import { listOrders } from '../orders/list-orders';
import type { OrderStore } from '../orders/order-store';
import type { OrderReads } from './ports';

/** OrderReads through the get-order and list-orders use cases over the order store. */
export function orderReadsFromStore(store: Pick<OrderStore, 'findByFolio' | 'list'>): OrderReads {
  return {
    getOrderByFolio: (folio) => getOrder({ orders: store }, { folio, viewer: 'service' }),
    listOrders: (query) => listOrders({ orders: store }, query),
  };
}
