/**
 * Durable storage under dbPath: the store (`data.mdb`, see store.ts) and the directory lock
 * (`engine.lock`). Opening reads only the catalog record, never the documents; a directory of
 * the older journal/snapshot format is converted on its first open.
 */
import { closeSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tryLock, unlock } from 'fs-native-extensions';
import { Catalog } from './catalog';
import { LegacyFile, applyLegacy, legacyFiles, moveLegacyAside } from './legacy';
import { P_DOC, P_RETRY, Store, unframe } from './store';
import { decodeTyped } from './values';
import { prefixEnd } from './key-encoding';

export interface StorageOptions {
  /** Flush every commit to disk (survives power loss, not only process crashes). */
  fsync?: boolean;
  /** Told when a data directory of the older format is converted. */
  logger?: { warn(obj: object, msg?: string): void; info?(obj: object, msg?: string): void };
}

const DATA_FILE = 'data.mdb';
const LOCK = 'engine.lock';

/** Owner of one data directory (see engine.lock) and its open store. */
export class Storage {
  private constructor(
    readonly store: Store,
    private readonly lock: DirLock | undefined,
    private readonly tempDir: string | undefined,
  ) {}

  /**
   * Opens (or creates) the store under `dir`, converting old-format files first. Damaged old
   * files throw DataDamageError (naming the file and offset) and are left untouched for `repair`.
   */
  static open(dir: string, options: StorageOptions): { storage: Storage; catalog: Catalog } {
    mkdirSync(dir, { recursive: true });
    const lock = DirLock.take(dir);
    let store: Store | undefined;
    try {
      store = Store.open(join(dir, DATA_FILE), { fsync: options.fsync });
      let catalog = new Catalog(store);
      const old = legacyFiles(dir);
      if (old.length > 0) {
        const s = store;
        let files: LegacyFile[] = [];
        s.writeAtomic(() => {
          files = applyLegacy(dir, catalog, false).files;
        });
        // A failed conversion left the in-memory catalog ahead of the store: read it again.
        catalog = new Catalog(s);
        const aside = moveLegacyAside(dir, old);
        const log = options.logger?.info ?? options.logger?.warn;
        log?.call(
          options.logger,
          { dir, movedTo: aside, files, documents: catalog.all().reduce((n, c) => n + c.size(), 0) },
          'converted a data directory of the older journal/snapshot format to the store',
        );
      }
      return { storage: new Storage(store, lock, undefined), catalog };
    } catch (err) {
      void store?.close();
      lock.release();
      throw err;
    }
  }

  /** A store in a fresh temporary directory, removed on close (an engine without dbPath). */
  static temporary(): { storage: Storage; catalog: Catalog } {
    const dir = mkdtempSync(join(tmpdir(), 'embedded-mongo-'));
    const store = Store.open(join(dir, DATA_FILE), {});
    return { storage: new Storage(store, undefined, dir), catalog: new Catalog(store) };
  }

  /** Closes the store and releases the directory. */
  async close(): Promise<void> {
    await this.store.close();
    this.lock?.release();
    if (this.tempDir) rmSync(this.tempDir, { recursive: true, force: true });
  }

  /**
   * Releases the lock without closing the store cleanly, leaving the directory as a killed
   * process would (the kernel releases the lock of a dead process); recovery tests use it.
   */
  abandon(): void {
    this.lock?.release();
  }
}

/**
 * Two engines writing one data directory would corrupt it, so a directory is owned by one open
 * engine at a time: an exclusive lock on `engine.lock` held for as long as the engine is open.
 * The kernel drops the lock when its holder exits in any way (SIGKILL too), so a dead owner never
 * blocks a restart, whatever process id it had or the new one gets (a container restart makes
 * the new process PID 1 again). The file holds the owner's pid for people reading it; nothing
 * trusts that number. The file is never removed: a removal racing a new owner would let two
 * processes each lock a different file of the same name.
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

/** A damaged record repair set aside. */
export interface DamagedRecord {
  /** Namespace (`db.collection`), or what the record was when it held no document. */
  collection: string;
  /** The document's `_id` key, hex-encoded (see key-encoding.ts). */
  idKeyHex: string;
  reason: string;
  /** File under the set-aside folder holding the record's key and stored bytes. */
  file: string;
}

/** What `repair` kept and set aside. */
export interface RepairReport {
  /** Files of the older format converted on the way (with their damaged ranges), if any. */
  files: LegacyFile[];
  /** Damaged document and retry records, copied aside and removed from the store. */
  damaged: DamagedRecord[];
  /** Intact records that could not be applied on what remained (e.g. a unique index no longer holding). */
  unapplied: number;
  /** Documents in the repaired data directory, all collections. */
  documents: number;
  /** Folder holding the damaged records and `report.json`, or undefined when nothing was damaged. */
  setAsideDir?: string;
}

/**
 * Repairs a data directory (engine stopped; takes the lock): converts old-format files keeping
 * every intact record, checks every stored document and retry record against its checksum,
 * copies each damaged one byte for byte into `damaged-<time>/` with a `report.json` and removes
 * it, then rebuilds every index from the documents that remain.
 */
export async function repairDataDir(dir: string): Promise<RepairReport> {
  const lock = DirLock.take(dir);
  const store = Store.open(join(dir, DATA_FILE), { fsync: true });
  try {
    let catalog = new Catalog(store);
    const report: RepairReport = { files: [], damaged: [], unapplied: 0, documents: 0 };
    const pieces: Array<{ name: string; bytes: Buffer }> = [];
    const old = legacyFiles(dir);
    if (old.length > 0) {
      store.write(() => {
        const result = applyLegacy(dir, catalog, true);
        report.files = result.files;
        report.unapplied += result.unapplied;
        pieces.push(...result.pieces);
      });
      catalog = new Catalog(store);
      moveLegacyAside(dir, old);
    }
    const byId = new Map(catalog.all().map((c) => [c.id, c.ns]));
    const bad: Buffer[] = [];
    const check = (prefix: number, describe: (key: Buffer) => string, decode: boolean): void => {
      const start = Buffer.from([prefix]);
      for (const { key, value } of store.range({ start, end: prefixEnd(start) })) {
        const body = unframe(key, value);
        let reason = body ? '' : 'checksum mismatch';
        if (body && decode) {
          try {
            decodeTyped(body);
          } catch (err) {
            reason = `unreadable BSON: ${(err as Error).message}`;
          }
        }
        if (!reason) continue;
        const name = `record-${report.damaged.length + 1}.bin`;
        pieces.push({ name, bytes: Buffer.concat([lengthPrefix(key), key, value]) });
        report.damaged.push({
          collection: describe(key),
          idKeyHex: key.subarray(5).toString('hex'),
          reason,
          file: name,
        });
        bad.push(Buffer.from(key));
      }
    };
    check(P_DOC, (key) => byId.get(key.readUInt32BE(1)) ?? `collection #${key.readUInt32BE(1)}`, true);
    check(P_RETRY, () => 'retryable-write record', true);
    store.write(() => {
      for (const key of bad) store.remove(key);
      for (const coll of catalog.all()) {
        const specs = coll.indexMeta().map((m) => m.spec);
        for (const spec of specs) {
          coll.dropIndex(spec.name);
          try {
            coll.addIndex(spec);
          } catch {
            report.unapplied += 1;
          }
        }
      }
    });
    if (pieces.length > 0) {
      report.setAsideDir = join(dir, `damaged-${new Date().toISOString().replace(/[:.]/g, '-')}`);
      mkdirSync(report.setAsideDir, { recursive: true });
      for (const p of pieces) writeWhole(join(report.setAsideDir, p.name), p.bytes);
    }
    report.documents = catalog.all().reduce((n, c) => n + c.size(), 0);
    if (report.setAsideDir)
      writeWhole(join(report.setAsideDir, 'report.json'), Buffer.from(JSON.stringify(report, null, 2)));
    return report;
  } finally {
    await store.close();
    lock.release();
  }
}

/** A set-aside record file starts with its key's length, so key and value can be told apart. */
function lengthPrefix(key: Buffer): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32LE(key.length, 0);
  return b;
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
