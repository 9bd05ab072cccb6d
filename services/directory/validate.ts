import { z } from 'zod';
import { AppError } from '../errors';
import {
  CentreSchema,
  ContractSchema,
  Directory,
  DirectoryFileSchema,
  Person,
  PersonSchema,
  ProviderSchema,
  ServiceLevels,
  ServiceLevelsSchema,
} from './schema';

/** People with the place they came from, so errors name the right file line or index. */
export interface SourcedPerson {
  /** e.g. `people[3]` (JSON) or `people.csv línea 5` (CSV). */
  path: string;
  raw: unknown;
}

function formatPath(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : `.${String(key)}`;
  return out;
}

function parseEach<T>(
  schema: z.ZodType<T>,
  items: { path: string; raw: unknown }[],
  errors: string[],
): { path: string; value: T }[] {
  const parsed: { path: string; value: T }[] = [];
  for (const item of items) {
    const result = schema.safeParse(item.raw);
    if (result.success) parsed.push({ path: item.path, value: result.data });
    else for (const issue of result.error.issues) errors.push(`${formatPath(item.path, issue.path)}: ${issue.message}`);
  }
  return parsed;
}

function checkUnique<T>(
  items: { path: string; value: T }[],
  key: (v: T) => string | undefined,
  field: string,
  errors: string[],
) {
  const seen = new Map<string, string>();
  for (const { path, value } of items) {
    const k = key(value);
    if (k === undefined) continue;
    const first = seen.get(k);
    if (first) errors.push(`${path}.${field}: "${k}" repetido (ya usado en ${first})`);
    else seen.set(k, path);
  }
}

function checkRefs(
  path: string,
  field: string,
  ids: readonly string[] | string | undefined,
  known: Set<string>,
  noun: string,
  errors: string[],
) {
  if (ids === undefined) return;
  if (typeof ids === 'string') {
    if (!known.has(ids)) errors.push(`${path}.${field}: ${noun} "${ids}" no existe`);
    return;
  }
  ids.forEach((id, i) => {
    if (!known.has(id)) errors.push(`${path}.${field}[${i}]: ${noun} "${id}" no existe`);
  });
}

function crossCheckPerson(path: string, p: Person, centres: Set<string>, providers: Set<string>, errors: string[]) {
  checkRefs(path, 'centreIds', p.centreIds, centres, 'centro', errors);
  checkRefs(path, 'providerId', p.providerId, providers, 'proveedor', errors);
  if (p.roles.includes('provider') && !p.providerId)
    errors.push(`${path}.providerId: un contacto de proveedor debe indicar su proveedor`);
  if (p.providerId && !p.roles.includes('provider'))
    errors.push(`${path}.roles: quien tiene proveedor debe tener el rol provider`);
  for (const role of ['engineer', 'judge'] as const) {
    if (p.roles.includes(role) && p.centreIds.length === 0)
      errors.push(`${path}.centreIds: el rol ${role} requiere al menos un centro`);
  }
}

function declaredIds(items: unknown[]): Set<string> {
  const ids = items.map((i) => (i && typeof i === 'object' ? (i as { id?: unknown }).id : undefined));
  return new Set(ids.filter((id): id is string => typeof id === 'string'));
}

/**
 * Validates a whole directory — shapes, then unique ids and emails, then every reference
 * between its parts — and returns it only if there is no error at all. A directory with
 * any error is refused whole (VALIDATION, `details.errors` lists each problem with its field
 * path), because a half-imported directory could grant or drop roles silently.
 */
export function parseDirectory(json: unknown, extraPeople: SourcedPerson[] = []): Directory {
  const errors: string[] = [];
  const file = DirectoryFileSchema.safeParse(json);
  if (!file.success) {
    throw directoryError(
      file.error.issues.map((i) => `${formatPath('', i.path).replace(/^\./, '') || 'archivo'}: ${i.message}`),
    );
  }
  const sourced = (kind: string, list: unknown[]) => list.map((raw, i) => ({ path: `${kind}[${i}]`, raw }));
  const centres = parseEach(CentreSchema, sourced('centres', file.data.centres), errors);
  const providers = parseEach(ProviderSchema, sourced('providers', file.data.providers), errors);
  const contracts = parseEach(ContractSchema, sourced('contracts', file.data.contracts), errors);
  const people = parseEach(PersonSchema, [...sourced('people', file.data.people), ...extraPeople], errors);

  checkUnique(centres, (c) => c.id, 'id', errors);
  checkUnique(providers, (p) => p.id, 'id', errors);
  checkUnique(contracts, (c) => c.id, 'id', errors);
  checkUnique(contracts, (c) => c.number, 'number', errors);
  checkUnique(people, (p) => p.id, 'id', errors);
  checkUnique(people, (p) => p.email, 'email', errors);
  checkUnique(people, (p) => p.aadObjectId, 'aadObjectId', errors);

  // Ids of every entry that names one, valid or not, so one bad centre is reported once
  // and not again at every reference to it.
  const centreIds = declaredIds(file.data.centres);
  const providerIds = declaredIds(file.data.providers);
  for (const { path, value } of contracts) {
    checkRefs(path, 'providerId', value.providerId, providerIds, 'proveedor', errors);
    checkRefs(path, 'centreIds', value.centreIds, centreIds, 'centro', errors);
  }
  for (const { path, value } of people) crossCheckPerson(path, value, centreIds, providerIds, errors);
  const serviceLevels = parseServiceLevels(file.data.serviceLevels, centreIds, errors);
  // An empty or analyst-less import would silently lock the Service Desk out of every order.
  if (file.data.centres.length === 0) errors.push('centres: el directorio debe tener al menos un centro');
  if (!people.some((p) => p.value.roles.includes('analyst')))
    errors.push('people: el directorio debe tener al menos un analista');

  if (errors.length > 0) throw directoryError(errors);
  return {
    ...(serviceLevels ? { serviceLevels } : {}),
    centres: centres.map((c) => c.value),
    providers: providers.map((p) => p.value),
    contracts: contracts.map((c) => c.value),
    people: people.map((p) => p.value),
  };
}

/** The desk's service levels, when the file has them: shape, then one override per existing centre. */
function parseServiceLevels(raw: unknown, centreIds: Set<string>, errors: string[]): ServiceLevels | undefined {
  if (raw === undefined) return undefined;
  const [parsed] = parseEach(ServiceLevelsSchema, [{ path: 'serviceLevels', raw }], errors);
  if (!parsed) return undefined;
  const seen = new Map<string, string>();
  parsed.value.centres.forEach((c, i) => {
    const path = `serviceLevels.centres[${i}]`;
    checkRefs(path, 'centreId', c.centreId, centreIds, 'centro', errors);
    const first = seen.get(c.centreId);
    if (first) errors.push(`${path}.centreId: "${c.centreId}" repetido (ya usado en ${first})`);
    else seen.set(c.centreId, path);
  });
  return parsed.value;
}

export function directoryError(errors: string[]): AppError {
  const shown = errors.slice(0, 20).join('\n');
  const more = errors.length > 20 ? `\n… y ${errors.length - 20} más` : '';
  return new AppError(
    'VALIDATION',
    `directory refused: ${errors.length} error(s)`,
    `El directorio tiene ${errors.length} error(es); no se importó nada:\n${shown}${more}`,
    { errors },
  );
}
