import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoAssetStore } from '../../../services/assets/asset-store';
import { importAssets } from '../../../services/assets/load-assets';
import { inventoryNumbersIn } from '../../../services/assets/recognise';
import { openWorld, World } from '../orders/world';

const EXAMPLE_JSON = join(__dirname, '../../../services/assets/example-assets.json');
const EXAMPLE_CSV = join(__dirname, '../../../services/assets/example-assets.csv');
const HEADER = 'inventoryNumber,type,brandModel,serial,centreId,location,contractId,warrantyEnd';
const ROW = 'CJF-000001,computer,Dell OptiPlex,SN1,CJPF-CDMX,Sala de audiencias 1,CT-2026-001,2027-01-31';

let w: World;
let assets: MongoAssetStore;
let dir: string;
beforeAll(async () => {
  w = await openWorld();
  assets = new MongoAssetStore(w.t.db);
  await assets.ensureIndexes();
  dir = await mkdtemp(join(tmpdir(), 'assets-'));
});
afterAll(async () => {
  await w.t.close();
  await rm(dir, { recursive: true, force: true });
});

const deps = () => ({ assets, directory: w.directory });
async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

describe('equipment register import', () => {
  it('imports the example register (JSON) and finds an asset by inventory number, in any case', async () => {
    const imported = await importAssets(deps(), { file: EXAMPLE_JSON });
    expect(imported.length).toBeGreaterThan(5);
    expect(await assets.byInventoryNumber('cjf-020001')).toMatchObject({
      type: 'audio_video',
      centreId: 'CJPF-CDMX',
      location: 'Sala de audiencias 3',
      contractId: 'CT-2026-002',
    });
    expect(await assets.byInventoryNumber('CJF-999999')).toBeNull();
    expect((await assets.inCentre('CJPF-CDMX', 'Sala de audiencias 3')).map((a) => a.inventoryNumber)).toEqual([
      'CJF-020001',
      'CJF-030001',
    ]);
  });

  it('imports a CSV register, replacing the stored one whole', async () => {
    await importAssets(deps(), { file: EXAMPLE_CSV });
    expect(await assets.count()).toBe(3);
    expect(await assets.byInventoryNumber('CJF-012346')).toBeNull();
    expect(await assets.byInventoryNumber('CJF-030001')).not.toHaveProperty('warrantyEnd');
  });

  it.each([
    ['a bad type', `${HEADER}\n${ROW}\nCJF-000002,tostador,X,,CJPF-CDMX,Sala 1,,`, 'línea 3.type'],
    ['a missing location', `${HEADER}\n${ROW}\nCJF-000002,computer,X,,CJPF-CDMX,,,`, 'línea 3.location'],
    [
      'an unknown centre',
      `${HEADER}\n${ROW}\nCJF-000002,computer,X,,CJPF-NOPE,Sala 1,,`,
      'línea 3.centreId: centro "CJPF-NOPE" no existe',
    ],
    [
      'a contract that does not cover the type',
      `${HEADER}\n${ROW}\nCJF-000002,audio_video,X,,CJPF-CDMX,Sala 1,CT-2026-001,`,
      'línea 3.contractId',
    ],
    [
      'a repeated inventory number',
      `${HEADER}\n${ROW}\ncjf-000001,computer,X,,CJPF-CDMX,Sala 1,,`,
      'línea 3.inventoryNumber: "CJF-000001" repetido (ya usado en equipos.csv línea 2)',
    ],
    [
      'a bad warranty date',
      `${HEADER}\n${ROW}\nCJF-000002,computer,X,,CJPF-CDMX,Sala 1,,31/12/2027`,
      'línea 3.warrantyEnd',
    ],
    ['an unknown column', `${HEADER},color\n${ROW},rojo`, 'columna desconocida "color"'],
  ])(
    'refuses a CSV with %s whole, naming the row and field, and keeps the stored register',
    async (_label, text, named) => {
      const before = await assets.count();
      const attempt = importAssets(deps(), { file: await file('equipos.csv', text) });
      await expect(attempt).rejects.toMatchObject({ code: 'VALIDATION', userMessage: expect.stringContaining(named) });
      await expect(attempt).rejects.toHaveProperty('userMessage', expect.stringContaining('no se importó nada'));
      expect(await assets.count()).toBe(before);
      expect(await assets.byInventoryNumber('CJF-000001')).toBeNull();
    },
  );

  it('refuses a JSON register naming the index and field', async () => {
    const text = JSON.stringify({
      assets: [
        { inventoryNumber: 'CJF-000001', type: 'computer', brandModel: 'X', centreId: 'CJPF-CDMX', location: 'Sala 1' },
        { inventoryNumber: 'CJF-000002', type: 'computer', centreId: 'CJPF-CDMX', location: 'Sala 1', colour: 'rojo' },
      ],
    });
    const attempt = importAssets(deps(), { file: await file('equipos.json', text) });
    await expect(attempt).rejects.toHaveProperty('userMessage', expect.stringContaining('assets[1].brandModel'));
    await expect(attempt).rejects.toHaveProperty(
      'details.errors',
      expect.arrayContaining([expect.stringContaining('assets[1]')]),
    );
  });

  it('refuses a file that is not JSON, naming it', async () => {
    await expect(importAssets(deps(), { file: await file('roto.json', '{ assets: ') })).rejects.toHaveProperty(
      'userMessage',
      expect.stringContaining('roto.json: JSON inválido'),
    );
  });
});

describe('inventory numbers in free text', () => {
  it("finds the example register's numbers, upper-cased, each once, in order", () => {
    expect(inventoryNumbersIn('La CPU cjf-012345 y la impresora CJF-030001 (otra vez CJF-012345) fallan')).toEqual([
      'CJF-012345',
      'CJF-030001',
    ]);
    expect(inventoryNumbersIn('sin número de inventario; folio OS-2026-000123')).toEqual([]);
  });

  it('follows a configured pattern', () => {
    expect(inventoryNumbersIn('equipo INV/2024/0042 dañado', /INV\/\d{4}\/\d{4}/)).toEqual(['INV/2024/0042']);
  });
});
