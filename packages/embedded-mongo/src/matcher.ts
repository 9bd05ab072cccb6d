/**
 * The engine's only doorway to mingo for queries, projections and pipelines. Everything passes
 * the {@link assertSupported} screen first, so operators that would run JavaScript or that
 * mingo cannot do like MongoDB are refused by name instead of misbehaving.
 */
import { Document } from 'bson';
import type { Query } from 'mingo';
import { mingoOptions, newAggregator, newQuery } from './mingo-context';

type Options = NonNullable<ConstructorParameters<typeof Query>[1]>;
import { CommandError, unsupported, toCommandError } from './errors';
import { copyTyped, toView } from './values';
import { isPlainObject } from './matcher-util';
import { rewritePipeline } from './pipeline-rewrite';

/** Operators and stages refused anywhere in a filter, update or pipeline. */
const FORBIDDEN = new Set([
  '$where',
  '$function',
  '$accumulator',
  '$text',
  '$search',
  '$searchMeta',
  '$vectorSearch',
  '$out',
  '$merge',
  '$changeStream',
  '$changeStreamSplitLargeEvent',
  '$currentOp',
  '$listSessions',
  '$listLocalSessions',
  '$collStats',
  '$indexStats',
  '$planCacheStats',
  '$geoNear',
  '$near',
  '$nearSphere',
  '$geoWithin',
  '$geoIntersects',
  '$jsonSchema',
  '$documents',
  '$listSearchIndexes',
]);

/**
 * Throws BadValue naming the first forbidden operator found at any depth. Cheap for the small
 * filters on the hot path: it only walks plain objects and arrays.
 */
export function assertSupported(value: unknown, where: string): void {
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const v of value) assertSupported(v, where);
    return;
  }
  if (!isPlainObject(value)) return;
  for (const key of Object.keys(value)) {
    if (key.charCodeAt(0) === 36 && FORBIDDEN.has(key)) throw unsupported(`${key} (in ${where})`);
    assertSupported((value as Document)[key], where);
  }
}

export { isPlainObject };

const baseOptions: Partial<Options> = mingoOptions;

/** A predicate for a filter; the empty filter matches everything without touching mingo. */
export function compileFilter(filter: Document | undefined): (doc: Document) => boolean {
  if (!filter || Object.keys(filter).length === 0) return () => true;
  assertSupported(filter, 'filter');
  try {
    const query = newQuery(toView(filter));
    return (doc) => query.test(doc);
  } catch (err) {
    throw toCommandError(err);
  }
}

/**
 * Applies a find-style projection to already-selected documents. They may be stored documents,
 * which must never change (see collection.ts): mingo's projection deletes an excluded dotted path
 * from the input's own embedded document and merges included dotted paths or operator results
 * into objects it may share with the input, so those projections run on copies. Top-level
 * inclusions and exclusions only build new top-level objects.
 */
export function project(docs: Document[], projection: Document | undefined): Document[] {
  if (!projection || Object.keys(projection).length === 0) return docs;
  assertSupported(projection, 'projection');
  checkProjection(projection);
  const deep = Object.keys(projection).some(
    (k) => k.includes('.') || (projection[k] !== null && typeof projection[k] === 'object'),
  );
  try {
    return newQuery({})
      .find<Document>(deep ? docs.map(copyTyped) : docs, projection)
      .all();
  } catch (err) {
    throw toCommandError(err);
  }
}

/**
 * Runs an aggregation pipeline over `docs`; `resolve` supplies other collections of the same
 * database for $lookup.
 */
export function runPipeline(docs: Document[], pipeline: Document[], resolve: (name: string) => Document[]): Document[] {
  assertSupported(pipeline, 'pipeline');
  try {
    const options: Partial<Options> = { ...baseOptions, collectionResolver: resolve };
    return newAggregator(rewritePipeline(toView(pipeline)), options).run(docs) as Document[];
  } catch (err) {
    throw toCommandError(err);
  }
}

/** mongod refuses projections mixing inclusion and exclusion (other than excluding `_id`). */
function checkProjection(projection: Document): void {
  let inclusion: string | undefined;
  let exclusion: string | undefined;
  for (const [field, v] of Object.entries(projection)) {
    if (field === '_id' || isPlainObject(v)) continue;
    if (v === 0 || v === false) exclusion ??= field;
    else inclusion ??= field;
  }
  if (inclusion && exclusion) {
    throw new CommandError(31254, `Cannot do exclusion on field ${exclusion} in inclusion projection`);
  }
}
