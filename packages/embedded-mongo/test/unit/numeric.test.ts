import { Decimal128, Double, Long } from 'bson';
import { combine, compareNumbers } from '../../src/numeric';

describe('combine', () => {
  it('widens an int32 sum that overflows to a long', () => {
    const sum = combine('add', 2147483647, 1);
    expect(sum).toBeInstanceOf(Long);
    expect(String(sum)).toBe('2147483648');
  });

  it('keeps an int32 sum an int32 when it fits', () => {
    expect(combine('add', 2, 3)).toBe(5);
  });

  it('adds to a long beyond 2^53 without losing the last digit', () => {
    expect(String(combine('add', Long.fromString('9007199254740993'), 1))).toBe('9007199254740994');
  });

  it('adds decimals exactly where doubles would not', () => {
    const sum = combine('add', Decimal128.fromString('0.2'), Decimal128.fromString('0.1'));
    expect(sum).toBeInstanceOf(Decimal128);
    expect(String(sum)).toBe('0.3');
  });

  it('gives a double, kept as a double when whole, once a double takes part', () => {
    const product = combine('mul', new Double(2.5), 2);
    expect(product).toBeInstanceOf(Double);
    expect((product as Double).value).toBe(5);
  });

  it('refuses operands that are not numbers', () => {
    expect(combine('add', 'a', 1)).toBeUndefined();
  });
});

describe('compareNumbers', () => {
  it('orders int64 values beyond 2^53 exactly', () => {
    expect(compareNumbers(Long.fromString('9007199254740993'), Long.fromString('9007199254740992'))).toBeGreaterThan(0);
  });

  it('treats a long and a double holding the same integer as equal', () => {
    expect(compareNumbers(Long.fromString('9007199254740992'), new Double(9007199254740992))).toBe(0);
  });

  it('compares a decimal with a fractional double by value', () => {
    expect(compareNumbers(Decimal128.fromString('9.5'), 9.75)).toBeLessThan(0);
  });
});
