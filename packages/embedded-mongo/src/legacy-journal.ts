/**
 * The record files of the older storage format (kept to read and convert such a data directory,
 * and for tests that write one). Append-only record files. Each record is `[u32 length][u32 crc32][BSON payload]`, written with
 * one write() before the command that produced it is acknowledged, so a process crash loses at
 * most unacknowledged work.
 *
 * Reading tells two kinds of bad bytes apart. A crash mid-write can only leave an incomplete
 * last record (its header or payload runs past the end of the file, or the disk gave back
 * zeros): that torn tail is cut. Anything else — a record whose checksum fails while intact
 * records follow it, or a whole record with a wrong checksum at the end — is damage, and
 * opening the file refuses with the file and byte offset, so nothing is dropped silently.
 */
import { closeSync, fsyncSync, ftruncateSync, openSync, readFileSync, writeSync, existsSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { Document } from 'bson';
import { decodeTyped, serializeAny } from './values';

const HEADER = 8;

/** Frames one BSON document, of any size, as a journal record. */
export function encodeRecord(doc: Document): Buffer {
  const payload = serializeAny(doc);
  const out = Buffer.allocUnsafe(HEADER + payload.length);
  out.writeUInt32LE(payload.length, 0);
  out.writeUInt32LE(crc32(payload), 4);
  out.set(payload, HEADER);
  return out;
}

/** A stretch of unreadable bytes in a record file. */
export interface DamagedRange {
  offset: number;
  length: number;
}

/** Result of scanning a record file. */
export interface ScanResult {
  /** Every intact record, in file order (also those after a damaged range). */
  records: Document[];
  /** Byte length up to the end of the last intact record before any damage or torn tail. */
  validLength: number;
  /** Unreadable ranges that are not a torn tail: intact records follow, or a whole record failed. */
  damaged: DamagedRange[];
  /** Where an incomplete last record (a write cut by a crash) starts, when there is one. */
  tornAt?: number;
}

/** The record starting at `offset`, or undefined when its header, length or checksum is not right. */
function recordAt(data: Buffer, offset: number): { doc: Document; end: number } | undefined {
  if (offset + HEADER > data.length) return undefined;
  const length = data.readUInt32LE(offset);
  const end = offset + HEADER + length;
  if (length < 5 || end > data.length) return undefined;
  const payload = data.subarray(offset + HEADER, end);
  if (payload.readInt32LE(0) !== length || crc32(payload) !== data.readUInt32LE(offset + 4)) return undefined;
  try {
    return { doc: decodeTyped(payload), end };
  } catch {
    return undefined;
  }
}

/** The first offset after `from` where an intact record starts, or undefined. */
function nextIntact(data: Buffer, from: number): number | undefined {
  for (let p = from + 1; p + HEADER <= data.length; p++) {
    const length = data.readUInt32LE(p);
    if (length < 5 || p + HEADER + length > data.length) continue;
    if (recordAt(data, p)) return p;
  }
  return undefined;
}

/** True when the bytes from `offset` to the end can only be a write a crash cut short. */
function isTornTail(data: Buffer, offset: number): boolean {
  if (offset + HEADER > data.length) return true;
  if (offset + HEADER + data.readUInt32LE(offset) > data.length) return true;
  return data.subarray(offset).every((b) => b === 0);
}

/** Reads every intact record and classifies the bad bytes; never throws on damage. */
export function decodeRecords(data: Buffer): ScanResult {
  const records: Document[] = [];
  const damaged: DamagedRange[] = [];
  let validLength = -1;
  let offset = 0;
  while (offset < data.length) {
    const found = recordAt(data, offset);
    if (found) {
      records.push(found.doc);
      offset = found.end;
      continue;
    }
    if (validLength < 0) validLength = offset;
    const next = nextIntact(data, offset);
    if (next === undefined) {
      if (isTornTail(data, offset)) return { records, validLength, damaged, tornAt: offset };
      damaged.push({ offset, length: data.length - offset });
      return { records, validLength, damaged };
    }
    damaged.push({ offset, length: next - offset });
    offset = next;
  }
  return { records, validLength: validLength < 0 ? offset : validLength, damaged };
}

/** Data on disk that cannot be read back whole; the engine refuses to start on it. */
export class DataDamageError extends Error {
  constructor(
    readonly path: string,
    readonly ranges: DamagedRange[],
    detail = '',
  ) {
    const first = ranges[0];
    const where = first
      ? ` at byte offset ${first.offset} (${first.length} bytes unreadable${ranges.length > 1 ? `, ${ranges.length} damaged ranges in all` : ''})`
      : '';
    super(
      `data file ${path} is damaged${where}${detail}; nothing was changed. Run \`npm run db -- repair --dbpath <dir>\` to keep every readable record and set the damaged bytes aside`,
    );
    this.name = 'DataDamageError';
  }
}

/** What opening a journal found: its intact records and the bytes of a torn tail it cut, if any. */
export interface JournalOpen {
  journal: Journal;
  records: Document[];
  tornBytes: number;
}

/** An open journal file, appended to synchronously. */
export class Journal {
  private fd: number;
  private bytes: number;

  private constructor(
    readonly path: string,
    fd: number,
    bytes: number,
    private readonly fsync: boolean,
  ) {
    this.fd = fd;
    this.bytes = bytes;
  }

  /**
   * Opens (creating if needed) the journal and returns its records. A torn tail is truncated so
   * new records follow the last committed one; damage anywhere else throws DataDamageError
   * and leaves the file as it was.
   */
  static open(path: string, fsync: boolean): JournalOpen {
    const data = existsSync(path) ? readFileSync(path) : Buffer.alloc(0);
    const scan = decodeRecords(data);
    if (scan.damaged.length > 0) throw new DataDamageError(path, scan.damaged);
    const fd = openSync(path, existsSync(path) ? 'r+' : 'w+');
    if (scan.validLength < data.length) ftruncateSync(fd, scan.validLength);
    return {
      journal: new Journal(path, fd, scan.validLength, fsync),
      records: scan.records,
      tornBytes: data.length - scan.validLength,
    };
  }

  get size(): number {
    return this.bytes;
  }

  /** Appends one record; returns after the bytes reach the OS (and the disk, with fsync). */
  append(doc: Document): void {
    const buf = encodeRecord(doc);
    let written = 0;
    while (written < buf.length) {
      written += writeSync(this.fd, buf, written, buf.length - written, this.bytes + written);
    }
    this.bytes += buf.length;
    if (this.fsync) fsyncSync(this.fd);
  }

  close(): void {
    if (this.fd < 0) return;
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = -1;
  }
}
