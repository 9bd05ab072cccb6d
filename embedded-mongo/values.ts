/**
 * Exact BSON types with mingo. Stored documents keep their BSON types ("typed" form): int32 and
 * fractional doubles as JS numbers (they serialize back unchanged), whole-valued doubles, int64
 * and Decimal128 as bson wrappers. mingo only understands JS numbers, so queries, updates and
 * pipelines run on a "view" where those wrappers become numbers (int64 beyond 2^53 stays a Long),
 * and updated documents are re-typed from the version they replace.
 */
import { Decimal128, Document, Double, Long, deserialize, serialize } from 'bson';

type Tagged = { _bsontype?: string };

function isContainer(v: unknown): v is Document {
  if (v === null || typeof v !== 'object') return false;
  if (Array.isArray(v)) return true;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Brings a document deserialized with `promoteValues: false` to the typed form, in place:
 * Int32 and fractional Double become numbers; whole Double, Long and Decimal128 stay wrapped.
 */
export function normalize<T>(value: T): T {
  if (!isContainer(value)) return value;
  const obj = value as Document;
  for (const key of Object.keys(obj)) {
    const v = obj[key];
    if (v === null || typeof v !== 'object') continue;
    const tag = (v as Tagged)._bsontype;
    if (tag === 'Int32') obj[key] = (v as { value: number }).value;
    else if (tag === 'Double' && !Number.isInteger((v as Double).value)) obj[key] = (v as Double).value;
    else if (tag === undefined) normalize(v);
  }
  return value;
}

/** Decodes BSON keeping exact numeric types (the typed form). */
export function decodeTyped(bytes: Uint8Array): Document {
  return normalize(deserialize(bytes, { promoteValues: false }));
}

/** Deep copy in typed form, by BSON round trip (structuredClone would drop bson classes). */
export function copyTyped(doc: Document): Document {
  return decodeTyped(serialize(doc));
}

/** The Long as a JS number when that number is exactly the same integer. */
function exactNumber(l: Long): number | undefined {
  const n = l.toNumber();
  return BigInt(n) === l.toBigInt() ? n : undefined;
}

function viewScalar(v: unknown): unknown {
  switch ((v as Tagged)._bsontype) {
    case 'Double':
      return (v as Double).value;
    case 'Int32':
      return (v as { value: number }).value;
    case 'Long': {
      // A number only when it holds the value exactly; mingo compares the rest by their text.
      return exactNumber(v as Long) ?? v;
    }
    case 'Decimal128':
      return Number((v as Decimal128).toString());
  }
  return v;
}

function isNumericWrapper(v: unknown): boolean {
  if (v instanceof Long && exactNumber(v) === undefined) return false;
  const tag = (v as Tagged)._bsontype;
  return tag === 'Double' || tag === 'Long' || tag === 'Decimal128' || tag === 'Int32';
}

/** The mingo view of a value; returns the same object when nothing needs converting. */
export function toView<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (isNumericWrapper(value)) return viewScalar(value) as T;
  if (!isContainer(value)) return value;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    value.forEach((item, i) => {
      const v = toView(item);
      if (v !== item) (out ??= value.slice())[i] = v;
    });
    return (out ?? value) as T;
  }
  let copy: Document | undefined;
  for (const key of Object.keys(value as Document)) {
    const item = (value as Document)[key];
    const v = toView(item);
    if (v !== item) (copy ??= { ...(value as Document) })[key] = v;
  }
  return (copy ?? value) as T;
}

/**
 * Restores BSON types after mingo worked on a view: a number where the previous version had a
 * whole double, int64 or decimal gets that type back (so `$inc` on a double stays a double).
 */
export function retype(next: unknown, previous: unknown): unknown {
  if (typeof next === 'bigint') return Long.fromBigInt(next);
  if (typeof next === 'number') return retypeNumber(next, previous);
  if (Array.isArray(next)) {
    const prev = Array.isArray(previous) ? previous : [];
    return next.map((v, i) => retype(v, prev[i]));
  }
  if (isContainer(next)) {
    const prev = isContainer(previous) && !Array.isArray(previous) ? previous : {};
    const out: Document = {};
    for (const key of Object.keys(next)) out[key] = retype(next[key], prev[key]);
    return out;
  }
  return next;
}

function retypeNumber(n: number, previous: unknown): unknown {
  switch ((previous as Tagged | undefined)?._bsontype) {
    case 'Double':
      return Number.isInteger(n) ? new Double(n) : n;
    case 'Long':
      return Number.isInteger(n) ? Long.fromNumber(n) : n;
    case 'Decimal128':
      return viewScalar(previous) === n ? previous : Decimal128.fromString(String(n));
  }
  return n;
}

const typedByView = new WeakMap<Document, Document>();

/** The view of a whole document, remembered so operators can find the typed original. */
export function viewOf(doc: Document): Document {
  const view = toView(doc);
  if (view !== doc) typedByView.set(view, doc);
  return view;
}

/** The typed document a view was made from (the object itself when it needed no view). */
export function typedOf(view: Document): Document {
  return typedByView.get(view) ?? view;
}

/** A private copy of a document's mingo view, safe for mingo to mutate. */
export function copyView(doc: Document): Document {
  const typed = copyTyped(doc);
  const view = toView(typed);
  if (view !== typed) typedByView.set(view, typed);
  return view;
}
