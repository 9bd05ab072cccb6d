/**
 * Validation mongod performs before applying update operators, which mingo either skips or
 * reports without codes: conflicting paths (40), arithmetic on non-numbers (14) and array
 * operators on non-arrays (2). Reads the typed document as its mingo view would show it, one
 * path at a time, so a large document is not converted whole.
 */
import { Document } from 'bson';
import { CommandError, ErrorCodes } from './errors';
import { isPlainObject } from './matcher-util';
import { toView, viewValue } from './values';

const NUMERIC_OPS = new Set(['$inc', '$mul']);
const ARRAY_OPS = new Set(['$push', '$addToSet', '$pop', '$pull', '$pullAll']);

/** Throws the error mongod gives for an update that cannot apply to the typed document `doc`. */
export function checkOperatorTargets(u: Document, doc: Document): void {
  const paths: string[] = [];
  for (const [op, args] of Object.entries(u)) {
    if (!isPlainObject(args))
      throw new CommandError(
        ErrorCodes.FailedToParse,
        `Modifiers operate on fields but we found type ${typeof args} instead`,
      );
    for (const [path, arg] of Object.entries(args)) {
      paths.push(path);
      if (op === '$rename' && typeof arg === 'string') paths.push(arg);
      if (path.includes('$')) continue;
      const current = readPath(doc, path);
      if (NUMERIC_OPS.has(op)) checkNumeric(op, path, arg, current, doc);
      if (ARRAY_OPS.has(op) && current !== undefined && !Array.isArray(current)) {
        throw new CommandError(
          ErrorCodes.BadValue,
          `The field '${path}' must be an array but is of type ${typeName(current)} in document {_id: ${JSON.stringify(toView(doc._id))}}`,
        );
      }
    }
  }
  checkConflicts(paths);
}

function checkNumeric(op: string, path: string, arg: unknown, current: unknown, doc: Document): void {
  if (!isNumber(arg)) {
    throw new CommandError(
      ErrorCodes.TypeMismatch,
      `Cannot ${op === '$inc' ? 'increment' : 'multiply'} with non-numeric argument: {${path}: ${JSON.stringify(arg)}}`,
    );
  }
  if (current !== undefined && !isNumber(current)) {
    throw new CommandError(
      ErrorCodes.TypeMismatch,
      `Cannot apply ${op} to a value of non-numeric type. {_id: ${JSON.stringify(toView(doc._id))}} has the field '${path}' of non-numeric type ${typeName(current)}`,
    );
  }
}

function isNumber(v: unknown): boolean {
  if (typeof v === 'number' || typeof v === 'bigint') return true;
  const tag = (v as { _bsontype?: string } | null)?._bsontype;
  return tag === 'Double' || tag === 'Int32' || tag === 'Long' || tag === 'Decimal128';
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return v instanceof Date ? 'date' : 'object';
  return typeof v;
}

function checkConflicts(paths: string[]): void {
  for (const [i, a] of paths.entries()) {
    for (const b of paths.slice(i + 1)) {
      if (a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`)) {
        throw new CommandError(
          ErrorCodes.ConflictingUpdateOperators,
          `Updating the path '${b}' would create a conflict at '${a}'`,
        );
      }
    }
  }
}

/**
 * The value at a dotted path as the document's view holds it (undefined when absent); each step
 * is viewed before the next, so a path never descends into a numeric wrapper.
 */
function readPath(doc: Document, path: string): unknown {
  let cur: unknown = doc;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = viewValue((cur as Document)[part]);
  }
  return cur;
}
