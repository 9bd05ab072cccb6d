/**
 * Order-preserving binary encoding of BSON values: comparing two encodings byte by byte gives
 * MongoDB's comparison order (https://www.mongodb.com/docs/manual/reference/bson-type-comparison-order/)
 * — MinKey, null/missing, numbers (all numeric types by value), strings (by UTF-8 bytes, as
 * mongod without a collation), objects, arrays, binary, ObjectId, booleans, dates, timestamps,
 * regular expressions, MaxKey. Values MongoDB considers equal for a match (1, 1.0, Long(1))
 * encode identically, so an encoding is both an equality key and a position in an ordered index.
 *
 * Every encoding is prefix-free (fixed widths, or a terminator that cannot occur inside), so
 * several can be concatenated into a compound key and each can be inverted (XOR 0xff) for a
 * descending field without disturbing the order of the others.
 */
import { EJSON, ObjectId } from 'bson';
import { readNumber } from './numeric';

export const T_MINKEY = 0x01;
export const T_NULL = 0x02;
export const T_NUMBER = 0x03;
export const T_STRING = 0x04;
export const T_OBJECT = 0x05;
export const T_ARRAY = 0x06;
export const T_BINARY = 0x07;
export const T_OBJECTID = 0x08;
export const T_BOOL = 0x09;
export const T_DATE = 0x0a;
export const T_TIMESTAMP = 0x0b;
export const T_REGEX = 0x0c;
export const T_OTHER = 0x0d;
export const T_MAXKEY = 0x0e;

/** A growable byte buffer; encodings are built into one and copied out once. */
export class ByteWriter {
  buf: Buffer;
  len = 0;

  constructor(size = 64) {
    this.buf = Buffer.allocUnsafe(size);
  }

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  byte(b: number): void {
    this.room(1);
    this.buf[this.len++] = b;
  }

  bytes(src: Uint8Array): void {
    this.room(src.length);
    this.buf.set(src, this.len);
    this.len += src.length;
  }

  /** Bytes with 0x00 escaped as 0x00 0xff, then the terminator 0x00 0x01. */
  escaped(src: Uint8Array): void {
    this.room(src.length * 2 + 2);
    for (let i = 0; i < src.length; i++) {
      const b = src[i]!;
      this.buf[this.len++] = b;
      if (b === 0) this.buf[this.len++] = 0xff;
    }
    this.buf[this.len++] = 0;
    this.buf[this.len++] = 1;
  }

  string(s: string): void {
    // Plain ASCII without NUL needs no escaping and no intermediate buffer.
    let ascii = true;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === 0 || c > 0x7f) {
        ascii = false;
        break;
      }
    }
    if (!ascii) return this.escaped(Buffer.from(s, 'utf8'));
    this.room(s.length + 2);
    this.buf.write(s, this.len, 'latin1');
    this.len += s.length;
    this.buf[this.len++] = 0;
    this.buf[this.len++] = 1;
  }

  u32(n: number): void {
    this.room(4);
    this.buf.writeUInt32BE(n >>> 0, this.len);
    this.len += 4;
  }
}

const scratch = Buffer.allocUnsafe(8);

function writeDouble(w: ByteWriter, d: number): void {
  if (Number.isNaN(d)) {
    // NaN sorts below every other number in MongoDB.
    for (let i = 0; i < 8; i++) w.byte(0);
    return;
  }
  scratch.writeDoubleBE(d === 0 ? 0 : d, 0);
  if (scratch[0]! & 0x80) for (let i = 0; i < 8; i++) scratch[i] = ~scratch[i]! & 0xff;
  else scratch[0] = scratch[0]! | 0x80;
  w.bytes(scratch);
}

function writeNumber(w: ByteWriter, v: unknown): void {
  w.byte(T_NUMBER);
  if (typeof v === 'number') {
    writeDouble(w, v);
    w.u32(0x80000000);
    return;
  }
  const n = readNumber(v);
  const d = n?.value ?? Number.NaN;
  writeDouble(w, d);
  // An int64 beyond 2^53 shares its nearest double with its neighbours: the exact difference
  // (|diff| ≤ 2^10) keeps them apart and in order.
  let tie = 0;
  if (n?.kind === 'long' && n.big !== undefined && Number.isFinite(d)) tie = Number(n.big - BigInt(d));
  w.u32(tie + 0x80000000);
}

function writeDate(w: ByteWriter, ms: number): void {
  w.byte(T_DATE);
  const t = Number.isNaN(ms) ? 0 : ms;
  scratch.writeBigInt64BE(BigInt(Math.trunc(t)), 0);
  scratch[0] = scratch[0]! ^ 0x80;
  w.bytes(scratch);
}

/** Appends the encoding of one value. undefined (missing) and null encode alike. */
export function writeValue(w: ByteWriter, v: unknown): void {
  if (v === undefined || v === null) return w.byte(T_NULL);
  switch (typeof v) {
    case 'number':
    case 'bigint':
      return writeNumber(w, v);
    case 'string':
      w.byte(T_STRING);
      return w.string(v);
    case 'boolean':
      w.byte(T_BOOL);
      return w.byte(v ? 1 : 0);
    case 'object':
      break;
    default:
      w.byte(T_OTHER);
      return w.string(String(v));
  }
  if (v instanceof Date) return writeDate(w, v.getTime());
  if (v instanceof ObjectId) {
    w.byte(T_OBJECTID);
    return w.bytes(v.id);
  }
  if (Array.isArray(v)) {
    w.byte(T_ARRAY);
    for (const item of v) writeValue(w, item);
    return w.byte(0);
  }
  if (v instanceof RegExp) {
    w.byte(T_REGEX);
    w.string(v.source);
    return w.string(v.flags);
  }
  const tag = (v as { _bsontype?: string })._bsontype;
  switch (tag) {
    case undefined:
      break;
    case 'Int32':
    case 'Double':
    case 'Long':
    case 'Decimal128':
      return writeNumber(w, v);
    case 'ObjectId':
      w.byte(T_OBJECTID);
      return w.bytes((v as ObjectId).id);
    case 'BSONSymbol':
      w.byte(T_STRING);
      return w.string(String((v as { value: string }).value));
    case 'Binary': {
      const b = v as { buffer: Uint8Array; position?: number; sub_type: number };
      const bytes = b.buffer.subarray(0, b.position ?? b.buffer.length);
      w.byte(T_BINARY);
      w.u32(bytes.length);
      w.byte(b.sub_type);
      return w.bytes(bytes);
    }
    case 'Timestamp': {
      const t = v as { high: number; low: number };
      w.byte(T_TIMESTAMP);
      w.u32(t.high);
      return w.u32(t.low);
    }
    case 'BSONRegExp': {
      const r = v as { pattern: string; options: string };
      w.byte(T_REGEX);
      w.string(r.pattern);
      return w.string(r.options);
    }
    case 'MinKey':
      return w.byte(T_MINKEY);
    case 'MaxKey':
      return w.byte(T_MAXKEY);
    default:
      w.byte(T_OTHER);
      return w.string(EJSON.stringify(v as never, { relaxed: false }));
  }
  w.byte(T_OBJECT);
  for (const key of Object.keys(v)) {
    const item = (v as Record<string, unknown>)[key];
    if (item === undefined) continue;
    writeValue(w, item);
    w.string(key);
  }
  w.byte(0);
}

/** The encoding of one value as a latin1 string: one char per byte, so it converts back exactly. */
export function encodeValueKey(v: unknown): string {
  const w = new ByteWriter(32);
  writeValue(w, v);
  return w.buf.toString('latin1', 0, w.len);
}

/** The bytes of a latin1 key string. */
export function keyBytes(key: string): Buffer {
  return Buffer.from(key, 'latin1');
}

/** The smallest byte string greater than every string starting with `prefix`, or undefined. */
export function prefixEnd(prefix: Uint8Array): Buffer | undefined {
  const out = Buffer.from(prefix);
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i]! < 0xff) {
      out[i] = out[i]! + 1;
      return out.subarray(0, i + 1);
    }
  }
  return undefined;
}
