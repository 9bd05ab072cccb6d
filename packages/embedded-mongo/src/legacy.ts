/**
 * Reads a data directory of the older storage format — `snapshot.bson` (a compacted image naming
 * its generation) and `journal-<generation>.log` (records since that snapshot), both CRC32-framed
 * record files (see legacy-journal.ts) — and applies its contents to a catalog, so a pilot's data
 * carries over to the store on first start. The old files are then moved, never deleted.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { Document } from 'bson';
import { Catalog, Op } from './catalog';
import { DamagedRange, DataDamageError, decodeRecords } from './legacy-journal';

const SNAPSHOT = 'snapshot.bson';

/** The files of the older format present in `dir`. */
export function legacyFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((n) => n === SNAPSHOT || n === `${SNAPSHOT}.tmp` || /^journal-\d+\.log$/.test(n));
}

/** One old data file as the conversion found it. */
export interface LegacyFile {
  file: string;
  /** Intact records read from it and applied. */
  records: number;
  /** Unreadable ranges (only when converting leniently, for repair). */
  damaged: DamagedRange[];
  /** Bytes of an incomplete last record (a write cut by a crash), left out. */
  tornBytes: number;
}

export interface LegacyResult {
  files: LegacyFile[];
  /** Unreadable byte ranges, to be set aside by repair. */
  pieces: Array<{ name: string; bytes: Buffer }>;
  /** Intact records that could not be applied on what remained. */
  unapplied: number;
}

/**
 * Applies the snapshot, then the journal that follows it, to `catalog` (the caller holds a store
 * write transaction). Strict (start-up): any damaged byte other than a torn last journal record
 * throws DataDamageError naming the file and offset, before anything is converted. Lenient
 * (repair): every intact record is applied and the damaged ranges are returned.
 */
export function applyLegacy(dir: string, catalog: Catalog, lenient: boolean): LegacyResult {
  const result: LegacyResult = { files: [], pieces: [], unapplied: 0 };
  const read = (name: string, isSnapshot: boolean): Document[] => {
    const data = readFileSync(join(dir, name));
    const scan = decodeRecords(data);
    const torn = scan.tornAt === undefined ? 0 : data.length - scan.tornAt;
    if (!lenient) {
      // A snapshot was renamed into place only once complete: a cut end there is damage too.
      const bad = [...scan.damaged, ...(isSnapshot && torn > 0 ? [{ offset: scan.tornAt!, length: torn }] : [])];
      if (bad.length > 0) throw new DataDamageError(join(dir, name), bad);
      const last = scan.records[scan.records.length - 1];
      if (isSnapshot && last?.end !== true)
        throw new DataDamageError(
          join(dir, name),
          [{ offset: data.length, length: 0 }],
          ' (its end marker is missing: the file was cut short)',
        );
    }
    for (const r of [...scan.damaged, ...(torn > 0 ? [{ offset: scan.tornAt!, length: torn }] : [])])
      result.pieces.push({
        name: `${name}.${r.offset}-${r.offset + r.length}.bin`,
        bytes: data.subarray(r.offset, r.offset + r.length),
      });
    result.files.push({ file: name, records: scan.records.length, damaged: scan.damaged, tornBytes: torn });
    return scan.records;
  };
  const attempt = (fn: () => void): void => {
    if (!lenient) return fn();
    try {
      fn();
    } catch {
      result.unapplied += 1;
    }
  };
  let generation: number | undefined;
  let seq = 0;
  if (existsSync(join(dir, SNAPSHOT))) {
    for (const r of read(SNAPSHOT, true)) {
      attempt(() => {
        if (r.generation !== undefined) generation = r.generation as number;
        else if (r.collection) {
          const { db, c, indexes } = r.collection as { db: string; c: string; indexes: Document[] };
          catalog.apply({ o: 'create', db, c }, 0, false);
          for (const spec of indexes)
            if (spec.name !== '_id_') catalog.apply({ o: 'createIndex', db, c, spec: spec as never }, 0, false);
        } else if (r.d) {
          for (const d of r.d as Document[]) catalog.apply({ o: 'put', db: r.db, c: r.c, d }, 0, false);
        } else if (r.retries) {
          for (const e of r.retries as Document[]) catalog.noteRetry(e.sid, e.txnNumber, e.reply);
        }
      });
    }
  }
  const journals = readdirSync(dir)
    .map((n) => /^journal-(\d+)\.log$/.exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]));
  // Without a readable generation record, the newest journal is the one that follows the snapshot.
  generation ??= journals.length > 0 ? Math.max(...journals) : 0;
  if (journals.includes(generation)) {
    for (const r of read(`journal-${generation}.log`, false)) {
      seq += 1;
      attempt(() => {
        for (const op of (r.ops ?? []) as Op[]) catalog.apply(op, seq, false);
        if (r.retry) catalog.noteRetry(r.retry.sid, r.retry.txnNumber, r.retry.reply);
      });
    }
  }
  return result;
}

/** Moves the old files into `<dir>/legacy-<time>/`; returns that folder. */
export function moveLegacyAside(dir: string, files: string[]): string {
  const aside = join(dir, `legacy-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(aside, { recursive: true });
  for (const f of files) renameSync(join(dir, f), join(aside, f));
  return aside;
}
