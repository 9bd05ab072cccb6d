import { parse } from 'csv-parse/sync';
import { registerError, SourcedRow } from './validate-assets';

/** Columns an equipment register CSV may have (the header row names them, in any order). */
export const ASSET_CSV_COLUMNS = [
  'inventoryNumber',
  'type',
  'brandModel',
  'serial',
  'centreId',
  'location',
  'contractId',
  'warrantyEnd',
] as const;
const REQUIRED = ['inventoryNumber', 'type', 'brandModel', 'centreId', 'location'];

/**
 * Reads register rows from CSV text (header first, UTF-8, optional BOM), each tagged with
 * its line for `parseAssets`. An empty cell is an absent field. The header alone is checked
 * here: an unknown or missing column, or text that does not parse, refuses the file whole.
 */
export function readAssetsCsv(text: string, label = 'equipos.csv'): SourcedRow[] {
  // Arrays rather than `columns: true`: the header is mapped once here, which halves the
  // parse time of a large register.
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      bom: true,
      trim: true,
      skip_empty_lines: true,
      info: true,
      relax_column_count: true,
    }) as never;
  } catch (error) {
    throw registerError([`${label}: no se pudo leer el CSV (${(error as Error).message})`]);
  }
  const header = records[0]?.record ?? [];
  const errors: string[] = [];
  for (const column of header) {
    if (!(ASSET_CSV_COLUMNS as readonly string[]).includes(column))
      errors.push(`${label}: columna desconocida "${column}"`);
  }
  if (records.length > 1)
    for (const column of REQUIRED) if (!header.includes(column)) errors.push(`${label}: falta la columna "${column}"`);
  if (errors.length > 0) throw registerError(errors);
  const rows: SourcedRow[] = [];
  for (let r = 1; r < records.length; r++) {
    const { record, info } = records[r]!;
    const path = `${label} línea ${info.lines}`;
    if (record.length !== header.length) {
      errors.push(`${path}: tiene ${record.length} columnas y el encabezado ${header.length}`);
      continue;
    }
    const raw: Record<string, string> = {};
    header.forEach((column, i) => {
      if (record[i] !== '') raw[column] = record[i]!;
    });
    rows.push({ path, raw });
  }
  if (errors.length > 0) throw registerError(errors);
  return rows;
}
