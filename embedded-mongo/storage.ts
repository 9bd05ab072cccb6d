/**
 * Durable storage under dbPath: `snapshot.bson` (a compacted image, written to a temp file,
 * fsynced, then renamed, so it is always whole) and `journal-<generation>.log` (records since
 * that snapshot). The snapshot names its generation, so a crash between writing a snapshot and
 * starting the new journal can never replay stale records on top of it.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, writeSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Document, calculateObjectSize } from 'bson';
import { Catalog } from './catalog';
import { Journal, decodeRecords, encodeRecord } from './journal';

export interface StorageOptions {
  /** fsync after every journal record (survives power loss, not only process crashes). */
  fsync?: boolean;
  /** Journal size in bytes that triggers compaction (default 64 MiB). */
  compactBytes?: number;
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

  private constructor(private readonly dir: string, private readonly options: StorageOptions, generation: number, journal: Journal) {
    this.generation = generation;
    this.journal = journal;
  }

  /** Loads the snapshot and replays the journal into a fresh catalog. */
  static open(dir: string, options: StorageOptions): { storage: Storage; catalog: Catalog } {
    mkdirSync(dir, { recursive: true });
    takeLock(dir);
    try {
      const catalog = new Catalog();
      const generation = loadSnapshot(join(dir, SNAPSHOT), catalog);
      const { journal, records } = Journal.open(journalPath(dir, generation), options.fsync ?? false);
      for (const record of records) catalog.replay(record);
      removeStaleJournals(dir, generation);
      return { storage: new Storage(dir, options, generation, journal), catalog };
    } catch (err) {
      rmSync(join(dir, LOCK), { force: true });
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
    rmSync(join(this.dir, LOCK), { force: true });
  }
}

/**
 * Two engines appending to one journal would interleave records, so a data directory is
 * owned by one live process (recorded in `engine.lock`); a lock left by a dead process is taken over.
 */
function takeLock(dir: string): void {
  const path = join(dir, LOCK);
  if (existsSync(path)) {
    const pid = Number(readFileSync(path, 'utf8'));
    if (Number.isInteger(pid) && pid > 0 && processAlive(pid)) {
      throw new Error(`data directory ${dir} is in use by process ${pid}`);
    }
  }
  writeFileSync(path, String(process.pid));
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
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
  const { records } = decodeRecords(readFileSync(path));
  // A snapshot is renamed into place only once complete, so a missing end marker means the
  // disk lost data: refuse to start rather than serve a partial data set.
  if (records.length === 0 || records[records.length - 1].end !== true) {
    throw new Error(`snapshot ${path} is damaged (no end marker); restore it or move it away`);
  }
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
