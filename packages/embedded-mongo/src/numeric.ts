/**
 * Exact arithmetic and comparison across BSON number types, following MongoDB's promotion
 * rules (https://www.mongodb.com/docs/manual/reference/operator/update/inc/#behavior):
 * int op int → int (long on overflow), with long → long, with double → double, with decimal →
 * decimal. int64 uses BigInt and Decimal128 a (coefficient, exponent) pair, so no digit is lost.
 */
import { Decimal128, Double, Long } from 'bson';

type Kind = 'int' | 'long' | 'double' | 'decimal';
interface Num {
  kind: Kind;
  value: number;
  /** Exact integer value, when the number is an integer. */
  big?: bigint;
  /** Exact decimal: coefficient × 10^exp. */
  coef?: bigint;
  exp?: number;
}

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;

/** Reads a typed BSON number; undefined when `v` is not a number. */
export function readNumber(v: unknown): Num | undefined {
  if (typeof v === 'number') {
    if (Number.isInteger(v) && v >= INT_MIN && v <= INT_MAX) return { kind: 'int', value: v, big: BigInt(v) };
    return { kind: 'double', value: v, big: Number.isInteger(v) ? BigInt(v) : undefined };
  }
  if (typeof v === 'bigint') return { kind: 'long', value: Number(v), big: v };
  switch ((v as { _bsontype?: string } | null)?._bsontype) {
    case 'Int32':
      return readNumber((v as { value: number }).value);
    case 'Double': {
      const d = (v as Double).value;
      return { kind: 'double', value: d, big: Number.isInteger(d) ? BigInt(d) : undefined };
    }
    case 'Long':
      return { kind: 'long', value: (v as Long).toNumber(), big: (v as Long).toBigInt() };
    case 'Decimal128':
      return decimalNum((v as Decimal128).toString());
  }
  return undefined;
}

function decimalNum(text: string): Num {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) return { kind: 'decimal', value: Number(text) };
  const digits = `${m[2]}${m[3] ?? ''}` || '0';
  const coef = BigInt(`${m[1]}${digits}`);
  const exp = Number(m[4] ?? 0) - (m[3]?.length ?? 0);
  return { kind: 'decimal', value: Number(text), coef, exp };
}

function asDecimal(n: Num): { coef: bigint; exp: number } {
  if (n.coef !== undefined) return { coef: n.coef, exp: n.exp ?? 0 };
  const d = decimalNum(n.big !== undefined ? n.big.toString() : String(n.value));
  return { coef: d.coef ?? 0n, exp: d.exp ?? 0 };
}

function formatDecimal(coef: bigint, exp: number): Decimal128 {
  if (exp >= 0) return Decimal128.fromString(`${coef * 10n ** BigInt(exp)}`);
  const negative = coef < 0n;
  const digits = (negative ? -coef : coef).toString().padStart(-exp + 1, '0');
  const point = digits.length + exp;
  return Decimal128.fromString(`${negative ? '-' : ''}${digits.slice(0, point)}.${digits.slice(point)}`);
}

function resultKind(a: Num, b: Num): Kind {
  if (a.kind === 'decimal' || b.kind === 'decimal') return 'decimal';
  if (a.kind === 'double' || b.kind === 'double') return 'double';
  return a.kind === 'long' || b.kind === 'long' ? 'long' : 'int';
}

function integerResult(big: bigint, kind: Kind): unknown {
  if (kind === 'int' && big >= BigInt(INT_MIN) && big <= BigInt(INT_MAX)) return Number(big);
  return Long.fromBigInt(big);
}

function doubleResult(n: number): unknown {
  return Number.isInteger(n) ? new Double(n) : n;
}

/** a + b (or a × b) in typed form; undefined when either side is not a number. */
export function combine(op: 'add' | 'mul', left: unknown, right: unknown): unknown {
  const a = readNumber(left);
  const b = readNumber(right);
  if (!a || !b) return undefined;
  const kind = resultKind(a, b);
  if (kind === 'decimal') {
    const x = asDecimal(a);
    const y = asDecimal(b);
    if (op === 'mul') return formatDecimal(x.coef * y.coef, x.exp + y.exp);
    const exp = Math.min(x.exp, y.exp);
    return formatDecimal(x.coef * 10n ** BigInt(x.exp - exp) + y.coef * 10n ** BigInt(y.exp - exp), exp);
  }
  if (kind === 'double') return doubleResult(op === 'add' ? a.value + b.value : a.value * b.value);
  const big = op === 'add' ? (a.big as bigint) + (b.big as bigint) : (a.big as bigint) * (b.big as bigint);
  return integerResult(big, kind);
}

/** Exact numeric comparison (negative, 0, positive); falls back to doubles for fractions. */
export function compareNumbers(left: unknown, right: unknown): number {
  const a = readNumber(left);
  const b = readNumber(right);
  if (!a || !b) return 0;
  if (a.big !== undefined && b.big !== undefined) return a.big < b.big ? -1 : a.big > b.big ? 1 : 0;
  if (a.kind === 'decimal' || b.kind === 'decimal') {
    const x = asDecimal(a);
    const y = asDecimal(b);
    const exp = Math.min(x.exp, y.exp);
    const xs = x.coef * 10n ** BigInt(x.exp - exp);
    const ys = y.coef * 10n ** BigInt(y.exp - exp);
    return xs < ys ? -1 : xs > ys ? 1 : 0;
  }
  return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
}
