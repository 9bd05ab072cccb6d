import type { Request, Response, Server } from 'restify';
import type { Logger } from '../logger';
import { checkBearer } from '../http/auth';
import { sendError } from '../http/respond';
import { reportCsv } from './report-csv';
import type { SlaReport } from './sla-report';

export interface ReportReads {
  /** Parses the raw query (VALIDATION naming the parameter) and builds the report. */
  slaReport(rawQuery: Record<string, unknown>): Promise<{ report: SlaReport; format: 'json' | 'csv' }>;
}

/** `GET /api/reports/sla?from=&to=&centre=&provider=&contract=&format=csv`, bearer-guarded. */
export function registerReportRoutes(
  server: Server,
  deps: { reports: ReportReads; apiToken?: string; logger: Logger },
): void {
  server.get('/api/reports/sla', async (req: Request, res: Response) => {
    try {
      checkBearer(req.headers.authorization, deps.apiToken);
      const { report, format } = await deps.reports.slaReport((req.query ?? {}) as Record<string, unknown>);
      if (format === 'csv') {
        res.sendRaw(200, reportCsv(report), {
          'Content-Type': 'text/csv; charset=utf-8',
          'Content-Disposition': 'attachment; filename="reporte-sla.csv"',
        });
      } else {
        res.send(200, report);
      }
    } catch (error) {
      sendError(res, error, deps.logger);
    }
  });
}
