import { ORDER_STATUSES, STATUS_LABELS } from '../workflow';
import type { SlaReport } from './sla-report';

const DIMENSION_LABELS = { total: 'Total', centre: 'Centro', provider: 'Proveedor', contract: 'Contrato' } as const;

function cell(value: string | number | null): string {
  if (value === null) return '';
  const s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const minutes = (ms: number | null) => (ms === null ? null : Math.round(ms / 60_000));

/**
 * The report as CSV (RFC 4180, UTF-8 with BOM so spreadsheet programs read the accents):
 * one row per group and clock, the group's order counts repeated on each row so any row
 * can be filtered on its own. Times in minutes; compliance in percent.
 */
export function reportCsv(report: SlaReport): string {
  const head = [
    'Agrupación',
    'Clave',
    'Órdenes',
    'Órdenes con incumplimiento',
    ...ORDER_STATUSES.map((s) => STATUS_LABELS[s]),
    'Indicador',
    'Completados',
    'Mediana (min)',
    'P90 (min)',
    'Cumplidos',
    'Incumplidos',
    'Cumplimiento (%)',
  ];
  const rows = [head];
  for (const g of report.groups) {
    const base = [
      DIMENSION_LABELS[g.dimension],
      g.key,
      String(g.orders),
      String(g.ordersWithBreach),
      ...ORDER_STATUSES.map((s) => String(g.byState[s])),
    ];
    if (g.clocks.length === 0) rows.push([...base, '', '', '', '', '', '', '']);
    for (const c of g.clocks) {
      rows.push([
        ...base,
        c.label,
        String(c.completed),
        cell(minutes(c.medianMs)),
        cell(minutes(c.p90Ms)),
        String(c.met),
        String(c.breached),
        c.complianceRate === null ? '' : (c.complianceRate * 100).toFixed(1),
      ]);
    }
  }
  return '\uFEFF' + rows.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}
