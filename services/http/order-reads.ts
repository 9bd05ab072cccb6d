import { AppError } from '../errors';
import type { OrderStore } from '../orders/order-store';
import type { OrderReads } from './ports';

/**
 * OrderReads over the order store, used until the get-order / list-orders use cases are
 * wired in; it adds nothing but the NOT_FOUND error and page arithmetic.
 */
export function orderReadsFromStore(store: Pick<OrderStore, 'findByFolio' | 'list'>): OrderReads {
  return {
    async getOrderByFolio(folio) {
      const order = await store.findByFolio(folio);
      if (!order) throw new AppError('NOT_FOUND', `order ${folio} not found`, `No existe la orden ${folio}.`, { folio });
      return order;
    },
    async listOrders(q) {
      const { items, total } = await store.list({
        status: q.status, centreId: q.centreId, requesterId: q.requesterId, from: q.from, to: q.to,
        skip: (q.page - 1) * q.pageSize, limit: q.pageSize,
      });
      return { items, total, page: q.page, pageSize: q.pageSize };
    },
  };
}
