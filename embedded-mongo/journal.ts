/**
 * Append-only record files. Each record is `[u32 length][u32 crc32][BSON payload]`, written with
 * one write() before the command that produced it is acknowledged, so a process crash loses at
 * most unacknowledged work. On open, the first record that is short or fails its checksum marks
 * the end of committed data: it and everything after it are truncated away.
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

/** Result of scanning a record file: intact records and the byte length they occupy. */
export interface ScanResult {
  records: Document[];
  validLength: number;
}

/** Reads records until the end or the first damaged/partial one. Never throws on damage. */
export function decodeRecords(data: Buffer): ScanResult {
  const records: Document[] = [];
  let offset = 0;
  while (offset + HEADER <= data.length) {
    const length = data.readUInt32LE(offset);
    const end = offset + HEADER + length;
    if (length < 5 || end > data.length) break;
    const payload = data.subarray(offset + HEADER, end);
    if (crc32(payload) !== data.readUInt32LE(offset + 4)) break;
    try {
      records.push(decodeTyped(payload));
    } catch {
      break;
    }
    offset = end;
  }
  return { records, validLength: offset };
}

/** An open journal file, appended to synchronously. */
export class Journal {
  private fd: number;
  private bytes: number;

  private constructor(readonly path: string, fd: number, bytes: number, private readonly fsync: boolean) {
    this.fd = fd;
    this.bytes = bytes;
  }

  /**
   * Opens (creating if needed) the journal, returns its intact records, and truncates a torn
   * tail so new records follow the last committed one.
   */
  static open(path: string, fsync: boolean): { journal: Journal; records: Document[] } {
    const data = existsSync(path) ? readFileSync(path) : Buffer.alloc(0);
    const { records, validLength } = decodeRecords(data);
    const fd = openSync(path, existsSync(path) ? 'r+' : 'w+');
    if (validLength < data.length) ftruncateSync(fd, validLength);
    return { journal: new Journal(path, fd, validLength, fsync), records };
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
