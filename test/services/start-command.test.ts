import { ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = resolve(__dirname, '../..');
const TOKEN = 'env-file-token-0123456789abcdef';
const CEDULA = 'env-file-cedula-secret-0123456789abcdef';
type LogLine = Record<string, unknown> & { msg?: string };

/** `npm start` as a process manager runs it: its own process group, stdout collected. */
function npmStart(env: NodeJS.ProcessEnv): {
  child: ChildProcess;
  lines: LogLine[];
  stderr: () => string;
  ready: Promise<LogLine>;
  exited: Promise<number | null>;
} {
  const child = spawn('npm', ['start'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const lines: LogLine[] = [];
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const ready = new Promise<LogLine>((resolveReady, reject) => {
    createInterface({ input: child.stdout! }).on('line', (text) => {
      if (!text.startsWith('{')) return; // npm's own banner lines
      const line = JSON.parse(text) as LogLine;
      lines.push(line);
      if (line.msg === 'listening') resolveReady(line);
    });
    void exited.then((code) => reject(new Error(`npm start exited early with ${code}: ${stderr.slice(-500)}`)));
  });
  return { child, lines, stderr: () => stderr, ready, exited };
}

/** Resolves when `port` on 127.0.0.1 can be bound again, i.e. nobody listens on it any more. */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((r) => {
    const probe = createServer();
    probe.once('error', () => r(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => r(true)));
  });
}

describe('npm start (the documented start command)', () => {
  let dir: string;
  let running: ChildProcess | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cjpf-npm-start-'));
    await writeFile(
      join(dir, 'service.env'),
      `API_TOKEN=${TOKEN}\nCEDULA_SECRET=${CEDULA}\nTZ_DEFAULT=America/Cancun\nPORT=1\n`,
    );
  });
  afterEach(() => {
    // A failed assertion must not leave a service running: kill its whole group.
    if (running?.pid && running.exitCode === null && running.signalCode === null) {
      try {
        process.kill(-running.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const env = (dataDir: string): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
    ENV_FILE: join(dir, 'service.env'),
  });

  it('reads the env file, logs the configuration with secrets redacted, and stops on SIGTERM to the npm process', async () => {
    const service = npmStart(env(join(dir, 'data-term')));
    running = service.child;
    const listening = await service.ready;
    const port = listening.port as number;
    expect(port).toBeGreaterThan(0); // PORT=0 from the environment wins over PORT=1 in the file

    const configuration = service.lines.find((l) => l.msg === 'configuration');
    expect(configuration).toMatchObject({
      envFile: join(dir, 'service.env'),
      config: { apiToken: '[redacted]', cedulaSecret: '[redacted]', defaultTimeZone: 'America/Cancun', port: 0 },
    });
    const health = await fetch(`http://127.0.0.1:${port}/api/orders`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(health.status).toBe(200); // the token came from the file

    process.kill(service.child.pid!, 'SIGTERM');
    expect(await service.exited).toBe(0);
    expect(service.lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['shutting down', 'stopped']));
    expect(await portIsFree(port)).toBe(true);
    const everything = JSON.stringify(service.lines) + service.stderr();
    expect(everything).not.toContain(TOKEN);
    expect(everything).not.toContain(CEDULA);
    expect(service.stderr()).not.toContain('DEP0111');
  }, 180_000);

  it('stops in order on Ctrl-C, when the terminal signals the whole process group', async () => {
    const service = npmStart(env(join(dir, 'data-int')));
    running = service.child;
    const port = (await service.ready).port as number;
    process.kill(-service.child.pid!, 'SIGINT');
    expect(await service.exited).toBe(0);
    expect(service.lines.filter((l) => l.msg === 'stopped')).toHaveLength(1);
    expect(await portIsFree(port)).toBe(true);
  }, 180_000);
});
