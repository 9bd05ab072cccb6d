import type { Request, Response, Server } from 'restify';
import { checkBearer } from '../http/auth';
import { sendError } from '../http/respond';
import type { Logger } from '../logger';
import type { DeskMetrics } from './desk-metrics';

/**
 * `GET /metrics` in Prometheus text format, behind the read API's bearer token (order counts
 * per centre are not public), and the latency histogram fed by every routed request.
 * Requests that match no route are measured under `route="(unmatched)"`, so a scanner
 * cannot grow the label set without bound.
 */
export function registerMetricsRoute(
  server: Server,
  deps: { metrics: DeskMetrics; apiToken?: string; logger: Logger },
): void {
  server.on('after', (req: Request, res: Response) => {
    const route = req.getRoute?.()?.path;
    const seconds = (Date.now() - req.time()) / 1000;
    deps.metrics.httpDuration.observe(
      {
        method: req.method ?? 'GET',
        route: typeof route === 'string' ? route : '(unmatched)',
        status: String(res.statusCode),
      },
      seconds,
    );
  });
  server.get('/metrics', async (req: Request, res: Response) => {
    try {
      checkBearer(req.headers.authorization, deps.apiToken);
      const { contentType, body } = await deps.metrics.render();
      res.setHeader('content-type', contentType);
      res.sendRaw(200, body);
    } catch (error) {
      sendError(res, error, deps.logger);
    }
  });
}
