import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { emulatorConfig, pickPerson, TryPerson } from '../../manifest/try';
import { freePort } from '../bot/e2e/playground';

const ROOT = resolve(__dirname, '../..');
const people = (
  JSON.parse(readFileSync(join(ROOT, 'services/directory/example-directory.json'), 'utf8')) as { people: TryPerson[] }
).people;

describe('npm run try (the Teams emulator as a person of the directory)', () => {
  it.each([
    ['solicitante', 'requester'],
    ['analista', 'analyst'],
    ['ingeniero', 'engineer'],
    ['juez', 'judge'],
  ])('makes %s a directory person with that role, among exactly five others', (word, role) => {
    const me = pickPerson(people, word);
    expect(me.roles).toContain(role);
    const yaml = emulatorConfig(me, people);
    const current = /currentUser:\n {2}id: (\S+)/.exec(yaml)?.[1];
    expect(current).toBe(me.id);
    expect(yaml).toContain(`email: ${me.email}`);
    const others = [...yaml.matchAll(/^ {2}- id: (\S+)$/gm)].map((m) => m[1]);
    expect(others).toHaveLength(5);
    for (const id of others) expect(people.map((p) => p.id)).toContain(id);
    expect(others).not.toContain(me.id);
  });

  it('picks someone whose main role it is', () => {
    expect(pickPerson(people, 'solicitante').id).toBe('fernando.ruiz');
    expect(pickPerson(people, 'juez').id).toBe('patricia.garcia');
  });

  it('names a person by id too, and explains an unknown word', () => {
    expect(pickPerson(people, 'ricardo.navarro').id).toBe('ricardo.navarro');
    expect(() => pickPerson(people, 'astronauta')).toThrow(/no es un rol/);
  });

  describe('the command', () => {
    let bot: Server;
    let child: ChildProcess | undefined;
    const received: unknown[] = [];
    afterAll(async () => {
      if (child?.pid && child.exitCode === null) child.kill('SIGTERM');
      await new Promise((r) => bot?.close(r));
    });

    it('starts the emulator as the analyst, pointed at the service port', async () => {
      bot = createServer((req, res) => {
        let body = '';
        req.on('data', (c: Buffer) => {
          body += c.toString();
        });
        req.on('end', () => {
          received.push(body);
          res.statusCode = 200;
          res.end();
        });
      });
      await new Promise<void>((r) => bot.listen(0, '127.0.0.1', r));
      const port = await freePort();
      child = spawn(process.execPath, [join(ROOT, 'dist/manifest/try.js'), 'analista'], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          PORT: String((bot.address() as AddressInfo).port),
          TRY_PORT: String(port),
          TEAMSAPPTESTER_BROWSER: 'none',
          NODE_OPTIONS: `-r ${join(ROOT, 'test/bot/e2e/loopback-preload.js')}`,
          DIRECTORY_FILE: '',
        },
      });
      type Answer = { config?: { currentUser?: { id?: string; email?: string }; users?: unknown[] } };
      let answer: Answer | undefined;
      for (let i = 0; i < 450 && !answer; i++) {
        await new Promise((r) => setTimeout(r, 100));
        answer = await fetch(`http://127.0.0.1:${port}/_internal/v1/config`).then(
          (r) => (r.ok ? (r.json() as Promise<Answer>) : undefined),
          () => undefined,
        );
      }
      expect(answer?.config?.users).toHaveLength(5);
      expect(answer?.config?.currentUser).toMatchObject({ id: 'ana.lopez', email: 'ana.lopez@cjf.example.mx' });
    }, 90_000);
  });
});
