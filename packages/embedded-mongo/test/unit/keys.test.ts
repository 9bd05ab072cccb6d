import { Double, Long, ObjectId } from 'bson';
import { documentKeys, pathValues, valueKey } from '../../src/keys';
import { tempIndex } from './temp-store';
import { CommandError } from '../../src/errors';

describe('valueKey', () => {
  it('gives numerically equal values of different BSON number types the same key', () => {
    expect(valueKey(1)).toBe(valueKey(new Double(1)));
    expect(valueKey(1)).toBe(valueKey(Long.fromNumber(1)));
    expect(valueKey(0)).toBe(valueKey(-0));
  });

  it('keeps a string apart from the number it spells', () => {
    expect(valueKey('1')).not.toBe(valueKey(1));
    expect(valueKey(true)).not.toBe(valueKey(1));
  });

  it('keys null and missing alike, as a MongoDB index does', () => {
    expect(valueKey(null)).toBe(valueKey(undefined));
  });

  it('keys ObjectIds and dates by value, not by identity', () => {
    const id = new ObjectId();
    expect(valueKey(new ObjectId(id.toHexString()))).toBe(valueKey(id));
    expect(valueKey(new Date(5))).toBe(valueKey(new Date(5)));
    expect(valueKey(new Date(5))).not.toBe(valueKey(5));
  });

  it('keeps int64 values beyond 2^53 apart', () => {
    expect(valueKey(Long.fromString('9007199254740993'))).not.toBe(valueKey(Long.fromString('9007199254740992')));
  });
});

describe('pathValues', () => {
  it('descends into arrays of sub-documents for a dotted path', () => {
    expect(pathValues({ a: [{ b: 1 }, { b: 2 }] }, 'a.b')).toEqual([1, 2]);
  });

  it('yields the elements of an array at the end of the path', () => {
    expect(pathValues({ tags: ['x', 'y'] }, 'tags')).toEqual(['x', 'y']);
  });

  it('yields undefined when the path is missing', () => {
    expect(pathValues({ a: {} }, 'a.b')).toEqual([undefined]);
  });
});

describe('documentKeys', () => {
  it('produces one key tuple per array element of a multikey field', () => {
    expect(documentKeys({ a: 1, b: ['x', 'y'] }, ['a', 'b'])).toHaveLength(2);
  });

  it('refuses two array fields in one compound key with code 171', () => {
    expect(() => documentKeys({ a: [1, 2], b: [3, 4] }, ['a', 'b'])).toThrow(CommandError);
  });
});

describe('documentKeys for empty arrays', () => {
  it('keys an empty array apart from null and missing', () => {
    expect(documentKeys({ k: [] }, ['k'])).not.toEqual(documentKeys({ k: null }, ['k']));
    expect(documentKeys({}, ['k'])).toEqual(documentKeys({ k: null }, ['k']));
  });
});

describe('SecondaryIndex', () => {
  const spec = { name: 'a_1_b_1', key: { a: 1, b: 1 }, unique: true };

  it('finds documents by an equality on a prefix of its fields', () => {
    const index = tempIndex(spec);
    index.add('id1', { a: 1, b: 'x' });
    index.add('id2', { a: 1, b: 'y' });
    index.add('id3', { a: 2, b: 'x' });
    expect([...index.lookup([valueKey(1)])].sort()).toEqual(['id1', 'id2']);
    expect([...index.lookup([valueKey(1), valueKey('y')])]).toEqual(['id2']);
  });

  it('forgets a document once it is removed', () => {
    const index = tempIndex(spec);
    index.add('id1', { a: 1, b: 'x' });
    index.remove('id1', { a: 1, b: 'x' });
    expect([...index.lookup([valueKey(1)])]).toEqual([]);
  });

  it('reports the holder of a unique key to a different document only', () => {
    const index = tempIndex(spec);
    index.add('id1', { a: 1, b: 'x' });
    expect(index.conflictingId({ a: 1, b: 'x' }, 'id2')).toBe('id1');
    expect(index.conflictingId({ a: 1, b: 'x' }, 'id1')).toBeUndefined();
    expect(index.conflictingId({ a: 1, b: 'z' }, 'id2')).toBeUndefined();
  });

  it('skips documents missing every indexed field when sparse', () => {
    const index = tempIndex({ name: 'e_1', key: { e: 1 }, unique: true, sparse: true });
    index.add('id1', { other: 1 });
    expect(index.conflictingId({ other: 2 }, 'id2')).toBeUndefined();
  });
});
