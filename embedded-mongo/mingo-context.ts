/**
 * mingo with the engine's own operators. mingo's default entry point always lets its built-in
 * operators win over custom ones, so the engine assembles its own context from mingo's operator
 * modules and replaces `$type` (query and expression) with versions that read exact BSON types.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import { Document } from 'bson';
import type { Aggregator, Query } from 'mingo';
import { fieldHasType, bsonTypeName, readTypedPath } from './bson-type';
import { typedOf } from './values';
import { sortDocuments } from './compare';
import { checkSort } from './sort-spec';
import { CommandError } from './errors';

type Options = NonNullable<ConstructorParameters<typeof Query>[1]>;
type Evaluate = (obj: unknown, expr: unknown, options: unknown) => unknown;

const core = require('mingo/core') as { Context: { init(ops: Document): unknown }; evalExpr: Evaluate };

function expressionType(obj: unknown, expr: unknown, options: unknown): string {
  if (typeof expr === 'string' && expr.startsWith('$') && !expr.startsWith('$$')) {
    return bsonTypeName(readTypedPath(typedOf(obj as Document), expr.slice(1)));
  }
  return bsonTypeName(core.evalExpr(obj, expr, options));
}

function queryType(selector: string, wanted: unknown): (obj: Document) => boolean {
  return (obj) => fieldHasType(readTypedPath(typedOf(obj), selector), wanted);
}

interface LazyIterator {
  transform(fn: (items: Document[]) => unknown): LazyIterator;
}
const { Lazy } = require('mingo/lazy') as { Lazy: (items: Document[]) => LazyIterator };

/** `$sort` in MongoDB's cross-type order (arrays by their min/max element), not mingo's. */
function bsonSort(coll: LazyIterator, spec: unknown): LazyIterator {
  const sort = checkSort(spec);
  if (!sort || Object.keys(sort).length === 0) throw new CommandError(15976, '$sort stage must have at least one sort key');
  return coll.transform((items) => Lazy(sortDocuments(items, sort)));
}

const context = core.Context.init({
  accumulator: require('mingo/operators/accumulator'),
  expression: { ...require('mingo/operators/expression'), $type: expressionType },
  pipeline: { ...require('mingo/operators/pipeline'), $sort: bsonSort },
  projection: require('mingo/operators/projection'),
  query: { ...require('mingo/operators/query'), $type: queryType },
  window: require('mingo/operators/window'),
});

const BaseQuery = (require('mingo/query') as { Query: typeof Query }).Query;
const BaseAggregator = (require('mingo/aggregator') as { Aggregator: typeof Aggregator }).Aggregator;

/**
 * Options every mingo call uses. scriptEnabled stays on because mingo's own $setWindowFields
 * is built on $function internally; user-supplied JavaScript ($where, $function, $accumulator)
 * never reaches mingo, as matcher.assertSupported refuses it first.
 */
export const mingoOptions: Partial<Options> = { scriptEnabled: true, useStrictMode: true, context: context as Options['context'] };

/** A mingo query using the engine context. The filter must have passed assertSupported. */
export function newQuery(filter: Document, options: Partial<Options> = mingoOptions): Query {
  return new BaseQuery(filter, options);
}

/** A mingo pipeline using the engine context. The stages must have passed assertSupported. */
export function newAggregator(pipeline: Document[], options: Partial<Options>): Aggregator {
  return new BaseAggregator(pipeline, options);
}
