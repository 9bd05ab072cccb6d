import type { DirectoryReader } from '../../services/directory/directory-store';
import type { OrderServices } from '../../services/orders/order-services';
import type { OrderStore } from '../../services/orders/order-store';
import { SEED_POLICY } from '../../services/workflow';

/** The zone the example directory's centres use, standing for TZ_DEFAULT in tests. */
export const TEST_ZONE = 'America/Mexico_City';

/** The order use cases as `npm start` wires them with default settings. */
export function orderServices(
  orders: OrderStore,
  directory: DirectoryReader,
  extra: Partial<OrderServices> = {},
): OrderServices {
  return { orders, directory, policy: SEED_POLICY, analystRouting: 'all', timeZone: TEST_ZONE, ...extra };
}

/** What the Teams bot gets from the composition root, over these stores. */
export function botServices(
  orders: OrderStore,
  directory: DirectoryReader & { snapshot?: () => Promise<{ centres: Array<{ id: string; name: string }> }> },
  extra: Partial<OrderServices> = {},
) {
  return {
    services: orderServices(orders, directory, extra),
    centres: async () => ((await directory.snapshot?.())?.centres ?? []).map((c) => ({ id: c.id, name: c.name })),
  };
}
