/**
 * mingo with the engine's own operators. mingo's default entry point always lets its built-in
 * operators win over custom ones, so the engine assembles its own context from mingo's operator
 * modules and replaces `$type` (query and expression) with versions that read exact BSON types.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import { Document, Long } from 'bson';
import { combine, compareNumbers, readNumber } from './numeric';
import { pathValues } from './keys';
import type { Aggregator, Query } from 'mingo';
import { fieldHasType, bsonTypeName, readTypedPath } from './bson-type';
import { typedOf } from './values';
import { sortDocuments } from './compare';
import { checkSort } from './sort-spec';
import { CommandError } from './errors';

type Options = NonNullable<ConstructorParameters<typeof Query>[1]>;
type Evaluate = (obj: unknown, expr: unknown, options: unknown) => unknown;

const core = require('mingo/core') as { Context: { init(ops: Document): unknown }; evalExpr: Evaluate };

/**
 * Evaluates an expression, reading plain field paths from the typed document so int64 and
 * Decimal128 values keep every digit; falls back to mingo when the typed original lacks the
 * field (it was computed by an earlier stage).
 */
function typedValue(obj: unknown, expr: unknown, options: unknown): unknown {
  if (typeof expr === 'string' && expr.startsWith('$') && !expr.startsWith('$$')) {
    const typed = readTypedPath(typedOf(obj as Document), expr.slice(1));
    if (typed !== undefined) return typed;
  }
  return core.evalExpr(obj, expr, options);
}

function expressionType(obj: unknown, expr: unknown, options: unknown): string {
  return bsonTypeName(typedValue(obj, expr, options));
}

const mingoExpressions = require('mingo/operators/expression') as Record<string, Evaluate>;

/** An operator of mingo's that ours delegate to; looked up once so a missing one fails at load. */
function mingoOperator<T>(table: Record<string, T>, name: string): T {
  const op = table[name];
  if (op === undefined) throw new Error(`mingo has no ${name} operator`);
  return op;
}

const mingoToString = mingoOperator(mingoExpressions, '$toString');
const mingoToLong = mingoOperator(mingoExpressions, '$toLong');
const mingoAdd = mingoOperator(mingoExpressions, '$add');

/** `$toString` that prints int64, Decimal128 and ObjectId exactly as MongoDB does. */
function toStringOp(obj: unknown, expr: unknown, options: unknown): unknown {
  const v = typedValue(obj, expr, options);
  const tag = (v as { _bsontype?: string } | null)?._bsontype;
  if (tag === 'Long' || tag === 'Decimal128' || tag === 'Int32') return String(v);
  if (tag === 'Double') return String((v as { value: number }).value);
  if (tag === 'ObjectId') return (v as { toHexString(): string }).toHexString();
  if (v instanceof Date) return v.toISOString();
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  return mingoToString(obj, { $literal: v }, options);
}

/** `$toLong` returning a real int64, exact for strings and values beyond 2^53. */
function toLongOp(obj: unknown, expr: unknown, options: unknown): unknown {
  const v = typedValue(obj, expr, options);
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' && /^[+-]?\d+$/.test(v.trim())) return Long.fromString(v.trim());
  const n = readNumber(v);
  if (n?.big !== undefined) return Long.fromBigInt(n.big);
  if (n) return Long.fromNumber(Math.trunc(n.value));
  return Long.fromNumber(Number(mingoToLong(obj, expr, options)));
}

/** `$add` with exact int64/Decimal128 arithmetic; plain numbers and dates go to mingo. */
function addOp(obj: unknown, expr: unknown, options: unknown): unknown {
  const args = Array.isArray(expr) ? expr.map((e) => typedValue(obj, e, options)) : [];
  const exact = args.some((a) => {
    const tag = (a as { _bsontype?: string } | null)?._bsontype;
    return tag === 'Long' || tag === 'Decimal128';
  });
  if (!exact) return mingoAdd(obj, expr, options);
  if (args.some((a) => a === null || a === undefined)) return null;
  return args.reduce((sum, a) => combine('add', sum, a) ?? null, 0);
}

type QueryOp = (selector: string, value: unknown, options: unknown) => (obj: Document) => boolean;
const mingoQueries = require('mingo/operators/query') as Record<string, QueryOp>;

/**
 * Range operators with a numeric operand compare exactly against the typed document (int64
 * beyond 2^53, Decimal128), with MongoDB's type bracketing: only numbers compare with numbers.
 */
function numericRange(name: string, accept: (cmp: number) => boolean): QueryOp {
  const mingoRange = mingoOperator(mingoQueries, name);
  return (selector, value, options) => {
    if (readNumber(value) === undefined) return mingoRange(selector, value, options);
    return (obj) =>
      pathValues(typedOf(obj), selector).some((v) => readNumber(v) !== undefined && accept(compareNumbers(v, value)));
  };
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
  if (!sort || Object.keys(sort).length === 0)
    throw new CommandError(15976, '$sort stage must have at least one sort key');
  return coll.transform((items) => Lazy(sortDocuments(items, sort)));
}

const context = core.Context.init({
  accumulator: require('mingo/operators/accumulator'),
  expression: { ...mingoExpressions, $type: expressionType, $toString: toStringOp, $toLong: toLongOp, $add: addOp },
  pipeline: { ...require('mingo/operators/pipeline'), $sort: bsonSort },
  projection: require('mingo/operators/projection'),
  query: {
    ...mingoQueries,
    $type: queryType,
    $gt: numericRange('$gt', (c) => c > 0),
    $gte: numericRange('$gte', (c) => c >= 0),
    $lt: numericRange('$lt', (c) => c < 0),
    $lte: numericRange('$lte', (c) => c <= 0),
  },
  window: require('mingo/operators/window'),
});

const BaseQuery = (require('mingo/query') as { Query: typeof Query }).Query;
const BaseAggregator = (require('mingo/aggregator') as { Aggregator: typeof Aggregator }).Aggregator;

/**
 * Options every mingo call uses. scriptEnabled stays on because mingo's own $setWindowFields
 * is built on $function internally; user-supplied JavaScript ($where, $function, $accumulator)
 * never reaches mingo, as matcher.assertSupported refuses it first.
 */
export const mingoOptions: Partial<Options> = {
  scriptEnabled: true,
  useStrictMode: true,
  context: context as Options['context'],
};

/** A mingo query using the engine context. The filter must have passed assertSupported. */
export function newQuery(filter: Document, options: Partial<Options> = mingoOptions): Query {
  return new BaseQuery(filter, options);
}

/** A mingo pipeline using the engine context. The stages must have passed assertSupported. */
export function newAggregator(pipeline: Document[], options: Partial<Options>): Aggregator {
  return new BaseAggregator(pipeline, options);
}
