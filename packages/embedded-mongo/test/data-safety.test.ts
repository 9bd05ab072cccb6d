import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { usingRealMongo } from './support/test-database';
import { ENGINE_CLI, EngineProcess, killAllEngines, spawnEngine } from './conformance/engine-process';
import { flipBits } from './support/checked';

/**
 * The embedded engine never drops data silently and never lets a dead owner block its data
 * directory (engine only; skipped on a real server). Everything runs the built CLI as its own
 * process, as `npm run db` does.
 */
const describeEngine = usingRealMongo ? describe.skip : describe;

const dirs: string[] = [];
afterAll(async () => {
  await killAllEngines();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cjpf-engine-safety-'));
  dirs.push(dir);
  return dir;
}

async function kill(engine: EngineProcess): Promise<void> {
  if (engine.child.pid !== undefined) process.kill(engine.child.pid, 'SIGKILL');
  await engine.exited;
}

async function withClient<T>(uri: string, use: (client: MongoClient) => Promise<T>): Promise<T> {
  const client = await MongoClient.connect(uri, { serverSelectionTimeoutMS: 2000 });
  try {
    return await use(client);
  } finally {
    await client.close();
  }
}

/** Runs the CLI to completion (a repair) and returns its exit code and output. */
function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [ENGINE_CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const canUnshare = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true']).status === 0;

describeEngine('embedded engine data safety', () => {
  it('fails the read of a document whose stored bytes were damaged, naming collection and _id, serves the others, and `repair` sets exactly that record aside', async () => {
    const dbPath = await tempDir();
    let engine = await spawnEngine(dbPath);
    await withClient(engine.uri, async (client) => {
      const c = client.db('safety').collection('orders');
      await c.createIndex({ folio: 1 });
      for (let i = 0; i < 300; i += 1)
        await c.insertOne({ _id: i as never, folio: i === 150 ? 'DAMAGE-ME-150' : `OS-${i}`, pad: 'p'.repeat(100) });
    });
    await kill(engine);

    // Flip one byte inside the document's stored bytes, wherever the file holds a copy of them.
    const file = join(dbPath, 'data.mdb');
    const bytes = await readFile(file);
    const marker = Buffer.from('DAMAGE-ME-150');
    let flipped = 0;
    for (let at = bytes.indexOf(marker); at >= 0; at = bytes.indexOf(marker, at + 1)) {
      flipBits(bytes, at + 3, 0x20);
      flipped += 1;
    }
    expect(flipped).toBeGreaterThan(0);
    await writeFile(file, bytes);

    engine = await spawnEngine(dbPath);
    await withClient(engine.uri, async (client) => {
      const c = client.db('safety').collection('orders');
      await expect(c.findOne({ _id: 150 as never })).rejects.toThrow(/damaged: document _id 150 in safety\.orders/);
      await expect(c.find().toArray()).rejects.toThrow(/repair/);
      expect((await c.findOne({ _id: 149 as never }))?.folio).toBe('OS-149');
      expect((await c.findOne({ folio: 'OS-151' }))?._id).toBe(151);
    });
    engine.child.kill('SIGTERM');
    expect((await engine.exited).code).toBe(0);

    const repair = await runCli(['repair', '--dbpath', dbPath]);
    expect(repair.stderr).toBe('');
    expect(repair.code).toBe(0);
    expect(repair.stdout).toMatch(/damaged record set aside: safety\.orders .*checksum mismatch/);
    expect(repair.stdout).toContain('repaired: 299 documents');
    const setAside = (await readdir(dbPath)).filter((n) => n.startsWith('damaged-'));
    expect(setAside).toHaveLength(1);
    const pieces = (await readdir(join(dbPath, setAside[0]!))).filter((n) => n.endsWith('.bin'));
    expect(pieces).toHaveLength(1);
    const report = JSON.parse(await readFile(join(dbPath, setAside[0]!, 'report.json'), 'utf8'));
    expect(report.damaged).toHaveLength(1);
    expect(report.damaged[0].collection).toBe('safety.orders');
    // The set-aside copy holds the damaged bytes as they were stored.
    const piece = await readFile(join(dbPath, setAside[0]!, pieces[0]!));
    expect(piece.includes(Buffer.from('DAMaGE-ME-150'))).toBe(true);

    engine = await spawnEngine(dbPath);
    const ids = await withClient(engine.uri, async (client) => {
      const c = client.db('safety').collection('orders');
      // The rebuilt index no longer lists the removed document.
      expect(await c.countDocuments({ folio: { $gte: 'A' } })).toBe(299);
      return (await c.find().sort({ _id: 1 }).toArray()).map((d) => d._id as unknown as number);
    });
    expect(ids).toHaveLength(299);
    expect(ids).not.toContain(150);
    engine.child.kill('SIGTERM');
    expect((await engine.exited).code).toBe(0);
  }, 300_000);

  it('never lets two live engines share a data directory, and lets a restart in after the owner is killed whatever pid the lock file names', async () => {
    const dbPath = await tempDir();
    const owner = await spawnEngine(dbPath);
    const second = await spawnEngine(dbPath).then(
      () => 'started',
      (e: Error) => e.message,
    );
    expect(second).toMatch(/data directory .* is in use by another running engine/);
    await kill(owner);

    // A stale lock naming a live, unrelated process: PID 1, and this test runner's parent.
    for (const pid of [1, process.ppid]) {
      await writeFile(join(dbPath, 'engine.lock'), String(pid));
      const restarted = await spawnEngine(dbPath);
      await kill(restarted);
    }
  }, 300_000);

  (canUnshare ? it : it.skip)(
    'restarts after SIGKILL in a fresh PID namespace, where the new engine is PID 1 again',
    async () => {
      const dbPath = await tempDir();
      const inNamespace = ['unshare', '--pid', '--fork', '--kill-child', '--mount-proc'];
      for (let round = 0; round < 2; round += 1) {
        const engine = await spawnEngine(dbPath, undefined, inNamespace);
        await withClient(engine.uri, (client) => client.db('ns').collection('c').insertOne({ round }));
        expect((await readFile(join(dbPath, 'engine.lock'), 'utf8')).trim()).toBe('1');
        // Kill the engine itself (PID 1 inside), as a container runtime does; unshare then exits.
        const wrapper = engine.child.pid!;
        const inner = Number(
          (await readFile(`/proc/${wrapper}/task/${wrapper}/children`, 'utf8')).trim().split(/\s+/)[0],
        );
        process.kill(inner, 'SIGKILL');
        await engine.exited;
      }
      const engine = await spawnEngine(dbPath);
      expect(await withClient(engine.uri, (client) => client.db('ns').collection('c').countDocuments())).toBe(2);
      engine.child.kill('SIGTERM');
      expect((await engine.exited).code).toBe(0);
    },
    300_000,
  );
});
