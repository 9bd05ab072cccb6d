import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTestDatabase, TestDatabase } from '../../support/mongo';
import { MongoDirectoryStore } from '../../../services/directory/directory-store';
import { importDirectory, loadDirectoryFiles } from '../../../services/directory/load-directory';
import type { Directory } from '../../../services/directory/schema';

const EXAMPLE = join(__dirname, '../../../services/directory/example-directory.json');

let t: TestDatabase;
let store: MongoDirectoryStore;
let dir: string;
beforeAll(async () => {
  t = await openTestDatabase();
  store = new MongoDirectoryStore(t.client, t.db);
  await store.ensureIndexes();
  dir = await mkdtemp(join(tmpdir(), 'cjpf-directory-'));
});
afterAll(async () => {
  await t.close();
});
beforeEach(async () => {
  await importDirectory({ directory: store }, { file: EXAMPLE });
});

async function writeJson(name: string, change: (f: any) => void): Promise<string> {
  const file = JSON.parse(await readFile(EXAMPLE, 'utf8'));
  change(file);
  const path = join(dir, name);
  await writeFile(path, JSON.stringify(file));
  return path;
}

describe('MongoDirectoryStore', () => {
  it('finds people by id, by email in any case and by Teams object id', async () => {
    expect((await store.personById('ana.lopez'))?.name).toBe('Ana Laura López Hernández');
    expect((await store.personByEmail('  ANA.Lopez@cjf.EXAMPLE.mx'))?.id).toBe('ana.lopez');
    expect((await store.personByAadObjectId('3F2B8C1E-5D7A-4E9B-9C1A-0A1B2C3D4E02'))?.id).toBe('fernando.ruiz');
    expect(await store.personById('nadie')).toBeNull();
  });

  it('lists analysts, and judges and engineers of one centre only', async () => {
    expect((await store.analysts()).map((p) => p.id)).toEqual(['ana.lopez', 'carlos.ramirez']);
    expect((await store.judgesOfCentre('CJPF-BC-TIJ')).map((p) => p.id)).toEqual(['ricardo.navarro']);
    expect((await store.engineersOfCentre('CJPF-BC-TIJ')).map((p) => p.id)).toEqual(['jorge.valdez', 'rosa.mendoza']);
    expect((await store.providerContacts('PROV-AUDIOVIS')).map((p) => p.id)).toEqual(['elena.vargas']);
  });

  it('finds contracts by id and by centre and equipment', async () => {
    expect((await store.contractById('CT-2026-002'))?.hours).toBe('calendar');
    expect((await store.contractsFor('CJPF-QROO-CUN', 'audio_video')).map((c) => c.id)).toEqual(['CT-2026-002']);
    expect(await store.contractsFor('CJPF-QROO-CUN', 'computer')).toEqual([]);
  });

  it('treats operator objects in lookups as invalid, not as queries', async () => {
    await expect(store.personById({ $ne: null } as never)).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(store.personByEmail({ $gt: '' } as never)).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(store.judgesOfCentre({ $exists: true } as never)).rejects.toMatchObject({ code: 'VALIDATION' });
  });

  it('replaces the whole directory on a new import, dropping people no longer listed', async () => {
    const path = await writeJson('smaller.json', (f) => {
      f.people = f.people.filter((p: any) => p.id !== 'carlos.ramirez');
    });
    await importDirectory({ directory: store }, { file: path });
    expect(await store.personById('carlos.ramirez')).toBeNull();
    expect((await store.analysts()).map((p) => p.id)).toEqual(['ana.lopez']);
  });

  it('refuses a file with any error and leaves the stored directory unchanged', async () => {
    const before = await store.snapshot();
    const path = await writeJson('bad.json', (f) => {
      f.people = f.people.filter((p: any) => p.id !== 'carlos.ramirez');
      f.people[3].centreIds[0] = 'CJPF-XXX';
    });
    await expect(importDirectory({ directory: store }, { file: path })).rejects.toMatchObject({
      code: 'VALIDATION',
      details: { errors: ['people[3].centreIds[0]: centro "CJPF-XXX" no existe'] },
    });
    expect(await store.snapshot()).toEqual(before);
  });

  it('rolls the whole replacement back when storage refuses part of it', async () => {
    const before = await store.snapshot();
    const good = await loadDirectoryFiles(EXAMPLE);
    const clash: Directory = {
      ...good,
      centres: good.centres.slice(0, 1),
      people: [...good.people, { ...good.people[0]!, id: 'otra.ana' }],
    };
    await expect(store.replaceAll(clash)).rejects.toThrow();
    expect(await store.snapshot()).toEqual(before);
  });

  it('imports people from a CSV alongside the JSON file', async () => {
    const csv = join(dir, 'personas.csv');
    await writeFile(
      csv,
      '\ufeffid,name,email,roles,centreIds\nluis.pech,Luis Pech Can,luis.pech@cjf.example.mx,requester;judge,CJPF-QROO-CUN\n',
    );
    await importDirectory({ directory: store }, { file: EXAMPLE, peopleCsv: csv });
    expect((await store.judgesOfCentre('CJPF-QROO-CUN')).map((p) => p.id)).toEqual(['lucia.canul', 'luis.pech']);
  });

  it('refuses a JSON file that does not parse, naming the file', async () => {
    const path = join(dir, 'roto.json');
    await writeFile(path, '{ "centres": [ ');
    await expect(importDirectory({ directory: store }, { file: path })).rejects.toMatchObject({
      code: 'VALIDATION',
      details: { errors: [expect.stringMatching(/^roto\.json: JSON inválido/)] },
    });
  });
});
