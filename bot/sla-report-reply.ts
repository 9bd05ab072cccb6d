import { DateTime } from 'luxon';
import type { SlaReport } from '../services/reports/sla-report';
import { STATUS_LABELS } from '../services/workflow';

/** The calendar days (AAAA-MM-DD, both included) of a month in `zone`; null for an impossible month. */
export function monthDays(
  month: string | 'current',
  zone: string,
  now: Date,
): { from: string; to: string; label: string } | null {
  const start =
    month === 'current'
      ? DateTime.fromJSDate(now, { zone }).startOf('month')
      : DateTime.fromFormat(month, 'yyyy-MM', { zone });
  if (!start.isValid) return null;
  const end = start.endOf('month');
  return { from: start.toISODate()!, to: end.toISODate()!, label: start.setLocale('es-MX').toFormat("LLLL 'de' yyyy") };
}

const percent = (rate: number) => `${Math.round(rate * 1000) / 10} %`;

/**
 * The headline figures of a report as one chat message (es-MX): orders by state, the
 * compliance rate of each clock, and the breaches. The same report the read API answers.
 */
export function slaReportText(report: SlaReport, days: { from: string; to: string; label: string }): string {
  const total = report.groups.find((g) => g.dimension === 'total');
  const head = `**Nivel de servicio, ${days.label}** (${days.from} a ${days.to})`;
  if (!total || total.orders === 0) return `${head}\nNo hay órdenes registradas en el periodo.`;
  const states = Object.entries(total.byState)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${STATUS_LABELS[s as keyof typeof STATUS_LABELS]}: ${n}`);
  const clocks = total.clocks.map(
    (c) =>
      `- ${c.label}: ${c.complianceRate === null ? 'sin datos' : `${percent(c.complianceRate)} en tiempo (${c.met} de ${c.met + c.breached})`}`,
  );
  const breaches = total.clocks.reduce((sum, c) => sum + c.breached, 0);
  return [
    head,
    `Órdenes: ${total.orders} (${states.join(', ')})`,
    'Cumplimiento por reloj:',
    ...clocks,
    `Incumplimientos: ${breaches} en ${total.ordersWithBreach} ${total.ordersWithBreach === 1 ? 'orden' : 'órdenes'}.`,
  ].join('\n');
}
