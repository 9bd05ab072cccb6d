/**
 * Durable storage under dbPath: `snapshot.bson` (a compacted image, written to a temp file,
 * fsynced, then renamed, so it is always whole) and `journal-<generation>.log` (records since
 * that snapshot). The snapshot names its generation, so a crash between writing a snapshot and
 * starting the new journal can never replay stale records on top of it.
 */
import {
  closeSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeSync,
  existsSync,
} from 'node:fs';
import { join } from 'node:path';
import { Document, calculateObjectSize } from 'bson';
import { tryLock, unlock } from 'fs-native-extensions';
import { Catalog } from './catalog';
import { DamagedRange, DataDamageError, Journal, decodeRecords, encodeRecord } from './journal';

export interface StorageOptions {
  /** fsync after every journal record (survives power loss, not only process crashes). */
  fsync?: boolean;
  /** Journal size in bytes that triggers compaction (default 64 MiB). */
  compactBytes?: number;
  /** Told when a torn tail left by a crash is cut from the journal. */
  logger?: { warn(obj: object, msg?: string): void };
}

const SNAPSHOT = 'snapshot.bson';
const LOCK = 'engine.lock';
const DOCS_PER_RECORD = 1000;
/** A snapshot record is flushed once its documents pass this many BSON bytes. */
const BYTES_PER_RECORD = 4 * 1024 * 1024;

/** Owner of one data directory (see engine.lock); journal appends are synchronous. */
export class Storage {
  private generation: number;
  private journal: Journal;

  private constructor(
    private readonly dir: string,
    private readonly options: StorageOptions,
    generation: number,
    journal: Journal,
    private readonly lock: DirLock,
  ) {
    this.generation = generation;
    this.journal = journal;
  }

  /**
   * Loads the snapshot and replays the journal into a fresh catalog. Damaged data files throw
   * DataDamageError (naming the file and offset) and are left untouched for `repair`.
   */
  static open(dir: string, options: StorageOptions): { storage: Storage; catalog: Catalog } {
    mkdirSync(dir, { recursive: true });
    const lock = DirLock.take(dir);
    try {
      const catalog = new Catalog();
      const generation = loadSnapshot(join(dir, SNAPSHOT), catalog);
      const path = journalPath(dir, generation);
      const { journal, records, tornBytes } = Journal.open(path, options.fsync ?? false);
      if (tornBytes > 0)
        options.logger?.warn(
          { file: path, offset: journal.size, bytes: tornBytes },
          'cut an incomplete last journal record left by a crash mid-write',
        );
      for (const record of records) catalog.replay(record);
      removeStaleJournals(dir, generation);
      return { storage: new Storage(dir, options, generation, journal, lock), catalog };
    } catch (err) {
      lock.release();
      throw err;
    }
  }

  /** Persists one record before the command that produced it is acknowledged. */
  append(record: Document): void {
    this.journal.append(record);
  }

  /** Compacts when the journal passed its threshold. Synchronous: no write can interleave. */
  maybeCompact(catalog: Catalog): void {
    if (this.journal.size > (this.options.compactBytes ?? 64 * 1024 * 1024)) this.compact(catalog);
  }

  /** Writes a new snapshot of `catalog` and starts an empty journal for the next generation. */
  compact(catalog: Catalog): void {
    const next = this.generation + 1;
    writeSnapshot(this.dir, catalog, next);
    this.journal.close();
    const { journal } = Journal.open(journalPath(this.dir, next), this.options.fsync ?? false);
    this.journal = journal;
    rmSync(journalPath(this.dir, this.generation), { force: true });
    this.generation = next;
  }

  /** Compacts and closes the files: the next start loads one snapshot and an empty journal. */
  close(catalog: Catalog): void {
    this.compact(catalog);
    this.journal.close();
    this.lock.release();
  }

  /**
   * Closes the files and the lock without compacting, leaving the directory as a killed
   * process would (the kernel releases the lock of a dead process); recovery tests use it.
   */
  abandon(): void {
    this.journal.close();
    this.lock.release();
  }
}

/**
 * Two engines appending to one journal would interleave records, so a data directory is owned
 * by one open engine at a time: an exclusive lock on `engine.lock` held for as long as the
 * engine is open. The kernel drops the lock when its holder exits in any way (SIGKILL too),
 * so a dead owner never blocks a restart, whatever process id it had or the new one gets
 * (a container restart makes the new process PID 1 again). The file holds the owner's pid for
 * people reading it; nothing trusts that number. The file is never removed: a removal racing
 * a new owner would let two processes each lock a different file of the same name.
 */
export class DirLock {
  private constructor(private fd: number) {}

  static take(dir: string): DirLock {
    const path = join(dir, LOCK);
    const fd = openSync(path, 'a+');
    if (!tryLock(fd)) {
      let holder = '';
      try {
        holder = readFileSync(path, 'utf8').trim();
      } catch {
        // the holder's note is for people only; the lock itself already answered
      }
      closeSync(fd);
      throw new Error(
        `data directory ${dir} is in use by another running engine${/^\d+$/.test(holder) ? ` (process ${holder})` : ''}`,
      );
    }
    ftruncateSync(fd, 0);
    writeSync(fd, String(process.pid));
    return new DirLock(fd);
  }

  release(): void {
    if (this.fd < 0) return;
    unlock(this.fd);
    closeSync(this.fd);
    this.fd = -1;
  }
}

function journalPath(dir: string, generation: number): string {
  return join(dir, `journal-${generation}.log`);
}

function removeStaleJournals(dir: string, generation: number): void {
  for (const name of readdirSync(dir)) {
    const m = /^journal-(\d+)\.log$/.exec(name);
    if (m && Number(m[1]) !== generation) rmSync(join(dir, name), { force: true });
  }
  rmSync(join(dir, `${SNAPSHOT}.tmp`), { force: true });
}

function loadSnapshot(path: string, catalog: Catalog): number {
  if (!existsSync(path)) return 0;
  const data = readFileSync(path);
  const scan = decodeRecords(data);
  // A snapshot is renamed into place only once complete, so any unreadable byte (a cut end
  // too) or a missing end marker means the disk lost data: refuse rather than serve a part.
  const bad = [
    ...scan.damaged,
    ...(scan.tornAt === undefined ? [] : [{ offset: scan.tornAt, length: data.length - scan.tornAt }]),
  ];
  if (bad.length > 0) throw new DataDamageError(path, bad);
  const records = scan.records;
  if (records.length === 0 || records[records.length - 1].end !== true) {
    throw new DataDamageError(
      path,
      [{ offset: data.length, length: 0 }],
      ' (its end marker is missing: the file was cut short)',
    );
  }
  return applySnapshotRecords(records, catalog);
}

/** Applies a snapshot's records to `catalog`; returns the generation the snapshot names. */
function applySnapshotRecords(records: Document[], catalog: Catalog): number {
  let generation = 0;
  for (const r of records) {
    if (r.generation !== undefined) generation = r.generation as number;
    else if (r.collection) {
      const { db, c, indexes } = r.collection as { db: string; c: string; indexes: Document[] };
      catalog.apply({ o: 'create', db, c }, 0, false);
      const coll = catalog.get(db, c)!;
      for (const spec of indexes) if (spec.name !== '_id_') coll.addIndex(spec as never);
    } else if (r.d) {
      for (const d of r.d as Document[]) catalog.apply({ o: 'put', db: r.db, c: r.c, d }, 0, false);
    } else if (r.retries) {
      for (const e of r.retries as Document[]) catalog.noteRetry(e.sid, e.txnNumber, e.reply);
    }
  }
  return generation;
}

function writeSnapshot(dir: string, catalog: Catalog, generation: number): void {
  const tmp = join(dir, `${SNAPSHOT}.tmp`);
  const fd = openSync(tmp, 'w');
  const put = (doc: Document): void => {
    const buf = encodeRecord(doc);
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off);
  };
  put({ generation });
  for (const coll of catalog.all()) {
    put({ collection: { db: coll.db, c: coll.name, indexes: coll.indexSpecs() } });
    let batch: Document[] = [];
    let bytes = 0;
    for (const { doc } of coll.docs.values()) {
      batch.push(doc);
      bytes += calculateObjectSize(doc);
      if (batch.length === DOCS_PER_RECORD || bytes >= BYTES_PER_RECORD) {
        put({ db: coll.db, c: coll.name, d: batch });
        batch = [];
        bytes = 0;
      }
    }
    if (batch.length > 0) put({ db: coll.db, c: coll.name, d: batch });
  }
  put({ retries: [...catalog.retries].map(([sid, e]) => ({ sid, ...e })) });
  put({ end: true });
  fsyncSync(fd);
  closeSync(fd);
  renameSync(tmp, join(dir, SNAPSHOT));
  const dirFd = openSync(dir, 'r');
  fsyncSync(dirFd);
  closeSync(dirFd);
}

/** One data file as `repair` found it. */
export interface RepairedFile {
  file: string;
  /** Intact records read from it and kept. */
  records: number;
  /** Unreadable ranges, each copied to a file under `setAsideDir`. */
  damaged: DamagedRange[];
  /** Bytes of an incomplete last record (a write cut by a crash), also set aside. */
  tornBytes: number;
}

/** What `repair` kept and set aside. */
export interface RepairReport {
  files: RepairedFile[];
  /** Intact records that could not be applied on what remained (e.g. a unique index no longer holding). */
  unapplied: number;
  /** Documents in the repaired data directory, all collections. */
  documents: number;
  /** Folder holding the damaged bytes and `report.json`, or undefined when nothing was damaged. */
  setAsideDir?: string;
}

/**
 * Rebuilds a data directory from every record that can still be read: the snapshot's and the
 * journal's intact records are applied in order, each unreadable range is copied byte for byte
 * into `damaged-<time>/` beside the data, and a fresh snapshot replaces the old files. Takes
 * the directory's lock, so it never runs beside a live engine.
 */
export function repairDataDir(dir: string): RepairReport {
  const lock = DirLock.take(dir);
  try {
    const catalog = new Catalog();
    const files: RepairedFile[] = [];
    const pieces: Array<{ name: string; bytes: Buffer }> = [];
    let unapplied = 0;
    const read = (name: string, apply: (records: Document[]) => void): void => {
      const data = readFileSync(join(dir, name));
      const scan = decodeRecords(data);
      const torn = scan.tornAt === undefined ? 0 : data.length - scan.tornAt;
      for (const r of [...scan.damaged, ...(torn > 0 ? [{ offset: scan.tornAt!, length: torn }] : [])]) {
        pieces.push({
          name: `${name}.${r.offset}-${r.offset + r.length}.bin`,
          bytes: data.subarray(r.offset, r.offset + r.length),
        });
      }
      files.push({ file: name, records: scan.records.length, damaged: scan.damaged, tornBytes: torn });
      apply(scan.records);
    };
    let generation: number | undefined;
    if (existsSync(join(dir, SNAPSHOT))) {
      read(SNAPSHOT, (records) => {
        for (const r of records) {
          try {
            const g = applySnapshotRecords([r], catalog);
            if (r.generation !== undefined) generation = g;
          } catch {
            unapplied += 1;
          }
        }
      });
    }
    const journals = readdirSync(dir)
      .map((n) => /^journal-(\d+)\.log$/.exec(n))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]));
    // Without a readable generation record, the newest journal is the one that follows the snapshot.
    generation ??= journals.length > 0 ? Math.max(...journals) : 0;
    if (journals.includes(generation)) {
      read(`journal-${generation}.log`, (records) => {
        for (const r of records) {
          try {
            catalog.replay(r);
          } catch {
            unapplied += 1;
          }
        }
      });
    }
    let setAsideDir: string | undefined;
    if (pieces.length > 0) {
      setAsideDir = join(dir, `damaged-${new Date().toISOString().replace(/[:.]/g, '-')}`);
      mkdirSync(setAsideDir, { recursive: true });
      for (const p of pieces) writeWhole(join(setAsideDir, p.name), p.bytes);
      writeWhole(join(setAsideDir, 'report.json'), Buffer.from(JSON.stringify({ files, unapplied }, null, 2)));
    }
    writeSnapshot(dir, catalog, generation + 1);
    for (const g of journals) rmSync(journalPath(dir, g), { force: true });
    const documents = catalog.all().reduce((n, c) => n + c.docs.size, 0);
    return { files, unapplied, documents, setAsideDir };
  } finally {
    lock.release();
  }
}

function writeWhole(path: string, bytes: Buffer): void {
  const fd = openSync(path, 'w');
  try {
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
