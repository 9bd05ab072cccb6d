import { ObjectId } from 'mongodb';
import type { Request, Response, Server } from 'restify';
import { z } from 'zod';
import { AppError } from '../errors';
import type { Logger } from '../logger';
import { jsonBody } from '../http/bodies';
import type { HeldMailActions, IntakeReads } from '../http/intake-routes';
import type { ReportReads } from '../reports/report-routes';
import { dashboardMonths } from './desk-dashboard';
import { sendError, invalidField } from '../http/respond';
import { ActionPayload, runAction } from '../orders/run-action';
import { getOrder } from '../orders/get-order';
import { DESK_VIEWS, ENGINEER_STATUSES, listDeskQueue } from '../orders/list-work';
import type { OrderServices } from '../orders/order-services';
import { canSeeOrder } from '../orders/order-visibility';
import { searchOrders } from '../orders/search-orders';
import type { ServiceOrder } from '../orders/types';
import { ClockSource } from '../sla/clock-source';
import type { DeskTargetSource } from '../sla/targets';
import { authenticate, DeskAuthDeps, DeskUser } from './desk-auth';
import { historyView, leastRemaining, orderDetail, orderRow } from './desk-views';
import type { OrderChangeFeed } from './change-feed';

export interface DeskApiDeps {
  services: OrderServices;
  auth: DeskAuthDeps;
  desk: DeskTargetSource;
  changes?: OrderChangeFeed;
  /** Mail import health and held mails; absent: the intake view answers 404. */
  intake?: IntakeReads;
  /** Release and discard of held mails (the intake use cases); absent: not offered. */
  heldMails?: HeldMailActions;
  /** The SLA reports the dashboard shows; absent: the dashboard answers 404. */
  reports?: ReportReads;
  logger: Logger;
}

const PAGE_SIZE = 25;
const QueueQuery = z.strictObject({
  view: z.enum(DESK_VIEWS).default('new'),
  centre: z.string().max(64).optional(),
  engineer: z.string().max(64).optional(),
  provider: z.string().max(64).optional(),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
});

const SearchQuery = z.strictObject({
  q: z.string().max(200, 'la búsqueda es demasiado larga'),
  page: z.coerce.number().int().min(1).max(400).default(1),
});

const IntakeQuery = z.strictObject({
  folder: z.enum(['quarantine', 'refused']).optional(),
  page: z
    .string()
    .regex(/^\d{1,5}$/, 'debe ser un entero')
    .optional(),
});
const DiscardBody = z.strictObject({ reason: z.string().trim().min(3, 'el motivo es muy corto').max(2000) });
const intakeOff = () => new AppError('NOT_FOUND', 'desk: no mail intake', 'El buzón de la Mesa no está configurado.');

const DashboardQuery = z.strictObject({ months: z.coerce.number().int().min(1).max(12).default(6) });

const roleOf = (user: DeskUser, ...roles: string[]) => user.person.roles.some((r) => roles.includes(r));

function requireRole(user: DeskUser, ...roles: string[]): void {
  if (!roleOf(user, ...roles))
    throw new AppError(
      'FORBIDDEN',
      `desk: ${user.person.id} lacks ${roles.join('/')}`,
      'Esta vista no corresponde a su función.',
    );
}

function parseQuery<S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> {
  const parsed = schema.safeParse(raw ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw invalidField(String(issue.path[0] ?? 'consulta'), issue.message);
}

/**
 * Mesa's JSON API under /desk/api/: thin handlers that authenticate, check the shape of the
 * input, and call the same use cases the cards call (list-work, get-order, the transition
 * use cases through `runAction`, as the cards do). Nothing here decides who may do what: the workflow does.
 */
export function registerDeskApi(server: Server, deps: DeskApiDeps): { close(): void } {
  const { services } = deps;
  const now = () => (services.now ?? (() => new Date()))();
  const clocks = () => new ClockSource(services.directory, deps.desk, services.timeZone);
  const route =
    (changesState: boolean, handler: (user: DeskUser, req: Request, res: Response) => Promise<void>) =>
    async (req: Request, res: Response) => {
      try {
        const user = await authenticate(deps.auth, req, changesState);
        await handler(user, req, res);
      } catch (error) {
        sendError(res, error, deps.logger);
      }
    };

  server.get(
    '/desk/api/me',
    route(false, async (user, _req, res) => {
      const { person } = user;
      res.send(200, {
        person: { id: person.id, name: person.name, roles: person.roles, centreIds: person.centreIds },
        signIn: user.mode,
        ...(user.csrf && { csrf: user.csrf }),
        timeZone: services.timeZone,
      });
    }),
  );

  server.get(
    '/desk/api/queue',
    route(false, async (user, req, res) => {
      requireRole(user, 'analyst', 'admin');
      const q = parseQuery(QueueQuery, req.query);
      const page = await listDeskQueue(services, {
        view: q.view,
        analystId: user.person.id,
        centreId: q.centre,
        engineerId: q.engineer,
        providerId: q.provider,
        page: q.page,
        pageSize: PAGE_SIZE,
      });
      res.send(200, {
        items: page.items.map((o) => orderRow(o)),
        total: page.total,
        counts: page.counts,
        page: q.page,
        pageSize: PAGE_SIZE,
      });
    }),
  );

  server.get(
    '/desk/api/search',
    route(false, async (user, req, res) => {
      requireRole(user, 'analyst', 'admin');
      const q = parseQuery(SearchQuery, req.query);
      const found = await searchOrders(services, { query: q.q, page: q.page, pageSize: PAGE_SIZE });
      res.send(200, {
        items: found.items.map((o) => orderRow(o)),
        more: found.more,
        page: q.page,
        pageSize: PAGE_SIZE,
      });
    }),
  );

  server.get(
    '/desk/api/assigned',
    route(false, async (user, _req, res) => {
      requireRole(user, 'engineer');
      const { items } = await services.orders.list({
        statuses: ENGINEER_STATUSES,
        engineerId: user.person.id,
        skip: 0,
        limit: 200,
      });
      const source = clocks();
      const at = now();
      const rows = await Promise.all(
        items.map(async (o) => orderRow(o, leastRemaining((await source.clocksOf(o, at)).clocks))),
      );
      rows.sort((a, b) => (a.slaRemainingMs ?? Infinity) - (b.slaRemainingMs ?? Infinity));
      res.send(200, { items: rows, total: rows.length });
    }),
  );

  server.get(
    '/desk/api/signatures',
    route(false, async (user, _req, res) => {
      requireRole(user, 'judge');
      const pages = await Promise.all(
        user.person.centreIds.map((centreId) =>
          services.orders.list({ status: 'signature', centreId, skip: 0, limit: 200 }),
        ),
      );
      const items = pages.flatMap((p) => p.items).filter((o) => canSeeOrder({ person: user.person }, o));
      res.send(200, {
        items: items.map((o) => ({
          ...orderRow(o),
          signs: {
            solution: o.resolution?.solution ?? o.resolution?.documentation,
            confirmedBy: o.validation?.confirmedBy.name,
            confirmedAt: o.validation?.at.toISOString(),
          },
        })),
        total: items.length,
      });
    }),
  );

  server.get(
    '/desk/api/orders/:folio',
    route(false, async (user, req, res) => {
      const order = await getOrder(services, { folio: req.params.folio, viewer: { person: user.person } });
      res.send(
        200,
        await orderDetail(order, user.person, { directory: services.directory, clocks: clocks(), now: now() }),
      );
    }),
  );

  server.post(
    '/desk/api/orders/:folio/actions',
    jsonBody(64 * 1024),
    route(true, async (user, req, res) => {
      const order = await getOrder(services, { folio: req.params.folio, viewer: { person: user.person } });
      const body = (req.body ?? {}) as Record<string, unknown>;
      const parsed = ActionPayload.safeParse({ ...body, orderId: order._id.toHexString() });
      if (!parsed.success) throw invalidField(String(parsed.error.issues[0]?.path[0] ?? 'acción'), 'valor no válido');
      try {
        const after = await runAction(services, user.person, parsed.data, 'api');
        deps.logger.info(
          { orderId: after._id.toHexString(), verb: parsed.data.verb, personId: user.person.id },
          'desk action done',
        );
        res.send(200, {
          order: await orderDetail(after, user.person, { directory: services.directory, clocks: clocks(), now: now() }),
        });
      } catch (error) {
        if (!AppError.is(error) || error.code !== 'CONFLICT') throw error;
        res.send(409, await staleAnswer(order._id, parsed.data.version, user, error));
      }
    }),
  );

  /** A stale action: the order as it is now, and what happened to it since the version the page showed. */
  async function staleAnswer(id: ObjectId, seen: number, user: DeskUser, error: AppError) {
    const current = (await services.orders.findById(id)) as ServiceOrder;
    const changes = current.history
      .filter((h) => h.action !== 'notification')
      .slice(-Math.max(0, current.version - seen))
      .map(historyView);
    return {
      error: { code: 'CONFLICT', message: error.userMessage },
      order: await orderDetail(current, user.person, { directory: services.directory, clocks: clocks(), now: now() }),
      changedSince: changes,
    };
  }

  server.get(
    '/desk/api/dashboard',
    route(false, async (user, req, res) => {
      requireRole(user, 'analyst', 'admin');
      const q = parseQuery(DashboardQuery, req.query);
      if (!deps.reports) throw new AppError('NOT_FOUND', 'desk: no reports', 'Los reportes no están disponibles.');
      const months = await dashboardMonths({ reports: deps.reports, zone: services.timeZone, now: now() }, q.months);
      res.send(200, { months, timeZone: services.timeZone });
    }),
  );

  registerIntake(server, deps, route);
  return registerEvents(server, deps, route);
}

/**
 * Intake health for analysts: the held (quarantined) and refused mails with why, and release
 * or discard of a held one through the intake use cases, as the read API offers them.
 */
function registerIntake(server: Server, deps: DeskApiDeps, route: Route): void {
  server.get(
    '/desk/api/intake',
    route(false, async (user, req, res) => {
      requireRole(user, 'analyst', 'admin');
      const q = parseQuery(IntakeQuery, req.query);
      if (!deps.intake) throw intakeOff();
      const query: Record<string, string> = { pageSize: '25' };
      if (q.folder) query.folder = q.folder;
      if (q.page) query.page = q.page;
      res.send(200, { ...(await deps.intake.intakeStatus(query)), actions: Boolean(deps.heldMails) });
    }),
  );
  server.post(
    '/desk/api/intake/held/:key/release',
    jsonBody(1024),
    route(true, async (user, req, res) => {
      requireRole(user, 'analyst', 'admin');
      if (!deps.heldMails) throw intakeOff();
      const result = await deps.heldMails.release(String(req.params.key ?? ''));
      deps.logger.info({ personId: user.person.id, outcome: result.outcome }, 'desk released a held mail');
      res.send(200, result);
    }),
  );
  server.post(
    '/desk/api/intake/held/:key/discard',
    jsonBody(16 * 1024),
    route(true, async (user, req, res) => {
      requireRole(user, 'analyst', 'admin');
      if (!deps.heldMails) throw intakeOff();
      const body = DiscardBody.safeParse(req.body ?? {});
      if (!body.success) throw invalidField('reason', body.error.issues[0]?.message ?? 'falta el motivo');
      await deps.heldMails.discard(String(req.params.key ?? ''), user.person.name, body.data.reason);
      deps.logger.info({ personId: user.person.id }, 'desk discarded a held mail');
      res.send(200, { discarded: true });
    }),
  );
}

type Route = (
  changesState: boolean,
  handler: (user: DeskUser, req: Request, res: Response) => Promise<void>,
) => (req: Request, res: Response) => Promise<void>;

/** Seconds between comments on an idle stream, so proxies keep it open. */
const HEARTBEAT_MS = 20_000;

/**
 * `GET /desk/api/events`: a server-sent event stream of changes to the orders this person
 * may see (folio, version, status), from any instance. The page re-reads what it shows.
 */
function registerEvents(server: Server, deps: DeskApiDeps, route: Route): { close(): void } {
  const open = new Set<Response>();
  server.get(
    '/desk/api/events',
    route(false, async (user, req, res) => {
      if (!deps.changes) throw new AppError('NOT_FOUND', 'desk events off', 'No disponible.');
      res.writeHead(200, {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-store',
        'X-Accel-Buffering': 'no',
      });
      res.write(': conectado\n\n');
      open.add(res);
      const viewer = { person: user.person };
      const unsubscribe = deps.changes.subscribe((events) => {
        const visible = events.filter((e) => canSeeOrder(viewer, e));
        if (visible.length === 0) return;
        res.write(
          `event: orders\ndata: ${JSON.stringify(visible.map((e) => ({ folio: e.folio, version: e.version, status: e.status })))}\n\n`,
        );
      });
      const beat = setInterval(() => res.write(': latido\n\n'), HEARTBEAT_MS);
      await new Promise<void>((resolve) => {
        const end = () => {
          clearInterval(beat);
          unsubscribe();
          open.delete(res);
          resolve();
        };
        req.once('close', end);
        res.once('close', end);
      });
    }),
  );
  return {
    close() {
      for (const res of open) res.end();
      deps.changes?.stop();
    },
  };
}
