import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Document } from 'bson';
import { Storage, repairDataDir } from '../../src/storage';
import { encodeRecord } from '../../src/legacy-journal';
import { Catalog } from '../../src/catalog';
import { flipBits } from '../support/checked';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'storage-unit-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function put(catalog: Catalog, d: Document): void {
  catalog.store.write(() => catalog.apply({ o: 'put', db: 'd', c: 'c', d }, catalog.seq + 1, false));
}

function ids(catalog: Catalog): unknown[] {
  return [...catalog.get('d', 'c')!.entries()].map(([, e]) => e.doc._id);
}

/** Flips one byte of every copy of `marker` in the store file (LMDB may keep an older page too). */
function damage(marker: string): void {
  const file = join(dir, 'data.mdb');
  const bytes = readFileSync(file);
  let n = 0;
  for (let at = bytes.indexOf(marker); at >= 0; at = bytes.indexOf(marker, at + 1), n++) flipBits(bytes, at, 0x01);
  expect(n).toBeGreaterThan(0);
  writeFileSync(file, bytes);
}

/** A data directory as the older journal/snapshot format left it. */
function writeLegacy(): void {
  const snapshot = [
    encodeRecord({ generation: 3 }),
    encodeRecord({
      collection: {
        db: 'd',
        c: 'c',
        indexes: [
          { name: '_id_', key: { _id: 1 } },
          { name: 'v_1', key: { v: 1 } },
        ],
      },
    }),
    encodeRecord({
      db: 'd',
      c: 'c',
      d: [
        { _id: 1, v: 'a' },
        { _id: 2, v: 'b' },
      ],
    }),
    encodeRecord({ retries: [{ sid: 's1', txnNumber: 4, reply: { n: 1, ok: 1 } }] }),
    encodeRecord({ end: true }),
  ];
  writeFileSync(join(dir, 'snapshot.bson'), Buffer.concat(snapshot));
  const journal = [
    encodeRecord({ ops: [{ o: 'put', db: 'd', c: 'c', d: { _id: 3, v: 'c' } }] }),
    encodeRecord({ ops: [{ o: 'del', db: 'd', c: 'c', id: 1 }] }),
    // A write cut by a crash: header and part of the payload only.
    encodeRecord({ ops: [{ o: 'put', db: 'd', c: 'c', d: { _id: 9, v: 'torn' } }] }).subarray(0, 20),
  ];
  writeFileSync(join(dir, 'journal-3.log'), Buffer.concat(journal));
  // A stale journal of an older generation is ignored, as the old code did.
  writeFileSync(join(dir, 'journal-2.log'), encodeRecord({ ops: [{ o: 'put', db: 'd', c: 'c', d: { _id: 7 } }] }));
}

describe('Storage', () => {
  it('keeps documents and indexes across a reopen', async () => {
    let { storage, catalog } = Storage.open(dir, {});
    catalog.store.write(() =>
      catalog.apply({ o: 'createIndex', db: 'd', c: 'c', spec: { name: 'v_1', key: { v: 1 } } }, 1, false),
    );
    put(catalog, { _id: 1, v: 'a' });
    put(catalog, { _id: 1, v: 'b' });
    put(catalog, { _id: 2, v: 'b' });
    await storage.close();
    ({ storage, catalog } = Storage.open(dir, {}));
    const coll = catalog.get('d', 'c')!;
    expect(coll.size()).toBe(2);
    expect(
      coll.get(coll.indexes.get('v_1')!.lookup([coll.indexes.get('v_1')!.keysOf({ v: 'b' })[0]![0]!])[0]!)?.doc.v,
    ).toBe('b');
    expect(
      coll.indexes
        .get('v_1')!
        .keysOf({ v: 'a' })
        .flatMap((t) => coll.indexes.get('v_1')!.lookup(t)),
    ).toEqual([]);
    await storage.close();
  });

  it('opens without reading documents, and fails the read of a damaged one naming collection and _id', async () => {
    let { storage, catalog } = Storage.open(dir, {});
    for (let i = 0; i < 50; i++) put(catalog, { _id: `doc-${i}`, v: i === 7 ? 'SEVEN-MARKER' : 'x' });
    await storage.close();
    damage('SEVEN-MARKER');
    ({ storage, catalog } = Storage.open(dir, {}));
    const coll = catalog.get('d', 'c')!;
    const idOf = (i: number): string => [...coll.ids()].find((k) => k.includes(`doc-${i}`))!;
    expect(coll.get(idOf(6))?.doc.v).toBe('x');
    expect(() => coll.get(idOf(7))).toThrow(/document _id "doc-7" in d\.c .*checksum mismatch/);
    expect(() => ids(catalog)).toThrow(/repair/);
    await storage.close();

    const report = await repairDataDir(dir);
    expect(report.damaged).toHaveLength(1);
    expect(report.damaged[0]!.collection).toBe('d.c');
    expect(report.documents).toBe(49);
    expect(JSON.parse(readFileSync(join(report.setAsideDir!, 'report.json'), 'utf8')).damaged).toHaveLength(1);
    ({ storage, catalog } = Storage.open(dir, {}));
    expect(ids(catalog)).toHaveLength(49);
    expect(ids(catalog)).not.toContain('doc-7');
    await storage.close();
  });

  it('converts a data directory of the older format on first open, moving the old files aside unchanged', async () => {
    writeLegacy();
    const before = readFileSync(join(dir, 'snapshot.bson'));
    const logged: string[] = [];
    const logger = { warn: () => undefined, info: (_o: object, msg?: string) => void logged.push(msg ?? '') };
    let { storage, catalog } = Storage.open(dir, { logger });
    expect(logged).toEqual([expect.stringMatching(/converted a data directory of the older/)]);
    expect(ids(catalog)).toEqual([2, 3]);
    expect(catalog.retry('s1')?.txnNumber).toBe(4);
    expect(
      catalog
        .get('d', 'c')!
        .indexSpecs()
        .map((s) => s.name),
    ).toEqual(['_id_', 'v_1']);
    expect(existsSync(join(dir, 'snapshot.bson'))).toBe(false);
    const aside = readdirSync(dir).filter((n) => n.startsWith('legacy-'));
    expect(aside).toHaveLength(1);
    expect(readdirSync(join(dir, aside[0]!)).sort()).toEqual(['journal-2.log', 'journal-3.log', 'snapshot.bson']);
    expect(readFileSync(join(dir, aside[0]!, 'snapshot.bson')).equals(before)).toBe(true);
    await storage.close();
    // The second open finds nothing more to convert.
    ({ storage, catalog } = Storage.open(dir, { logger }));
    expect(logged).toHaveLength(1);
    expect(ids(catalog)).toEqual([2, 3]);
    await storage.close();
  });

  it('refuses an old-format snapshot with a byte flipped, changing nothing, and repair converts what is readable', async () => {
    writeLegacy();
    const bytes = readFileSync(join(dir, 'snapshot.bson'));
    flipBits(bytes, Math.floor(bytes.length / 2), 0x40);
    writeFileSync(join(dir, 'snapshot.bson'), bytes);
    expect(() => Storage.open(dir, {})).toThrow(/snapshot\.bson.*damaged at byte offset \d+/s);
    expect(readFileSync(join(dir, 'snapshot.bson')).equals(bytes)).toBe(true);
    const report = await repairDataDir(dir);
    expect(report.files.find((f) => f.file === 'snapshot.bson')!.damaged).toHaveLength(1);
    expect(report.setAsideDir).toBeDefined();
    const { storage, catalog } = Storage.open(dir, {});
    expect(ids(catalog)).toContain(3);
    await storage.close();
  });

  it('starts on a directory whose lock file names a live process that is not an engine (a restart in a fresh PID namespace)', async () => {
    for (const pid of [1, process.ppid, process.pid]) {
      writeFileSync(join(dir, 'engine.lock'), String(pid));
      const { storage } = Storage.open(dir, {});
      await storage.close();
    }
  });

  it('refuses a data directory another live engine holds, and takes it over once closed', async () => {
    const { storage } = Storage.open(dir, {});
    expect(() => Storage.open(dir, {})).toThrow(/in use/);
    await storage.close();
    const again = Storage.open(dir, {});
    await again.storage.close();
  });
});
