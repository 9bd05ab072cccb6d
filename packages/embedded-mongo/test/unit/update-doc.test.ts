import { Double } from 'bson';
import { applyUpdate, upsertDocument, updateKind } from '../../src/update-doc';

function code(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (err) {
    return (err as { code?: number }).code;
  }
  return undefined;
}

describe('applyUpdate', () => {
  it('leaves the original document untouched', () => {
    const doc = { _id: 1, n: 1 };
    expect(applyUpdate(doc, { $inc: { n: 1 } })).toEqual({ _id: 1, n: 2 });
    expect(doc).toEqual({ _id: 1, n: 1 });
  });

  it('keeps a whole-valued double a double after $inc', () => {
    const next = applyUpdate({ _id: 1, d: new Double(2) }, { $inc: { d: 1 } });
    expect(next.d).toBeInstanceOf(Double);
    expect((next.d as Double).value).toBe(3);
  });

  it('refuses a change of _id with code 66', () => {
    expect(code(() => applyUpdate({ _id: 1 }, { _id: 2, v: 1 }))).toBe(66);
  });

  it('ignores $setOnInsert when the document already exists', () => {
    expect(applyUpdate({ _id: 1 }, { $set: { a: 1 }, $setOnInsert: { b: 1 } })).toEqual({ _id: 1, a: 1 });
  });

  it('refuses paths through __proto__ with code 2 instead of writing into Object.prototype', () => {
    for (const u of [
      { $set: { '__proto__.polluted': 1 } },
      { $unset: { '__proto__.hasOwnProperty': 1 } },
      { $inc: { 'a.__proto__.polluted': 1 } },
    ]) {
      expect(code(() => applyUpdate({ _id: 1, a: {} }, u))).toBe(2);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(typeof Object.prototype.hasOwnProperty).toBe('function');
  });

  it('refuses $inc on a string with code 14', () => {
    expect(code(() => applyUpdate({ _id: 1, s: 'x' }, { $inc: { s: 1 } }))).toBe(14);
  });
});

describe('updateKind', () => {
  it('refuses an unknown modifier mixed with operators with code 9', () => {
    expect(code(() => updateKind({ $set: { a: 1 }, b: 2 }))).toBe(9);
  });

  it('tells replacements, operator updates and pipelines apart', () => {
    expect(updateKind({ a: 1 })).toBe('replacement');
    expect(updateKind({ $set: { a: 1 } })).toBe('operators');
    expect(updateKind([{ $set: { a: 1 } }])).toBe('pipeline');
  });
});

describe('upsertDocument', () => {
  it('seeds the new document from the equality fields of the filter and applies $setOnInsert', () => {
    const doc = upsertDocument(
      { email: 'a@x', age: { $gt: 3 }, 'profile.city': 'CDMX' },
      { $set: { n: 1 }, $setOnInsert: { created: true } },
    );
    expect(doc).toMatchObject({ email: 'a@x', profile: { city: 'CDMX' }, n: 1, created: true });
    expect(doc.age).toBeUndefined();
    expect(Object.keys(doc)[0]).toBe('_id');
  });

  it('refuses a filter path through __proto__ with code 2 instead of writing into Object.prototype', () => {
    expect(code(() => upsertDocument({ '__proto__.polluted': 1 }, { $set: { a: 1 } }))).toBe(2);
    expect(code(() => upsertDocument({ $and: [{ 'a.__proto__.polluted': 1 }] }, { $set: { a: 1 } }))).toBe(2);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('takes _id from the filter for a replacement', () => {
    expect(upsertDocument({ _id: 7 }, { v: 1 })).toEqual({ _id: 7, v: 1 });
  });
});
