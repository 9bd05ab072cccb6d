import type { Request, Response, Server } from 'restify';
import { z } from 'zod';
import type { Logger } from '../logger';
import { ORDER_STATUSES } from '../workflow';
import { checkBearer } from './auth';
import type { OrderListQuery, OrderReads } from './ports';
import { invalidField, sendError } from './respond';

export const FOLIO_PATTERN = /^OS-\d{4}-\d{6}$/;
const idPattern = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/;
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?$/, 'use una fecha ISO, p. ej. 2026-03-01')
  .transform((v) => new Date(v)).refine((d) => !Number.isNaN(d.getTime()), 'fecha inexistente');
const int = (min: number, max: number) => z.string().regex(/^\d{1,6}$/, 'debe ser un número entero').transform(Number)
  .refine((n) => n >= min && n <= max, `debe estar entre ${min} y ${max}`);

/** Every parameter is one plain string: repeated (`a=1&a=2`) or bracketed (`a[$ne]=x`) values fail here. */
const ListQuery = z.strictObject({
  status: z.enum(ORDER_STATUSES, 'estado desconocido').optional(),
  centre: z.string().regex(idPattern, 'identificador de centro inválido').optional(),
  requester: z.string().regex(idPattern, 'identificador de solicitante inválido').optional(),
  from: date.optional(),
  to: date.optional(),
  page: int(1, 100_000).optional(),
  pageSize: int(1, 100).optional(),
});

/** Parses the list query or throws VALIDATION naming the first bad parameter. */
export function parseListQuery(raw: unknown): OrderListQuery {
  const parsed = ListQuery.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    if (issue.code === 'unrecognized_keys') throw invalidField(issue.keys[0], 'parámetro no reconocido');
    const field = String(issue.path[0] ?? 'query');
    throw invalidField(field, issue.code === 'invalid_type' ? 'debe indicarse una sola vez, como texto' : issue.message);
  }
  const q = parsed.data;
  if (q.from && q.to && q.from > q.to) throw invalidField('from', 'no puede ser posterior a «to»');
  return { status: q.status, centreId: q.centre, requesterId: q.requester, from: q.from, to: q.to, page: q.page ?? 1, pageSize: q.pageSize ?? 20 };
}

/** Registers the read API: `GET /api/orders/:folio` and `GET /api/orders`, bearer-guarded. */
export function registerOrderRoutes(server: Server, deps: { orders: OrderReads; apiToken?: string; logger: Logger }): void {
  const guard = (handler: (req: Request, res: Response) => Promise<void>) => async (req: Request, res: Response) => {
    try {
      checkBearer(req.headers.authorization, deps.apiToken);
      await handler(req, res);
    } catch (error) {
      sendError(res, error, deps.logger);
    }
  };
  server.get('/api/orders/:folio', guard(async (req, res) => {
    const folio = String(req.params.folio ?? '');
    if (!FOLIO_PATTERN.test(folio)) throw invalidField('folio', 'debe tener la forma OS-2026-000123');
    res.send(200, await deps.orders.getOrderByFolio(folio));
  }));
  server.get('/api/orders', guard(async (req, res) => {
    res.send(200, await deps.orders.listOrders(parseListQuery(req.query)));
  }));
}
