import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { MongoClient } from 'mongodb';
import { startEngine } from '@cjpf/embedded-mongo';
import { makeOrder } from './http/harness';

const ROOT = resolve(__dirname, '../..');
const ENTRY = join(ROOT, 'dist/services/index.js');
const TOKEN = 'startup-test-token-0123456789';
type LogLine = Record<string, unknown> & { msg?: string };

/** Starts the built service; resolves with its log lines so far once it logs "listening". */
function startService(env: NodeJS.ProcessEnv): { child: ChildProcess; lines: LogLine[]; ready: Promise<LogLine> } {
  const child = spawn(process.execPath, [ENTRY], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: LogLine[] = [];
  const ready = new Promise<LogLine>((resolveReady, reject) => {
    createInterface({ input: child.stdout! }).on('line', (text) => {
      try {
        const line = JSON.parse(text) as LogLine;
        lines.push(line);
        if (line.msg === 'listening') resolveReady(line);
      } catch {
        /* a non-JSON line: ignored here, the assertions below check the JSON ones */
      }
    });
    child.once('exit', (code) =>
      reject(new Error(`service exited early with ${code}: ${JSON.stringify(lines.slice(-3))}`)),
    );
  });
  return { child, lines, ready };
}

describe('the service entry point (dist/services/index.js)', () => {
  let dataDir: string;
  let child: ChildProcess | undefined;
  beforeAll(async () => {
    if (!existsSync(ENTRY))
      execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
        cwd: ROOT,
      });
    dataDir = await mkdtemp(join(tmpdir(), 'cjpf-start-'));
  }, 180_000);
  afterAll(async () => {
    if (child?.pid && child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  });

  it('starts on embedded defaults, answers, and on SIGTERM exits 0 with its data kept', async () => {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      API_TOKEN: TOKEN,
      LOG_LEVEL: 'info',
    };
    const service = startService(env);
    child = service.child;
    const listening = await service.ready;
    const base = `http://127.0.0.1:${listening.port as number}`;
    expect(listening.port).toBeGreaterThan(0);
    expect(service.lines.find((l) => l.msg === 'directory loaded')).toBeDefined();

    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', db: 'ok', mail: 'disabled' });

    // Write an order straight into the running engine, then read it through the API.
    const engineUri = service.lines.find((l) => l.msg === 'embedded engine started')?.uri as string;
    const client = await MongoClient.connect(engineUri);
    await client.db('mesa_servicio').collection('orders').insertOne(makeOrder(42));
    await client.close();
    const read = await fetch(`${base}/api/orders/OS-2026-000042`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(read.status).toBe(200);

    const exited = new Promise<number | null>((r) => child!.once('exit', (code) => r(code)));
    process.kill(child.pid!, 'SIGTERM');
    expect(await exited).toBe(0);
    expect(service.lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['shutting down', 'stopped']));
    expect(JSON.stringify(service.lines)).not.toContain(TOKEN);

    // The data survived the shutdown: reopen the same DATA_DIR with a fresh engine.
    expect((await readdir(dataDir)).length).toBeGreaterThan(0);
    const engine = await startEngine({ port: 0, dbPath: dataDir });
    const again = await MongoClient.connect(engine.uri);
    try {
      const db = again.db('mesa_servicio');
      expect(await db.collection('orders').findOne({ folio: 'OS-2026-000042' })).not.toBeNull();
      expect(await db.collection('people').countDocuments()).toBeGreaterThan(0);
    } finally {
      await again.close();
      await engine.close();
    }
  }, 120_000);

  it('keeps the stored directory on a later start without DIRECTORY_FILE', async () => {
    // Runs after the first test stored the example directory in dataDir.
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
    };
    const service = startService(env);
    child = service.child;
    await service.ready;
    const messages = service.lines.map((l) => l.msg);
    expect(messages).toContain('using the stored directory');
    expect(messages).not.toContain('directory loaded');
    const exited = new Promise<number | null>((r) => child!.once('exit', (code) => r(code)));
    process.kill(child.pid!, 'SIGTERM');
    expect(await exited).toBe(0);
  }, 120_000);

  it('stops cleanly when SIGTERM arrives while it is still starting', async () => {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
    };
    const service = startService(env);
    child = service.child;
    service.ready.catch(() => undefined);
    const exited = new Promise<number | null>((r) => child!.once('exit', (code) => r(code)));
    // The database is open but the HTTP listener is not: the middle of start-up.
    await new Promise<void>((r) => {
      const check = setInterval(() => {
        if (service.lines.some((l) => l.msg === 'database connected')) {
          clearInterval(check);
          r();
        }
      }, 5);
    });
    process.kill(child.pid!, 'SIGTERM');
    expect(await exited).toBe(0);
    expect(service.lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['shutting down', 'stopped']));
  }, 120_000);

  it('refuses to start and lists every configuration problem at once', () => {
    let output = '';
    try {
      execFileSync(process.execPath, [ENTRY], {
        cwd: ROOT,
        env: { PATH: process.env.PATH, PORT: 'x', TZ_DEFAULT: 'Mars/Base' },
        stdio: 'pipe',
      });
    } catch (error) {
      const e = error as { status: number; stdout: Buffer };
      expect(e.status).toBe(1);
      output = e.stdout.toString();
    }
    expect(output).toContain('PORT');
    expect(output).toContain('TZ_DEFAULT');
  });
});
