import type { AddressInfo } from 'node:net';
import restify, { type Request, type Response, type Server } from './restify';
import type { Logger } from '../logger';
import { jsonBody, refuseBodyOnBodylessMethods } from './bodies';
import { RateLimits, rateLimits, securityHeaders } from './security';
import { HealthDeps, registerHealthRoute } from './health';
import { HeldMailActions, IntakeReads, registerIntakeRoutes } from './intake-routes';
import { registerOrderRoutes } from './order-routes';
import type { OrderReads } from './ports';
import { CedulaReads, registerCedulaRoutes } from '../cedula/cedula-routes';
import { FileReads, registerFileRoutes } from '../files/file-routes';
import { registerReportRoutes, ReportReads } from '../reports/report-routes';
import type { DeskMetrics } from '../metrics/desk-metrics';
import { registerMetricsRoute } from '../metrics/metrics-route';
import { ProviderActionDeps, registerProviderActionRoutes } from './provider-action-routes';
import { DeskRouteDeps, registerDeskRoutes } from '../desk/desk-routes';

export interface HttpDeps {
  logger: Logger;
  health: HealthDeps;
  orders: OrderReads;
  apiToken?: string;
  /** The Cédula's public verification and staff download; absent: routes not offered. */
  cedula?: CedulaReads;
  /** Order files by signed link (`GET /files/:token`) and the key the links are signed with; absent: not offered. */
  files?: { reads: FileReads; secret: string };
  /** Mail import health and held mails (`GET /api/intake`); absent: route not offered. */
  intake?: IntakeReads;
  /** Release and discard of held mails (`POST /api/intake/held/:key/…`); absent: not offered. */
  heldMails?: HeldMailActions;
  /** The desk's SLA reports; absent: route not offered. */
  reports?: ReportReads;
  /** `GET /metrics` (bearer-guarded) and the HTTP latency histogram; absent: not offered. */
  metrics?: DeskMetrics;
  /** Per-address limits on public routes and failed API sign-ins; default DEFAULT_RATE_LIMITS. */
  rateLimits?: RateLimits;
  /** The provider's action page (`/provider/:token`) behind mailed links; absent: not offered. */
  providerActions?: Omit<ProviderActionDeps, 'logger'>;
  /** Mesa, the staff's page and API under /desk/; absent: not offered. */
  desk?: Omit<DeskRouteDeps, 'logger'>;
  /** `POST /api/messages`, from bot/ (keeps botbuilder out of this folder). */
  botEndpoint: (req: Request, res: Response) => Promise<void>;
}

export interface HttpService {
  readonly server: Server;
  /** Starts listening; resolves with the bound port (useful with port 0). */
  listen(port: number, host: string): Promise<number>;
  /** Stops accepting connections and waits for open requests to finish. */
  close(): Promise<void>;
}

/**
 * Bot activities are small (a Teams message is limited to about 28 KB; files travel as
 * links); anything bigger is refused (413). Only routes that declare a JSON body read one.
 */
export const MAX_BODY_BYTES = 256 * 1024;

/** Builds the restify server with every route; the only place routes are registered. */
export function createHttpService(deps: HttpDeps): HttpService {
  // An empty name keeps restify from announcing the service in a `Server` header.
  // A signed link token in the path (the provider's action page) runs to a few hundred characters.
  const server = restify.createServer({ name: '', handleUncaughtExceptions: false, maxParamLength: 1024 });
  server.pre(securityHeaders());
  server.pre(rateLimits(deps.rateLimits));
  // No general body parser: restify's writes multipart uploads to the temp folder before any
  // route runs. Bodyless methods are refused a body here; each route that takes one reads it.
  server.pre(refuseBodyOnBodylessMethods());
  server.use(
    restify.plugins.queryParser({ mapParams: false, allowDots: false, parameterLimit: 20, arrayLimit: 0, depth: 1 }),
  );
  registerHealthRoute(server, deps.health);
  if (deps.metrics)
    registerMetricsRoute(server, { metrics: deps.metrics, apiToken: deps.apiToken, logger: deps.logger });
  registerOrderRoutes(server, { orders: deps.orders, apiToken: deps.apiToken, logger: deps.logger });
  if (deps.files)
    registerFileRoutes(server, { files: deps.files.reads, secret: deps.files.secret, logger: deps.logger });
  if (deps.cedula) registerCedulaRoutes(server, { cedula: deps.cedula, apiToken: deps.apiToken, logger: deps.logger });
  if (deps.intake)
    registerIntakeRoutes(server, {
      intake: deps.intake,
      held: deps.heldMails,
      apiToken: deps.apiToken,
      logger: deps.logger,
    });
  if (deps.reports)
    registerReportRoutes(server, { reports: deps.reports, apiToken: deps.apiToken, logger: deps.logger });
  if (deps.providerActions) registerProviderActionRoutes(server, { ...deps.providerActions, logger: deps.logger });
  const desk = deps.desk ? registerDeskRoutes(server, { ...deps.desk, logger: deps.logger }) : undefined;
  server.post('/api/messages', jsonBody(MAX_BODY_BYTES), async (req: Request, res: Response) => {
    try {
      await deps.botEndpoint(req, res);
    } catch (error) {
      deps.logger.error({ err: error }, 'bot endpoint failed');
      if (!res.headersSent) res.send(500, { error: { code: 'INTERNAL', message: 'Ocurrió un error interno.' } });
    }
  });
  return {
    server,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
      }),
    close: () =>
      new Promise((resolve) => {
        // Event streams stay open until told; end them, or the server never finishes closing.
        desk?.close();
        server.close(() => resolve());
      }),
  };
}
