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

const context = core.Context.init({
  accumulator: require('mingo/operators/accumulator'),
  expression: { ...require('mingo/operators/expression'), $type: expressionType },
  pipeline: require('mingo/operators/pipeline'),
  projection: require('mingo/operators/projection'),
  query: { ...require('mingo/operators/query'), $type: queryType },
  window: require('mingo/operators/window'),
});

const BaseQuery = (require('mingo/query') as { Query: typeof Query }).Query;
const BaseAggregator = (require('mingo/aggregator') as { Aggregator: typeof Aggregator }).Aggregator;

/** Options every mingo call uses: no JavaScript execution, MongoDB-strict semantics. */
export const mingoOptions: Partial<Options> = { scriptEnabled: false, useStrictMode: true, context: context as Options['context'] };

export function newQuery(filter: Document, options: Partial<Options> = mingoOptions): Query {
  return new BaseQuery(filter, options);
}

export function newAggregator(pipeline: Document[], options: Partial<Options>): Aggregator {
  return new BaseAggregator(pipeline, options);
}
