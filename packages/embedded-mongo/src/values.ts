/**
 * Exact BSON types with mingo. Stored documents keep their BSON types ("typed" form): int32 and
 * fractional doubles as JS numbers (they serialize back unchanged), whole-valued doubles, int64
 * and Decimal128 as bson wrappers. mingo only understands JS numbers, so queries, updates and
 * pipelines run on a "view" where those wrappers become numbers (int64 beyond 2^53 stays a Long),
 * and updated documents are re-typed from the version they replace.
 */
import { Decimal128, Document, Double, Long, calculateObjectSize, deserialize, serialize } from 'bson';

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

/**
 * bson's `serialize` writes into one shared scratch buffer of 17 MiB and copies the result out;
 * a document larger than that makes it throw or return garbage past the scratch end.
 */
const SCRATCH_BYTES = 17 * 1024 * 1024;
/** Values at or below this size are serialized whole when building a large document piecewise. */
const PIECE_BYTES = 4 * 1024 * 1024;

function isPlainContainer(v: unknown): v is Document {
  if (v === null || typeof v !== 'object') return false;
  if (Array.isArray(v)) return true;
  const proto = Object.getPrototypeOf(v);
  return (proto === Object.prototype || proto === null) && typeof (v as { toBSON?: unknown }).toBSON !== 'function';
}

/** The bytes of one element (type, name, value) as bson writes them inside a document. */
function elementBytes(name: string, value: unknown, out: Buffer[]): void {
  if (isPlainContainer(value) && calculateObjectSize({ [name]: value }) > PIECE_BYTES) {
    const isArray = Array.isArray(value);
    const body: Buffer[] = [];
    if (isArray) (value as unknown[]).forEach((v, i) => elementBytes(String(i), v === undefined ? null : v, body));
    else for (const key of Object.keys(value)) elementBytes(key, (value as Document)[key], body);
    const bodyLength = body.reduce((n, b) => n + b.length, 0);
    const head = Buffer.alloc(1 + Buffer.byteLength(name) + 1 + 4);
    head[0] = isArray ? 0x04 : 0x03;
    head.write(name, 1, 'utf8');
    head.writeInt32LE(4 + bodyLength + 1, head.length - 4);
    out.push(head, ...body, Buffer.from([0]));
    return;
  }
  const wrapped = serialize({ [name]: value });
  // Strip the wrapper's int32 length and trailing NUL (nothing remains for an ignored undefined).
  if (wrapped.length > 5) out.push(Buffer.from(wrapped.buffer, wrapped.byteOffset + 4, wrapped.length - 5));
}

/**
 * Serializes a document of any size: the usual `serialize` when it fits bson's scratch buffer,
 * otherwise element by element (large plain objects and arrays are split recursively), so memory
 * stays about twice the result instead of a permanently grown scratch buffer.
 */
export function serializeAny(doc: Document): Buffer {
  try {
    const fast = serialize(doc);
    if (fast.length < SCRATCH_BYTES) return Buffer.from(fast.buffer, fast.byteOffset, fast.length);
  } catch (err) {
    // By name: the RangeError may come from another realm (Node's internals under a VM context).
    if ((err as Error | undefined)?.name !== 'RangeError') throw err;
  }
  const body: Buffer[] = [];
  for (const key of Object.keys(doc)) elementBytes(key, doc[key], body);
  const length = 4 + body.reduce((n, b) => n + b.length, 0) + 1;
  const out = Buffer.allocUnsafe(length);
  out.writeInt32LE(length, 0);
  let offset = 4;
  for (const b of body) {
    out.set(b, offset);
    offset += b.length;
  }
  out[offset] = 0;
  return out;
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

/**
 * The view of one value without descending into it: a number for a numeric wrapper, the value
 * itself otherwise. Reading a path through a typed document one step at a time with this gives
 * what the same path gives in the whole document's view.
 */
export function viewValue(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  return isNumericWrapper(value) ? viewScalar(value) : value;
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

/** Byte length of a BSON element's value of `type` starting at `at` (see bsonspec.org). */
function valueLength(b: Buffer, type: number, at: number): number {
  switch (type) {
    case 0x01:
    case 0x09:
    case 0x11:
    case 0x12:
      return 8;
    case 0x02:
    case 0x0d:
    case 0x0e:
      return 4 + b.readInt32LE(at);
    case 0x03:
    case 0x04:
    case 0x0f:
      return b.readInt32LE(at);
    case 0x05:
      return 5 + b.readInt32LE(at);
    case 0x06:
    case 0x0a:
    case 0xff:
    case 0x7f:
      return 0;
    case 0x07:
      return 12;
    case 0x08:
      return 1;
    case 0x0b: {
      const first = b.indexOf(0, at);
      return b.indexOf(0, first + 1) + 1 - at;
    }
    case 0x0c:
      return 4 + b.readInt32LE(at) + 12;
    case 0x10:
      return 4;
    case 0x13:
      return 16;
  }
  throw new Error(`unknown BSON element type 0x${type.toString(16)}`);
}

/**
 * Decodes only the top-level fields named in `fields` (the typed form), skipping the bytes of
 * the others: a query that needs a few fields of large documents does not build the rest.
 */
export function decodeTypedFields(bytes: Buffer, fields: ReadonlySet<string>): Document {
  const parts: Buffer[] = [];
  let size = 5;
  let at = 4;
  while (at < bytes.length) {
    const type = bytes[at]!;
    if (type === 0) break;
    const nameEnd = bytes.indexOf(0, at + 1);
    const valueAt = nameEnd + 1;
    const end = valueAt + valueLength(bytes, type, valueAt);
    if (fields.has(bytes.toString('utf8', at + 1, nameEnd))) {
      parts.push(bytes.subarray(at, end));
      size += end - at;
    }
    at = end;
  }
  const out = Buffer.allocUnsafe(size);
  out.writeInt32LE(size, 0);
  let o = 4;
  for (const p of parts) {
    p.copy(out, o);
    o += p.length;
  }
  out[o] = 0;
  return decodeTyped(out);
}
