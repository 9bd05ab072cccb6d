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
import { FieldPath, isPlainObject, splitPath } from './matcher-util';
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
  path: FieldPath;
  arg: unknown;
}

/** A change to make in the new image: set `value` at `path`, or remove the field. */
interface Write {
  path: FieldPath;
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
      const field = splitPath(path);
      // `__proto__` would reach Object.prototype; mingo refuses such paths.
      if (field.leaf === '__proto__' || field.parents.includes('__proto__')) return undefined;
      if (crossesArray(doc, field.parents)) return undefined;
      const arg = args[path];
      if ((op === '$inc' || op === '$mul') && readNumber(arg) === undefined) return undefined;
      if (op === '$push' && pushedValues(arg) === undefined) return undefined;
      steps.push({ op, path: field, arg });
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
function crossesArray(doc: Document, parents: string[]): boolean {
  let cur: unknown = doc;
  for (const part of parents) {
    cur = (cur as Document)[part];
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
function locate(doc: Document, { parents, leaf }: FieldPath): Located {
  let parent: Document = doc;
  for (const part of parents) {
    const next = parent[part];
    if (!isPlainObject(next)) return { exists: false, current: undefined };
    parent = next;
  }
  if (!Object.prototype.hasOwnProperty.call(parent, leaf)) return { exists: false, current: undefined };
  return { exists: true, current: parent[leaf] };
}

/**
 * What one step changes, or undefined when it changes nothing. Values get the typing the mingo
 * path gives them: `retype` against the value they replace (so a number written over a whole
 * double stays a double), and exact int64/Decimal128 arithmetic for $inc/$mul.
 */
function planStep(doc: Document, { op, path, arg }: Step): Write | undefined {
  const { exists, current } = locate(doc, path);
  switch (op) {
    case '$unset':
      return exists ? { path, unset: true } : undefined;
    case '$push': {
      const added = (pushedValues(arg) as unknown[]).map((v) => retype(v, undefined));
      if (!Array.isArray(current)) return { path, unset: false, value: added };
      return added.length === 0 ? undefined : { path, unset: false, value: [...current, ...added] };
    }
    case '$inc':
    case '$mul': {
      const zero = op === '$inc' ? arg : combine('mul', arg, 0);
      const result = current === undefined ? zero : combine(op === '$inc' ? 'add' : 'mul', current, arg);
      return setWrite(path, exists, current, retype(result, current));
    }
    default:
      return setWrite(path, exists, current, retype(arg, current));
  }
}

function setWrite(path: FieldPath, exists: boolean, current: unknown, value: unknown): Write | undefined {
  return exists && sameBytes(current, value) ? undefined : { path, unset: false, value };
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
  for (const { path, unset, value } of writes) {
    let parent = root;
    for (const part of path.parents) {
      const child = parent[part];
      let next: Document;
      if (isPlainObject(child) && fresh.has(child)) next = child;
      else {
        next = isPlainObject(child) ? { ...child } : {};
        fresh.add(next);
        parent[part] = next;
      }
      parent = next;
    }
    if (unset) delete parent[path.leaf];
    else parent[path.leaf] = value;
  }
  return root;
}
