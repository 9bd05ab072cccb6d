/**
 * The ordered key-value store under the engine: one LMDB environment (`data.mdb`) holding every
 * document, index entry, the catalog and the answered retryable writes under binary keys:
 *
 * - `00 <name>`: metadata (the catalog: collections, their numeric ids and index definitions);
 * - `01 <collection id u32> <_id key>`: one document, `[crc32 u32le][BSON]`;
 * - `02 <index id u32> <key encoding of each field> <_id key>`: one index entry, `[crc32][_id key]`;
 * - `03 <session id>`: the reply of a session's last retryable write.
 *
 * Each record's checksum covers its key and its stored bytes, so a damaged or misplaced record
 * is reported, never served. A command's changes are one LMDB write transaction committed before
 * the reply leaves (see {@link Store.write}); LMDB commits are atomic, so a crash leaves the
 * state before or after a command, never between.
 */
import { crc32 } from 'node:zlib';
import { open, RootDatabase } from 'lmdb';

export const P_META = 0x00;
export const P_DOC = 0x01;
export const P_INDEX = 0x02;
export const P_RETRY = 0x03;

export interface StoreOptions {
  /** Flush to disk at every commit (power-loss safety) rather than at the OS's pace. */
  fsync?: boolean;
}

/** A damaged stored record: the read fails with this rather than serving or skipping it. */
export class RecordDamageError extends Error {
  constructor(
    readonly what: string,
    detail: string,
  ) {
    super(`stored data is damaged: ${what} (${detail}); stop the engine and run \`npm run db -- repair\``);
    this.name = 'RecordDamageError';
  }
}

/** Checksum of a record: its key, then its stored bytes. */
export function recordChecksum(key: Uint8Array, body: Uint8Array): number {
  return crc32(body, crc32(key));
}

/** Frames a record body with its checksum. */
export function frame(key: Uint8Array, body: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(4 + body.length);
  out.writeUInt32LE(recordChecksum(key, body), 0);
  out.set(body, 4);
  return out;
}

/** The body of a framed record, or undefined when its checksum does not match. */
export function unframe(key: Uint8Array, value: Buffer): Buffer | undefined {
  if (value.length < 4) return undefined;
  const body = value.subarray(4);
  return value.readUInt32LE(0) === recordChecksum(key, body) ? body : undefined;
}

export interface RangeOptions {
  start?: Buffer;
  end?: Buffer;
  reverse?: boolean;
  values?: boolean;
}

/** One open LMDB environment; every method is synchronous. */
export class Store {
  private depth = 0;

  private constructor(private readonly env: RootDatabase<Buffer, Buffer>) {}

  static open(path: string, options: StoreOptions = {}): Store {
    const env = open<Buffer, Buffer>({
      path,
      keyEncoding: 'binary',
      encoding: 'binary',
      compression: false,
      cache: false,
      // Without fsync a commit is written to the file (the OS page cache) before the reply:
      // it survives the process being killed, and reaches the disk at the OS's pace.
      noSync: !options.fsync,
      mapSize: 2 ** 36,
    });
    return new Store(env);
  }

  /**
   * Runs `fn` in one write transaction (joining the enclosing one when nested) and commits it.
   * Changes made before an error are committed too: the engine applies validated writes one
   * by one, exactly as they were acknowledged in a reply's write errors.
   */
  write<T>(fn: () => T): T {
    if (this.depth > 0) return fn();
    let failed = false;
    let error: unknown;
    let result: T | undefined;
    this.depth += 1;
    try {
      this.env.transactionSync(() => {
        try {
          result = fn();
        } catch (err) {
          failed = true;
          error = err;
        }
      });
    } finally {
      this.depth -= 1;
    }
    if (failed) throw error;
    return result as T;
  }

  /** Runs `fn` in one write transaction that is rolled back entirely if `fn` throws. */
  writeAtomic(fn: () => void): void {
    this.depth += 1;
    try {
      this.env.transactionSync(fn);
    } finally {
      this.depth -= 1;
    }
  }

  /** The value under `key`, in its own buffer (decoded documents may keep views into it). */
  get(key: Buffer): Buffer | undefined {
    return this.env.getBinary(key);
  }

  /**
   * The value under `key`, in a buffer reused by the next read: only for a caller that copies
   * what it keeps before reading again (not copying a 3 KB document per read is much of a
   * scan's time).
   */
  getFast(key: Buffer): Buffer | undefined {
    return this.env.getBinaryFast(key);
  }

  put(key: Buffer, value: Buffer): void {
    if (this.depth === 0) return this.write(() => this.put(key, value));
    this.env.putSync(key, value);
  }

  remove(key: Buffer): void {
    if (this.depth === 0) return this.write(() => this.remove(key));
    this.env.removeSync(key);
  }

  /** Entries with start ≤ key < end (reverse: from start down to end, end excluded). */
  range(options: RangeOptions): Iterable<{ key: Buffer; value: Buffer }> {
    return this.env.getRange(options as never) as unknown as Iterable<{ key: Buffer; value: Buffer }>;
  }

  keys(options: RangeOptions): Iterable<Buffer> {
    return this.env.getKeys(options as never) as unknown as Iterable<Buffer>;
  }

  /** Removes every entry with start ≤ key < end. */
  removeRange(start: Buffer, end: Buffer): void {
    this.write(() => {
      for (const key of [...this.keys({ start, end })]) this.env.removeSync(key);
    });
  }

  close(): Promise<void> {
    return this.env.close();
  }
}
