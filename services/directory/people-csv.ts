import { parse } from 'csv-parse/sync';
import { directoryError, SourcedPerson } from './validate';

/** Columns a people CSV may have; `roles` and `centreIds` hold several values separated by `;`. */
export const PEOPLE_CSV_COLUMNS = [
  'id',
  'name',
  'email',
  'aadObjectId',
  'roles',
  'centreIds',
  'providerId',
  'extension',
] as const;
const REQUIRED = ['id', 'name', 'email', 'roles'];
const LISTS = new Set(['roles', 'centreIds']);

/**
 * Reads people from CSV text (header row first, UTF-8, optional BOM) into raw person
 * objects tagged with their line, for `parseDirectory` to validate with the rest of the
 * directory. Only the header is checked here: a CSV with an unknown or missing column, or
 * that does not parse, is refused whole (VALIDATION) before anything else is looked at.
 */
export function readPeopleCsv(text: string, label = 'people.csv'): SourcedPerson[] {
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parse(text, { columns: true, bom: true, trim: true, skip_empty_lines: true, info: true }) as never;
  } catch (error) {
    throw directoryError([`${label}: no se pudo leer el CSV (${(error as Error).message})`]);
  }
  const header = records[0] ? Object.keys(records[0].record) : [];
  const errors: string[] = [];
  for (const column of header) {
    if (!(PEOPLE_CSV_COLUMNS as readonly string[]).includes(column))
      errors.push(`${label}: columna desconocida "${column}"`);
  }
  if (records.length > 0) {
    for (const column of REQUIRED) if (!header.includes(column)) errors.push(`${label}: falta la columna "${column}"`);
  }
  if (errors.length > 0) throw directoryError(errors);
  return records.map(({ record, info }) => ({ path: `${label} línea ${info.lines}`, raw: toPerson(record) }));
}

function toPerson(record: Record<string, string>): Record<string, unknown> {
  const person: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (value === '') continue;
    person[key] = LISTS.has(key)
      ? value
          .split(';')
          .map((v) => v.trim())
          .filter(Boolean)
      : value;
  }
  return person;
}
