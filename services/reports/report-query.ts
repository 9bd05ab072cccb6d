import { DateTime } from 'luxon';
import { AppError } from '../errors';
import { directoryId } from '../directory/schema';

export const REPORT_PARAMETERS = ['from', 'to', 'centre', 'provider', 'contract', 'format'] as const;

export interface ReportQuery {
  /** Inclusive start of the period (orders created at or after). */
  from: Date;
  /** Exclusive end of the period. */
  to: Date;
  centreId?: string;
  providerId?: string;
  contractId?: string;
  format: 'json' | 'csv';
}

/** Longest period one report covers: a year and a bit, so a 12-month report always fits. */
export const MAX_PERIOD_DAYS = 400;

const invalid = (field: string, reason: string) =>
  new AppError('VALIDATION', `invalid ${field}: ${reason}`, `El parámetro «${field}» no es válido: ${reason}.`, {
    field,
  });

function parseDay(field: string, value: string | undefined, zone: string, endOfDay: boolean): Date {
  if (value === undefined) throw invalid(field, 'es obligatorio (AAAA-MM-DD)');
  const day = /^\d{4}-\d{2}-\d{2}$/.test(value) ? DateTime.fromISO(value, { zone }) : null;
  if (!day || !day.isValid) throw invalid(field, 'use una fecha AAAA-MM-DD');
  return (endOfDay ? day.plus({ days: 1 }) : day).toJSDate();
}

/**
 * Reads the report's query string: `from` and `to` are calendar days in `zone` (both
 * included), `centre`, `provider` and `contract` are directory ids, `format` is json (default)
 * or csv. Anything else, a repeated parameter or a bad value is a VALIDATION error naming
 * the parameter, which the HTTP edge answers 400.
 */
export function parseReportQuery(raw: Record<string, unknown>, zone: string): ReportQuery {
  const q: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!(REPORT_PARAMETERS as readonly string[]).includes(key)) throw invalid(key, 'parámetro no reconocido');
    if (typeof value !== 'string') throw invalid(key, 'debe indicarse una sola vez, como texto');
    q[key] = value;
  }
  const from = parseDay('from', q.from, zone, false);
  const to = parseDay('to', q.to, zone, true);
  if (to <= from) throw invalid('to', 'debe ser igual o posterior a «from»');
  if (to.getTime() - from.getTime() > MAX_PERIOD_DAYS * 86_400_000)
    throw invalid('to', `el periodo no puede exceder ${MAX_PERIOD_DAYS} días`);
  const id = (field: string, value: string | undefined) => {
    if (value === undefined) return undefined;
    if (!directoryId.safeParse(value).success) throw invalid(field, 'identificador inválido');
    return value;
  };
  const format = q.format ?? 'json';
  if (format !== 'json' && format !== 'csv') throw invalid('format', 'use json o csv');
  const query: ReportQuery = { from, to, format };
  const centreId = id('centre', q.centre);
  const providerId = id('provider', q.provider);
  const contractId = id('contract', q.contract);
  if (centreId) query.centreId = centreId;
  if (providerId) query.providerId = providerId;
  if (contractId) query.contractId = contractId;
  return query;
}
