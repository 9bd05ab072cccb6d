import type { Logger } from '../logger';
import type { DirectoryReader } from '../directory/directory-store';
import { ClockSource } from '../sla/clock-source';
import type { DeskTargetSource } from '../sla/targets';
import { parseReportQuery } from './report-query';
import type { ReportReads } from './report-routes';
import type { ReportSource } from './report-store';
import { slaReport } from './sla-report';

/** ReportReads over the order source and the directory; days are read in `zone` (TZ_DEFAULT). */
export function reportReads(deps: {
  source: ReportSource;
  directory: Pick<DirectoryReader, 'centre' | 'contractById'>;
  desk: DeskTargetSource;
  zone: string;
  now?: () => Date;
  /** Told when summaries measured for a report could not be stored (the report still answers). */
  logger?: Logger;
}): ReportReads {
  return {
    async slaReport(raw) {
      const query = parseReportQuery(raw, deps.zone);
      const clocks = new ClockSource(deps.directory, deps.desk, deps.zone);
      const now = (deps.now ?? (() => new Date()))();
      const report = await slaReport(
        { source: deps.source, clocks, now, ...(deps.logger ? { logger: deps.logger } : {}) },
        query,
      );
      return { report, format: query.format };
    },
  };
}
