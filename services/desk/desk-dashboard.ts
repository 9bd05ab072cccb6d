import { DateTime } from 'luxon';
import type { ReportReads } from '../reports/report-routes';
import type { ReportGroup } from '../reports/sla-report';
import { OPEN_STATUSES } from '../workflow';

/** One month of the dashboard: compliance per group and clock, and what is still open. */
export interface DashboardMonth {
  month: string;
  label: string;
  orders: number;
  /** Orders received that month and not yet closed or cancelled. */
  stillOpen: number;
  groups: Array<{
    dimension: ReportGroup['dimension'];
    key: string;
    orders: number;
    clocks: Array<{ clock: string; label: string; met: number; breached: number; complianceRate: number | null }>;
  }>;
}

const MONTH_LABEL = (d: DateTime) => d.setLocale('es-MX').toFormat('LLL yyyy');

/**
 * The coordinator's dashboard: the SLA report (services/reports, the same figures as
 * `GET /api/reports/sla` and the Cédula) for each of the last `months` calendar months in
 * the desk's zone, oldest first. Nothing is counted here: each month is one report.
 */
export async function dashboardMonths(
  deps: { reports: ReportReads; zone: string; now: Date },
  months: number,
): Promise<DashboardMonth[]> {
  const current = DateTime.fromJSDate(deps.now, { zone: deps.zone }).startOf('month');
  const firsts = Array.from({ length: months }, (_, i) => current.minus({ months: months - 1 - i }));
  return Promise.all(
    firsts.map(async (first) => {
      const { report } = await deps.reports.slaReport({
        from: first.toISODate()!,
        to: first.endOf('month').toISODate()!,
      });
      const total = report.groups.find((g) => g.dimension === 'total');
      const open = total
        ? Object.entries(total.byState)
            .filter(([s]) => (OPEN_STATUSES as readonly string[]).includes(s))
            .reduce((n, [, c]) => n + c, 0)
        : 0;
      return {
        month: first.toFormat('yyyy-LL'),
        label: MONTH_LABEL(first),
        orders: total?.orders ?? 0,
        stillOpen: open,
        groups: report.groups
          .filter((g) => g.dimension !== 'contract')
          .map((g) => ({
            dimension: g.dimension,
            key: g.key,
            orders: g.orders,
            clocks: g.clocks.map((c) => ({
              clock: c.clock,
              label: c.label,
              met: c.met,
              breached: c.breached,
              complianceRate: c.complianceRate,
            })),
          })),
      };
    }),
  );
}
