import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../services/config';
import { RunningService, startService } from '../../../services/index';
import { quietLogger } from '../../services/outbox/fixtures';
import { aadOf, botDirectoryJson } from '../support/world';
import { Playground, PlaygroundUser } from './playground';

export const TENANT = '5e5e5e5e-0000-4000-8000-000000000001';

/** An emulator user standing for a directory person (same AAD object id and email). */
export function userFor(personId: string, name: string, email: string): PlaygroundUser {
  return { id: `user-${personId}`, name, aadObjectId: aadOf(personId), email };
}

export const PEOPLE = {
  requester: userFor('fernando.ruiz', 'Fernando Ruiz', 'fernando.ruiz@cjf.example.mx'),
  analyst: userFor('ana.lopez', 'Ana López', 'ana.lopez@cjf.example.mx'),
  engineer: userFor('miguel.torres', 'Miguel Torres', 'miguel.torres@cjf.example.mx'),
  judge: userFor('patricia.garcia', 'Patricia García', 'patricia.garcia@cjf.example.mx'),
  other1: userFor('maria.hernandez', 'María Hernández', 'maria.hernandez@cjf.example.mx'),
  other2: userFor('jose.chan', 'José Chan', 'jose.chan@cjf.example.mx'),
  other3: userFor('daniel.ortiz', 'Daniel Ortiz', 'daniel.ortiz@cjf.example.mx'),
  /** An analyst whose directory entry has no AAD object id: found through Teams by email. */
  byEmail: {
    id: 'user-carlos.ramirez',
    name: 'Carlos Ramírez',
    aadObjectId: 'b0b0b0b0-0000-4000-8000-0000000000c1',
    email: 'carlos.ramirez@cjf.example.mx',
  },
};

/** The service (in this process, on a free loopback port, with a temporary data dir) and one emulator per person. */
export interface E2eWorld {
  dir: string;
  service: RunningService;
  botUrl: string;
  playgrounds: Playground[];
  open(person: PlaygroundUser): Promise<Playground>;
  close(): Promise<void>;
}

export async function openE2eWorld(): Promise<E2eWorld> {
  const dir = mkdtempSync(join(tmpdir(), 'bot-e2e-'));
  const directoryFile = join(dir, 'directory.json');
  const json = botDirectoryJson() as { people: Array<Record<string, unknown>> };
  for (const p of json.people) if (p.id === 'carlos.ramirez') delete p.aadObjectId;
  writeFileSync(directoryFile, JSON.stringify(json));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: join(dir, 'data'),
    DIRECTORY_FILE: directoryFile,
    LOG_LEVEL: 'silent',
  });
  const service = await startService(config, quietLogger());
  const botUrl = `http://127.0.0.1:${service.port}/api/messages`;
  const playgrounds: Playground[] = [];
  const everyone = Object.values(PEOPLE);
  return {
    dir,
    service,
    botUrl,
    playgrounds,
    async open(person) {
      const others = everyone.filter((p) => p.id !== person.id).slice(0, 5);
      const pg = new Playground(person, others, `a:chat-${person.id}`, join(dir, person.id), TENANT);
      playgrounds.push(pg);
      await pg.start(botUrl);
      return pg;
    },
    async close() {
      for (const pg of playgrounds) await pg.stop();
      await service.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
