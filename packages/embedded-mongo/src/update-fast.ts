/**
 * A direct implementation of the most common update operators: $set, $unset, $inc and $mul on
 * plain field paths, and $push of one value or of `{$each: [...]}` without modifiers. mingo
 * builds a fresh operator context on every update call, knows only JS numbers (while $inc/$mul
 * must keep every digit of int64 and Decimal128) and needs a private deep copy of the document;
 * this works on the stored, typed document itself. Anything else returns undefined and goes to
 * mingo.
 *
 * Structural sharing: the new image is a shallow copy of the old one in which only the
 * containers along each modified path are copied; every other subtree is the old version's own
 * object. This is sound only because stored documents are never mutated in place (see
 * collection.ts): an older version (a transaction snapshot, a cursor's batch, a find result not
 * yet serialized) keeps reading its values. The only containers written here are the ones
 * created during the same call (tracked in `fresh`).
 */
import { Document } from 'bson';
import { isPlainObject } from './matcher-util';
import { combine, readNumber } from './numeric';
import { retype, serializeAny } from './values';

const FAST_OPS = new Set(['$set', '$unset', '$inc', '$mul', '$push']);
const PLAIN_PATH = /^[^.$\d][^.$]*(\.[^.$\d][^.$]*)*$/;

/** The new image and whether it differs from the old one (a no-op update reports nModified 0). */
export interface FastUpdate {
  doc: Document;
  changed: boolean;
}

interface Step {
  op: string;
  parts: string[];
  arg: unknown;
}

/** A change to make in the new image: set `value` at `parts`, or remove the field. */
interface Write {
  parts: string[];
  unset: boolean;
  value?: unknown;
}

/**
 * Applies `modifier` (typed arguments, already validated by checkOperatorTargets) to the typed
 * document `doc` when every operator and path is simple and no path crosses an array; returns
 * undefined otherwise. `doc` is not modified; when nothing changes it is returned as is.
 * Paths are pairwise disjoint (conflicts were refused before), so every value is read from `doc`.
 */
export function tryFastUpdate(doc: Document, modifier: Document): FastUpdate | undefined {
  const steps: Step[] = [];
  for (const op of Object.keys(modifier)) {
    const args = modifier[op];
    if (!FAST_OPS.has(op) || !isPlainObject(args)) return undefined;
    for (const path of Object.keys(args)) {
      if (!PLAIN_PATH.test(path)) return undefined;
      const parts = path.split('.');
      // `__proto__` would reach Object.prototype; mingo refuses such paths.
      if (parts.includes('__proto__') || crossesArray(doc, parts)) return undefined;
      const arg = args[path];
      if ((op === '$inc' || op === '$mul') && readNumber(arg) === undefined) return undefined;
      if (op === '$push' && pushedValues(arg) === undefined) return undefined;
      steps.push({ op, parts, arg });
    }
  }
  const writes: Write[] = [];
  for (const step of steps) {
    const write = planStep(doc, step);
    if (write) writes.push(write);
  }
  if (writes.length === 0) return { doc, changed: false };
  return { doc: applyWrites(doc, writes), changed: true };
}

/** The values a `$push` argument appends, or undefined when it needs mingo ($slice, $sort, …). */
function pushedValues(arg: unknown): unknown[] | undefined {
  if (!isPlainObject(arg)) return [arg];
  const keys = Object.keys(arg);
  if (!keys.some((k) => k.charCodeAt(0) === 36)) return [arg];
  return keys.length === 1 && keys[0] === '$each' && Array.isArray(arg.$each) ? arg.$each : undefined;
}

/** True when a parent on the path is anything but a plain object, null or missing. */
function crossesArray(doc: Document, parts: string[]): boolean {
  let cur: unknown = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    cur = (cur as Document)[parts[i]];
    if (cur === undefined || cur === null) return false;
    if (!isPlainObject(cur)) return true;
  }
  return false;
}

interface Located {
  /** The field is an own property of an existing parent. */
  exists: boolean;
  current: unknown;
}

/** The current value at a path whose parents are plain objects, null or missing. */
function locate(doc: Document, parts: string[]): Located {
  let parent: Document = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    const next = parent[parts[i]];
    if (!isPlainObject(next)) return { exists: false, current: undefined };
    parent = next;
  }
  const last = parts[parts.length - 1];
  if (!Object.prototype.hasOwnProperty.call(parent, last)) return { exists: false, current: undefined };
  return { exists: true, current: parent[last] };
}

/**
 * What one step changes, or undefined when it changes nothing. Values get the typing the mingo
 * path gives them: `retype` against the value they replace (so a number written over a whole
 * double stays a double), and exact int64/Decimal128 arithmetic for $inc/$mul.
 */
function planStep(doc: Document, { op, parts, arg }: Step): Write | undefined {
  const { exists, current } = locate(doc, parts);
  switch (op) {
    case '$unset':
      return exists ? { parts, unset: true } : undefined;
    case '$push': {
      const added = (pushedValues(arg) as unknown[]).map((v) => retype(v, undefined));
      if (!Array.isArray(current)) return { parts, unset: false, value: added };
      return added.length === 0 ? undefined : { parts, unset: false, value: [...current, ...added] };
    }
    case '$inc':
    case '$mul': {
      const zero = op === '$inc' ? arg : combine('mul', arg, 0);
      const result = current === undefined ? zero : combine(op === '$inc' ? 'add' : 'mul', current, arg);
      return setWrite(parts, exists, current, retype(result, current));
    }
    default:
      return setWrite(parts, exists, current, retype(arg, current));
  }
}

function setWrite(parts: string[], exists: boolean, current: unknown, value: unknown): Write | undefined {
  return exists && sameBytes(current, value) ? undefined : { parts, unset: false, value };
}

/** True when both values serialize to the same BSON element (same type and bytes). */
function sameBytes(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  return serializeAny({ v: a }).equals(serializeAny({ v: b }));
}

/** Builds the new image: copies the root and each container on a written path, once. */
function applyWrites(doc: Document, writes: Write[]): Document {
  const root: Document = { ...doc };
  const fresh = new Set<Document>([root]);
  for (const { parts, unset, value } of writes) {
    let parent = root;
    for (let i = 0; i < parts.length - 1; i++) {
      const child = parent[parts[i]];
      let next: Document;
      if (isPlainObject(child) && fresh.has(child)) next = child;
      else {
        next = isPlainObject(child) ? { ...child } : {};
        fresh.add(next);
        parent[parts[i]] = next;
      }
      parent = next;
    }
    const last = parts[parts.length - 1];
    if (unset) delete parent[last];
    else parent[last] = value;
  }
  return root;
}
