/**
 * A direct implementation of the most common update operators ($set, $unset, $inc, $mul on
 * plain field paths): mingo builds a fresh operator context on every update call (several times
 * slower than an insert), and its arithmetic knows only JS numbers, while $inc/$mul must keep
 * every digit of int64 and Decimal128. Anything else returns false and goes to mingo.
 */
import { Document } from 'bson';
import { isPlainObject } from './matcher-util';
import { combine, readNumber } from './numeric';

const FAST_OPS = new Set(['$set', '$unset', '$inc', '$mul']);
const PLAIN_PATH = /^[^.$\d][^.$]*(\.[^.$\d][^.$]*)*$/;

/**
 * Applies `modifier` (typed arguments) to `view` in place when every operator and path is
 * simple and no path crosses an array; returns false (leaving `view` untouched) otherwise.
 * Arithmetic reads the operand from `typed`, the document's exact-typed original.
 */
export function tryFastUpdate(view: Document, modifier: Document, typed: Document): boolean {
  const steps: Array<[string, string[], unknown]> = [];
  for (const [op, args] of Object.entries(modifier)) {
    if (!FAST_OPS.has(op) || !isPlainObject(args)) return false;
    for (const [path, value] of Object.entries(args)) {
      if (!PLAIN_PATH.test(path)) return false;
      const parts = path.split('.');
      // `__proto__` would reach Object.prototype; mingo refuses such paths.
      if (parts.includes('__proto__') || crossesArray(view, parts)) return false;
      if ((op === '$inc' || op === '$mul') && readNumber(value) === undefined) return false;
      steps.push([op, parts, value]);
    }
  }
  for (const [op, parts, value] of steps) {
    if (op === '$inc' || op === '$mul') {
      const current = readPath(typed, parts);
      const zero = op === '$inc' ? value : combine('mul', value, 0);
      apply(view, '$set', parts, current === undefined ? zero : combine(op === '$inc' ? 'add' : 'mul', current, value));
    } else {
      apply(view, op, parts, value);
    }
  }
  return true;
}

function crossesArray(doc: Document, parts: string[]): boolean {
  let cur: unknown = doc;
  for (const part of parts.slice(0, -1)) {
    cur = (cur as Document)[part];
    if (cur === undefined || cur === null) return false;
    if (!isPlainObject(cur)) return true;
  }
  return false;
}

function readPath(doc: Document, parts: string[]): unknown {
  let cur: unknown = doc;
  for (const part of parts) {
    if (!isPlainObject(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

function apply(doc: Document, op: string, parts: string[], value: unknown): void {
  const last = parts[parts.length - 1];
  let parent = doc;
  for (const part of parts.slice(0, -1)) {
    if (!isPlainObject(parent[part])) {
      if (op === '$unset') return;
      parent[part] = {};
    }
    parent = parent[part] as Document;
  }
  if (op === '$set') parent[last] = value;
  else delete parent[last];
}
