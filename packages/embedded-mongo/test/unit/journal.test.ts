import { mkdtempSync, readFileSync, rmSync, statSync, appendFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Double, Long } from 'bson';
import { DataDamageError, Journal, decodeRecords, encodeRecord } from '../../src/legacy-journal';
import { flipBits, itemAt } from '../support/checked';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'journal-unit-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('decodeRecords', () => {
  it('returns every record in order when the file is intact', () => {
    const data = Buffer.concat([encodeRecord({ n: 1 }), encodeRecord({ n: 2 })]);
    const { records, validLength } = decodeRecords(data);
    expect(records.map((r) => r.n)).toEqual([1, 2]);
    expect(validLength).toBe(data.length);
  });

  it('stops before a record cut short by a crash', () => {
    const first = encodeRecord({ n: 1 });
    const second = encodeRecord({ n: 2, pad: 'x'.repeat(100) });
    const { records, validLength } = decodeRecords(Buffer.concat([first, second.subarray(0, second.length - 7)]));
    expect(records.map((r) => r.n)).toEqual([1]);
    expect(validLength).toBe(first.length);
  });

  it('reports a record whose checksum fails as damage, with its offset, and reads the intact records after it', () => {
    const first = encodeRecord({ n: 1 });
    const second = encodeRecord({ n: 2 });
    flipBits(second, second.length - 3, 0xff);
    const scan = decodeRecords(Buffer.concat([first, second, encodeRecord({ n: 3 })]));
    expect(scan.records.map((r) => r.n)).toEqual([1, 3]);
    expect(scan.damaged).toEqual([{ offset: first.length, length: second.length }]);
    expect(scan.tornAt).toBeUndefined();
  });

  it('reports a damaged length field as damage when intact records follow', () => {
    const first = encodeRecord({ n: 1 });
    const second = encodeRecord({ n: 2, pad: 'y'.repeat(50) });
    flipBits(second, 1, 0x40);
    const scan = decodeRecords(Buffer.concat([first, second, encodeRecord({ n: 3 })]));
    expect(scan.records.map((r) => r.n)).toEqual([1, 3]);
    expect(scan.damaged).toEqual([{ offset: first.length, length: second.length }]);
  });

  it('reports a whole last record with a wrong checksum as damage, not as a torn tail', () => {
    const first = encodeRecord({ n: 1 });
    const last = encodeRecord({ n: 2 });
    flipBits(last, last.length - 2, 0x01);
    const scan = decodeRecords(Buffer.concat([first, last]));
    expect(scan.damaged).toEqual([{ offset: first.length, length: last.length }]);
    expect(scan.tornAt).toBeUndefined();
  });

  it('calls a record cut short at the end a torn tail, not damage', () => {
    const first = encodeRecord({ n: 1 });
    const second = encodeRecord({ n: 2 });
    const scan = decodeRecords(Buffer.concat([first, second.subarray(0, 9)]));
    expect(scan.damaged).toEqual([]);
    expect(scan.tornAt).toBe(first.length);
  });

  it('keeps int64 and whole doubles as their BSON types when reading records back', () => {
    const r = itemAt(
      decodeRecords(encodeRecord({ l: Long.fromString('9007199254740993'), d: new Double(2), i: 3 })).records,
      0,
    );
    expect(r.l).toBeInstanceOf(Long);
    expect((r.l as Long).toString()).toBe('9007199254740993');
    expect(r.d).toBeInstanceOf(Double);
    expect(r.i).toBe(3);
  });
});

describe('Journal', () => {
  it('reopens with the records appended before it was closed', () => {
    const path = join(dir, 'j.log');
    const { journal } = Journal.open(path, false);
    journal.append({ n: 1 });
    journal.append({ n: 2 });
    journal.close();
    expect(Journal.open(path, false).records.map((r) => r.n)).toEqual([1, 2]);
  });

  it('truncates a torn tail on open so the next record follows the last committed one', () => {
    const path = join(dir, 'j.log');
    const first = Journal.open(path, false).journal;
    first.append({ n: 1 });
    first.close();
    const committed = statSync(path).size;
    appendFileSync(path, encodeRecord({ n: 2 }).subarray(0, 10));
    const second = Journal.open(path, true);
    expect(second.records.map((r) => r.n)).toEqual([1]);
    expect(statSync(path).size).toBe(committed);
    second.journal.append({ n: 3 });
    second.journal.close();
    expect(Journal.open(path, false).records.map((r) => r.n)).toEqual([1, 3]);
  });

  it('ignores garbage appended after the last record', () => {
    const path = join(dir, 'j.log');
    const { journal } = Journal.open(path, false);
    journal.append({ n: 1 });
    journal.close();
    appendFileSync(path, Buffer.from('not a record at all, just noise'));
    expect(Journal.open(path, false).records.map((r) => r.n)).toEqual([1]);
  });

  it('refuses a journal with one byte flipped in the middle, naming the file and offset, and leaves it untouched', () => {
    const path = join(dir, 'j.log');
    const { journal } = Journal.open(path, false);
    for (let n = 0; n < 50; n++) journal.append({ n, pad: 'z'.repeat(40) });
    journal.close();
    const bytes = readFileSync(path);
    const middle = Math.floor(bytes.length / 2);
    flipBits(bytes, middle, 0x10);
    writeFileSync(path, bytes);
    let error: unknown;
    try {
      Journal.open(path, false);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(DataDamageError);
    const damage = error as DataDamageError;
    expect(damage.path).toBe(path);
    expect(damage.ranges).toHaveLength(1);
    expect(damage.ranges[0]!.offset).toBeLessThanOrEqual(middle);
    expect(damage.ranges[0]!.offset + damage.ranges[0]!.length).toBeGreaterThan(middle);
    expect(damage.message).toContain(path);
    expect(damage.message).toContain(`offset ${damage.ranges[0]!.offset}`);
    expect(readFileSync(path).equals(bytes)).toBe(true);
  });

  it('opens an empty journal when the file was cut to zero bytes', () => {
    const path = join(dir, 'j.log');
    const { journal } = Journal.open(path, false);
    journal.append({ n: 1 });
    journal.close();
    truncateSync(path, 0);
    expect(Journal.open(path, false).records).toEqual([]);
    expect(readFileSync(path).length).toBe(0);
  });
});
