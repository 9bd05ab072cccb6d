import type { Request, Response, Server } from 'restify';
import type { Logger } from '../logger';
import { checkBearer } from './auth';
import type { OrderReads } from './ports';
import { invalidField, sendError } from './respond';

/** The parameters `GET /api/orders` knows; the list-orders use case validates their values. */
export const LIST_PARAMETERS = ['status', 'centre', 'requester', 'from', 'to', 'page', 'pageSize'] as const;

/**
 * Edge check of the query's shape: known parameters only, each given once as plain text.
 * Repeated (`a=1&a=2` → array) and bracketed (`a[$ne]=x` → object) values are refused here,
 * naming the parameter, so nothing but strings ever reaches the use case.
 */
export function plainListQuery(raw: unknown): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [key, value] of Object.entries((raw ?? {}) as Record<string, unknown>)) {
    if (!(LIST_PARAMETERS as readonly string[]).includes(key)) throw invalidField(key, 'parámetro no reconocido');
    if (typeof value !== 'string') throw invalidField(key, 'debe indicarse una sola vez, como texto');
    query[key] = value;
  }
  return query;
}

/** Registers the read API: `GET /api/orders/:folio` and `GET /api/orders`, bearer-guarded. */
export function registerOrderRoutes(
  server: Server,
  deps: { orders: OrderReads; apiToken?: string; logger: Logger },
): void {
  const guard = (handler: (req: Request, res: Response) => Promise<void>) => async (req: Request, res: Response) => {
    try {
      checkBearer(req.headers.authorization, deps.apiToken);
      await handler(req, res);
    } catch (error) {
      sendError(res, error, deps.logger);
    }
  };
  server.get(
    '/api/orders/:folio',
    guard(async (req, res) => {
      res.send(200, await deps.orders.getOrderByFolio(String(req.params.folio ?? '')));
    }),
  );
  server.get(
    '/api/orders',
    guard(async (req, res) => {
      res.send(200, await deps.orders.listOrders(plainListQuery(req.query)));
    }),
  );
}
