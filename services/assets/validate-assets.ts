import { AppError } from '../errors';
import type { Centre, Contract } from '../directory/schema';
import { Asset, AssetSchema } from './schema';

/** A register row with the place it came from, so errors name it (`assets[3]`, `equipos.csv línea 5`). */
export interface SourcedRow {
  path: string;
  raw: unknown;
}

/** What the register is checked against: the stored directory's centres and contracts. */
export interface RegisterRefs {
  centres: readonly Pick<Centre, 'id'>[];
  contracts: readonly Pick<Contract, 'id' | 'number' | 'centreIds' | 'equipmentTypes'>[];
}

function fieldPath(prefix: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (out, key) => (typeof key === 'number' ? `${out}[${key}]` : `${out}.${String(key)}`),
    prefix,
  );
}

/** Errors beyond this many are counted, not listed: one bad column in 50,000 rows is one message, not 50,000. */
const MAX_LISTED = 20;

function crossCheck(
  path: string,
  a: Asset,
  centres: Set<string>,
  contracts: Map<string, RegisterRefs['contracts'][number]>,
  errors: string[],
): void {
  if (!centres.has(a.centreId)) errors.push(`${path}.centreId: centro "${a.centreId}" no existe`);
  if (a.contractId === undefined) return;
  const contract = contracts.get(a.contractId);
  if (!contract) errors.push(`${path}.contractId: contrato "${a.contractId}" no existe`);
  else if (!contract.centreIds.includes(a.centreId))
    errors.push(`${path}.contractId: el contrato ${contract.number} no cubre el centro ${a.centreId}`);
  else if (!contract.equipmentTypes.includes(a.type))
    errors.push(`${path}.contractId: el contrato ${contract.number} no cubre el tipo ${a.type}`);
}

/**
 * Validates a whole equipment register — each row's shape, unique inventory numbers, and
 * every centre and contract it names against the directory (a contract must cover the
 * asset's centre and type, or the order would be turned to a provider it does not bind)
 * — and returns it only when there is no error at all. A register with any error is
 * refused whole (VALIDATION; `details.errors` names each row and field), so the stored
 * register never holds half of a file.
 */
export function parseAssets(rows: readonly SourcedRow[], refs: RegisterRefs): Asset[] {
  const errors: string[] = [];
  const centres = new Set(refs.centres.map((c) => c.id));
  const contracts = new Map(refs.contracts.map((c) => [c.id, c]));
  const seen = new Map<string, string>();
  const assets: Asset[] = [];
  for (const row of rows) {
    const result = AssetSchema.safeParse(row.raw);
    if (!result.success) {
      for (const issue of result.error.issues) errors.push(`${fieldPath(row.path, issue.path)}: ${issue.message}`);
      continue;
    }
    const asset = result.data;
    const first = seen.get(asset.inventoryNumber);
    if (first) errors.push(`${row.path}.inventoryNumber: "${asset.inventoryNumber}" repetido (ya usado en ${first})`);
    else seen.set(asset.inventoryNumber, row.path);
    crossCheck(row.path, asset, centres, contracts, errors);
    assets.push(asset);
  }
  if (errors.length > 0) throw registerError(errors);
  return assets;
}

export function registerError(errors: string[]): AppError {
  const shown = errors.slice(0, MAX_LISTED).join('\n');
  const more = errors.length > MAX_LISTED ? `\n… y ${errors.length - MAX_LISTED} más` : '';
  return new AppError(
    'VALIDATION',
    `equipment register refused: ${errors.length} error(s)`,
    `El inventario de equipos tiene ${errors.length} error(es); no se importó nada:\n${shown}${more}`,
    { errors },
  );
}
