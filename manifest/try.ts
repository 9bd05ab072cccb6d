/**
 * `npm run try -- <role|person-id>`: talk to the running service (npm start, port PORT) in
 * Microsoft's Teams emulator (M365 Agents Playground) as a person of the directory, e.g.
 * `npm run try -- analista`. Writes the emulator's config for that person (the emulator
 * wants exactly five other users) under `devTools/try/<person>/` and starts it; the emulator
 * opens its page in the browser. Ctrl-C stops it. The service must run without
 * MicrosoftAppId: the emulator sends no token.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig, readEnvFile } from '../services/config';

export interface TryPerson {
  id: string;
  name: string;
  email: string;
  roles: string[];
  aadObjectId?: string;
}

/** Spanish and English role words accepted on the command line. */
const ROLE_WORDS: Record<string, string> = {
  solicitante: 'requester',
  requester: 'requester',
  analista: 'analyst',
  analyst: 'analyst',
  ingeniero: 'engineer',
  engineer: 'engineer',
  juez: 'judge',
  judge: 'judge',
  admin: 'admin',
  administrador: 'admin',
};

/** The person a word names: a directory id, or the first person holding that role. */
export function pickPerson(people: readonly TryPerson[], word: string): TryPerson {
  const byId = people.find((p) => p.id === word);
  if (byId) return byId;
  const role = ROLE_WORDS[word.toLowerCase()];
  // Someone whose main role it is first (a judge who also reports is not "the requester").
  const found = role
    ? (people.find((p) => p.roles[0] === role) ?? people.find((p) => p.roles.includes(role)))
    : undefined;
  if (!found)
    throw new Error(
      `«${word}» no es un rol (${Object.keys(ROLE_WORDS).join(', ')}) ni una persona del directorio (${people.map((p) => p.id).join(', ')})`,
    );
  return found;
}

/** A stable GUID for people the directory gives none: the bot then finds them by email. */
function guidFor(id: string): string {
  const h = createHash('sha256').update(id).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function yamlUser(p: TryPerson, indent: string): string {
  const [given = p.name, ...rest] = p.name.split(' ');
  return [
    `id: ${p.id}`,
    `name: "${p.name}"`,
    `userPrincipleName: ${p.email}`,
    `aadObjectId: ${p.aadObjectId ?? guidFor(p.id)}`,
    `givenName: "${given}"`,
    `surname: "${rest.join(' ') || given}"`,
    `email: ${p.email}`,
  ]
    .map((line, i) => (i === 0 ? line : indent + line))
    .join('\n');
}

/** The emulator's config with `me` as the current user and exactly five other directory people. */
export function emulatorConfig(me: TryPerson, people: readonly TryPerson[]): string {
  const others = people.filter((p) => p.id !== me.id).slice(0, 5);
  if (others.length !== 5)
    throw new Error('the directory needs at least six people for the emulator (it wants exactly five others)');
  const chat = `a:personal-${me.id}`;
  return [
    'version: "0.1.1"',
    'tenantId: 00000000-0000-4000-8000-00000000c0f0',
    'bot:',
    '  id: 28:mesa-de-servicio-local',
    '  name: Mesa de Servicio CJPF',
    'currentUser:',
    `  ${yamlUser(me, '  ')}`,
    'users:',
    ...others.map((u) => `  - ${yamlUser(u, '    ')}`),
    'personalChat:',
    `  id: "${chat}"`,
    'groupChat:',
    `  id: "group-${me.id}"`,
    '  name: Grupo',
    'team:',
    `  id: "team-${me.id}"`,
    '  name: Equipo',
    '  aadGroupId: 0a0a0a0a-0000-4000-8000-000000000031',
    '  channels:',
    `    - id: "channel-${me.id}"`,
    '      name: Avisos',
    '',
  ].join('\n');
}

function main(): void {
  const word = process.argv[2];
  const config = loadConfig(readEnvFile().env);
  const file = config.directoryFile ?? config.exampleDirectoryFile;
  const people = (JSON.parse(readFileSync(file, 'utf8')) as { people: TryPerson[] }).people;
  if (!word) {
    process.stderr.write(
      `Uso: npm run try -- <rol o persona>\n  roles: solicitante, analista, ingeniero, juez\n  personas: ${people.map((p) => `${p.id} (${p.roles.join(', ')})`).join(', ')}\n`,
    );
    process.exit(2);
  }
  const me = pickPerson(people, word);
  const root = resolve(__dirname, '..', '..');
  const dir = join(root, 'devTools', 'try', me.id);
  mkdirSync(dir, { recursive: true });
  const configPath = join(dir, '.m365agentsplayground.yml');
  writeFileSync(configPath, emulatorConfig(me, people));
  const port = Number(process.env.TRY_PORT ?? 56150);
  const bot = `http://127.0.0.1:${config.port || 3978}/api/messages`;
  process.stdout.write(
    `Emulador de Teams como ${me.name} <${me.email}> (${me.roles.join(', ')}) → ${bot}\nhttp://localhost:${port}  (config: ${configPath})\n`,
  );
  const child = spawn(
    process.execPath,
    [
      join(root, 'node_modules/@microsoft/m365agentsplayground/cli.js'),
      '--disable-telemetry',
      '-p',
      String(port),
      '-e',
      bot,
      '-c',
      'msteams',
    ],
    {
      cwd: dir,
      stdio: 'inherit',
      env: {
        ...process.env,
        M365_AGENTS_PLAYGROUND_CONFIG_PATH: configPath,
        M365_AGENTS_PLAYGROUND_LOGFILE: join(dir, 'playground.log'),
      },
    },
  );
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  child.on('exit', (code) => process.exit(code ?? 0));
}

if (require.main === module) main();
