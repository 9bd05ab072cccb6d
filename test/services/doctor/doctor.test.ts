import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { ImapFlow } from 'imapflow';
import { MongoClient } from 'mongodb';
import { RunningEngine, startEngine } from '@cjpf/embedded-mongo';
import { MongoOrderStore } from '../../../services/orders/order-store';
import { MailStack, startMailStack } from '../../support/mail-stack';
import { OAuthStandIn, startOAuthStandIn } from '../../support/oauth-server';

const ROOT = resolve(__dirname, '../../..');
const DOCTOR = join(ROOT, 'dist/services/doctor/cli.js');
const DESK = { user: 'mesa@cjf.example.mx', password: 'buzon-de-la-mesa' };
const OTHER = { user: 'revision@cjf.example.mx', password: 'otra-cuenta' };
const BOT = {
  tenant: 'tenant-cjpf',
  clientId: '00000000-0000-4000-8000-0000000000b0',
  clientSecret: 'secreto-del-bot-0123456789',
};
const STRONG = 'Zq8#mN2$vL5pR9wX1tY7uK4jH6gF3dS0aQ';

interface Run {
  code: number;
  lines: Map<string, string>;
  text: string;
  ms: number;
}

/** Runs the built doctor with exactly `env`; its lines by check name. */
async function doctor(env: Record<string, string>, args: string[] = []): Promise<Run> {
  const started = Date.now();
  const result = await promisify(execFile)(process.execPath, [DOCTOR, ...args], {
    cwd: tmpdir(),
    env: { PATH: process.env.PATH!, ...env },
    timeout: 30_000,
  }).then(
    (r) => ({ code: 0, stdout: r.stdout }),
    (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
  );
  const lines = new Map<string, string>();
  for (const line of result.stdout.split('\n')) {
    const m = /^(?:OK {3}|AVISO|FALLA| {2}- {2}) ([a-z-]+):/.exec(line);
    if (m) lines.set(m[1]!, line);
  }
  return { code: result.code, lines, text: result.stdout, ms: Date.now() - started };
}

describe('npm run doctor', () => {
  let dir: string;
  let stack: MailStack;
  let idp: OAuthStandIn;
  let replicaSet: RunningEngine;
  let standalone: RunningEngine;
  let base: Record<string, string>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cjpf-doctor-'));
    if (!existsSync(DOCTOR)) await promisify(execFile)('npm', ['run', '-s', 'build'], { cwd: ROOT });
    [stack, idp, replicaSet, standalone] = await Promise.all([
      startMailStack({ users: [DESK, OTHER] }),
      startOAuthStandIn({
        tenant: BOT.tenant,
        clientId: BOT.clientId,
        clientSecret: BOT.clientSecret,
        username: DESK.user,
        lifetimeSeconds: 3600,
      }),
      startEngine({ port: 0, dbPath: join(dir, 'rs') }),
      startEngine({ port: 0, dbPath: join(dir, 'standalone'), replicaSetName: null }),
    ]);
    await writeFile(join(dir, 'ca.pem'), idp.ca);
    // The database as the service leaves it after its first start: its indexes exist.
    const client = await MongoClient.connect(replicaSet.uri);
    await new MongoOrderStore(client.db('mesa')).ensureIndexes();
    await client.db('mesa').createCollection('notifications');
    await client.close();
    const example = JSON.parse(await readFile(join(ROOT, 'services/directory/example-directory.json'), 'utf8')) as {
      people: Array<{ roles: string[] }>;
    };
    await writeFile(join(dir, 'directory.json'), JSON.stringify(example));
    await writeFile(
      join(dir, 'no-judge.json'),
      JSON.stringify({ ...example, people: example.people.filter((p) => !p.roles.includes('judge')) }),
    );
    const authority = idp.authority.slice(0, idp.authority.lastIndexOf('/'));
    base = {
      NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem'),
      MONGODB_URI: replicaSet.uri.replace(/\/(\?|$)/, '/mesa$1'),
      IMAP_HOST: '127.0.0.1',
      IMAP_PORT: String(stack.imap.port),
      IMAP_SECURE: 'false',
      IMAP_USER: DESK.user,
      IMAP_PASSWORD: DESK.password,
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(stack.smtp.port),
      SMTP_USER: DESK.user,
      SMTP_PASSWORD: DESK.password,
      MAIL_FROM: DESK.user,
      MicrosoftAppId: BOT.clientId,
      MicrosoftAppPassword: BOT.clientSecret,
      MicrosoftAppTenantId: BOT.tenant,
      MicrosoftAppType: 'SingleTenant',
      PUBLIC_BASE_URL: 'http://127.0.0.1:9',
      API_TOKEN: STRONG,
      CEDULA_SECRET: `${STRONG}-cedula`,
      DIRECTORY_FILE: join(dir, 'directory.json'),
      BOT_AUTHORITY_FOR_TEST: authority,
    };
  }, 120_000);
  afterAll(async () => {
    await Promise.all([stack?.stop(), idp?.stop(), replicaSet?.close(), standalone?.close()]);
    await rm(dir, { recursive: true, force: true });
  });

  it('passes every check of a sound configuration, and sends the test message', async () => {
    const run = await doctor(base, ['--mail-to', OTHER.user, '--bot-authority', base.BOT_AUTHORITY_FOR_TEST!]);
    for (const name of ['database', 'imap', 'smtp', 'bot', 'secrets', 'directory'])
      expect(run.lines.get(name)).toMatch(/^OK /);
    expect(run.lines.get('database')).toMatch(/replica set rs0.*índices en su lugar/);
    expect(run.lines.get('smtp')).toContain(`mensaje de prueba enviado a ${OTHER.user}`);
    // Plain http is refused for the public address (Teams needs https): the one failure here.
    expect(run.lines.get('public-url')).toMatch(/^FALLA public-url: PUBLIC_BASE_URL no es https/);
    expect(run.code).toBe(1);
    const imap = new ImapFlow({
      ...stack.imap,
      secure: false,
      doSTARTTLS: false,
      logger: false,
      auth: { user: OTHER.user, pass: OTHER.password },
    });
    await imap.connect();
    try {
      const count = async () => {
        const s = await imap.status('INBOX', { messages: true });
        return s ? (s.messages ?? 0) : 0;
      };
      for (let i = 0; i < 100 && (await count()) === 0; i++) await new Promise((r) => setTimeout(r, 100));
      expect(await count()).toBe(1);
    } finally {
      await imap.logout();
    }
  }, 60_000);

  it('reports every failure, one clear line each, within 20 s', async () => {
    const run = await doctor(
      {
        ...base,
        MONGODB_URI: standalone.uri,
        IMAP_PASSWORD: 'contraseña-equivocada',
        SMTP_PORT: '1',
        MicrosoftAppPassword: 'secreto-equivocado-0123456789',
        PUBLIC_BASE_URL: 'https://127.0.0.1:1',
        API_TOKEN: 'aaaaaaaaaaaaaaaaaaaaaaaa',
        CEDULA_SECRET: 'b'.repeat(40),
        DIRECTORY_FILE: join(dir, 'no-judge.json'),
      },
      ['--bot-authority', base.BOT_AUTHORITY_FOR_TEST!],
    );
    expect(run.ms).toBeLessThan(20_000);
    expect(run.code).toBe(1);
    expect(run.lines.get('database')).toMatch(
      /^FALLA database: el servidor es un mongod independiente.*Solución: inicie mongod con --replSet/,
    );
    expect(run.lines.get('imap')).toMatch(
      /^FALLA imap: el servidor rechazó el acceso de mesa@cjf\.example\.mx.*revise IMAP_USER e IMAP_PASSWORD/,
    );
    expect(run.lines.get('smtp')).toMatch(/^FALLA smtp: no se pudo conectar a 127\.0\.0\.1:1/);
    expect(run.lines.get('bot')).toMatch(/^FALLA bot: no se obtuvo un token/);
    expect(run.lines.get('public-url')).toMatch(/^FALLA public-url: https:\/\/127\.0\.0\.1:1 no es alcanzable/);
    expect(run.lines.get('secrets')).toMatch(/^FALLA secrets: API_TOKEN débil.*CEDULA_SECRET débil/);
    expect(run.lines.get('directory')).toMatch(/^FALLA directory: .*sin juez/);
    expect(
      run.text.split('\n').filter((l) => / (database|imap|smtp|bot|public-url|secrets|directory):/.test(l)),
    ).toHaveLength(7);
  }, 60_000);

  it('names the folder missing from the mailbox, and an unreachable database', async () => {
    // The stack creates the desk's folders in every mailbox, so the missing one is the mailbox to read.
    const run = await doctor(
      {
        ...base,
        IMAP_MAILBOX: 'Mesa/Entrada',
        MONGODB_URI: 'mongodb://127.0.0.1:1/mesa?serverSelectionTimeoutMS=2000',
      },
      ['--bot-authority', base.BOT_AUTHORITY_FOR_TEST!],
    );
    expect(run.lines.get('imap')).toMatch(
      /^FALLA imap: faltan carpetas en el buzón de mesa@cjf\.example\.mx: Mesa\/Entrada .*cree las carpetas Mesa\/Entrada/,
    );
    expect(run.lines.get('database')).toMatch(/^FALLA database: no se pudo conectar/);
    expect(run.ms).toBeLessThan(20_000);
  }, 60_000);
});
