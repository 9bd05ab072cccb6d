import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Storage, repairDataDir } from '../../src/storage';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'storage-unit-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** What a killed process leaves behind: its files as they are, and no lock held. */
function simulateCrash(storage: Storage): void {
  storage.abandon();
}

function put(storage: Storage, catalog: ReturnType<typeof Storage.open>['catalog'], _id: number, v: string): void {
  const op = { o: 'put' as const, db: 'd', c: 'c', d: { _id, v } };
  catalog.apply(op, catalog.seq + 1, false);
  storage.append({ ops: [op] });
}

describe('Storage', () => {
  it('replays journaled writes after a restart without a clean close', () => {
    const { storage, catalog } = Storage.open(dir, {});
    put(storage, catalog, 1, 'a');
    put(storage, catalog, 1, 'b');
    simulateCrash(storage);
    const again = Storage.open(dir, {}).catalog;
    expect(again.get('d', 'c')?.docs.size).toBe(1);
    expect([...again.get('d', 'c')!.docs.values()][0].doc.v).toBe('b');
  });

  it('compacts into a snapshot and a fresh journal generation when the threshold is passed', () => {
    const { storage, catalog } = Storage.open(dir, { compactBytes: 200 });
    for (let i = 0; i < 20; i++) {
      put(storage, catalog, i, 'x'.repeat(20));
      storage.maybeCompact(catalog);
    }
    const files = readdirSync(dir);
    expect(files).toContain('snapshot.bson');
    expect(files.filter((f) => f.startsWith('journal-'))).toHaveLength(1);
    expect(files).not.toContain('journal-0.log');
    simulateCrash(storage);
    expect(Storage.open(dir, {}).catalog.get('d', 'c')?.docs.size).toBe(20);
  });

  it('restores indexes from the snapshot after a clean close', () => {
    const { storage, catalog } = Storage.open(dir, {});
    catalog.apply({ o: 'createIndex', db: 'd', c: 'c', spec: { name: 'v_1', key: { v: 1 }, unique: true } }, 1, false);
    put(storage, catalog, 1, 'a');
    storage.close(catalog);
    const coll = Storage.open(dir, {}).catalog.get('d', 'c');
    expect(coll?.indexes.get('v_1')?.spec.unique).toBe(true);
    expect([...coll!.indexes.get('v_1')!.lookup(['sa'])]).toEqual(['n1']);
  });

  it('refuses to start from a snapshot that lost its end', () => {
    const { storage, catalog } = Storage.open(dir, {});
    put(storage, catalog, 1, 'a');
    storage.close(catalog);
    const path = join(dir, 'snapshot.bson');
    truncateSync(path, statSync(path).size - 5);
    expect(() => Storage.open(dir, {})).toThrow(/damaged/);
  });

  it('refuses a snapshot with a byte flipped mid-file, and repair keeps the other records and sets the damaged one aside', () => {
    const { storage, catalog } = Storage.open(dir, {});
    // Documents of ~5 KB: the snapshot holds them in many records (4 MiB or 1,000 documents each).
    for (let i = 0; i < 3000; i++) put(storage, catalog, i, 'v'.repeat(5000));
    storage.close(catalog);
    const path = join(dir, 'snapshot.bson');
    const bytes = readFileSync(path);
    bytes[Math.floor(bytes.length / 2)] ^= 0x01;
    writeFileSync(path, bytes);
    expect(() => Storage.open(dir, {})).toThrow(new RegExp(`data file ${path} is damaged at byte offset \\d+`));

    const report = repairDataDir(dir);
    const snap = report.files.find((f) => f.file === 'snapshot.bson')!;
    expect(snap.damaged).toHaveLength(1);
    expect(report.documents).toBeGreaterThan(0);
    expect(report.documents).toBeLessThan(3000);
    const aside = readdirSync(report.setAsideDir!);
    expect(aside).toContain('report.json');
    expect(aside.filter((n) => n.endsWith('.bin'))).toHaveLength(1);

    const reopened = Storage.open(dir, {});
    expect(reopened.catalog.get('d', 'c')?.docs.size).toBe(report.documents);
    reopened.storage.close(reopened.catalog);
  });

  it('starts on a directory whose lock file names a live process that is not an engine (a restart in a fresh PID namespace)', () => {
    for (const pid of [1, process.ppid, process.pid]) {
      writeFileSync(join(dir, 'engine.lock'), String(pid));
      const { storage, catalog } = Storage.open(dir, {});
      storage.close(catalog);
    }
  });

  it('refuses a data directory another live engine holds, and takes it over once closed', () => {
    const { storage, catalog } = Storage.open(dir, {});
    expect(() => Storage.open(dir, {})).toThrow(/in use/);
    storage.close(catalog);
    expect(() => Storage.open(dir, {})).not.toThrow();
  });
});
