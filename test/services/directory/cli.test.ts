import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openTestDatabase, TestDatabase } from '../../support/mongo';
import { parseArgs } from '../../../services/directory/cli';

const run = promisify(execFile);
const ROOT = join(__dirname, '../../..');
const CLI = join(ROOT, 'dist/services/directory/cli.js');
const EXAMPLE = join(ROOT, 'services/directory/example-directory.json');

describe('directory cli arguments', () => {
  it('reads import with an optional people CSV, and show', () => {
    expect(parseArgs(['import', 'd.json'])).toEqual({ command: 'import', file: 'd.json' });
    expect(parseArgs(['import', 'd.json', '--people', 'p.csv'])).toEqual({
      command: 'import',
      file: 'd.json',
      peopleCsv: 'p.csv',
    });
    expect(parseArgs(['show'])).toEqual({ command: 'show' });
    expect(parseArgs(['assets', 'import', 'e.csv'])).toEqual({ command: 'assets-import', file: 'e.csv' });
    expect(parseArgs(['assets', 'show', 'CJF-000001'])).toEqual({
      command: 'assets-show',
      inventoryNumber: 'CJF-000001',
    });
  });

  it.each([
    [[]],
    [['import']],
    [['import', '--people', 'p.csv']],
    [['import', 'd.json', '--gente', 'p.csv']],
    [['borrar']],
  ])('refuses %j with the usage in Spanish', (argv) => {
    expect(() => parseArgs(argv)).toThrow(
      expect.objectContaining({ code: 'VALIDATION', userMessage: expect.stringContaining('Uso: npm run directory') }),
    );
  });
});

/** Runs the built CLI (test/run.sh builds before jest) against the test database. */
describe('directory cli', () => {
  let t: TestDatabase;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    t = await openTestDatabase();
    const uri = new URL(t.uri);
    uri.pathname = `/${t.dbName}`;
    env = {
      PATH: process.env.PATH,
      MONGODB_URI: uri.toString(),
      CEDULA_SECRET: 'directory-cli-cedula-secret-0123456789abcdef',
      LOG_LEVEL: 'silent',
    };
  });
  afterAll(async () => {
    await t.close();
  });
  const cli = (...args: string[]) => run(process.execPath, [CLI, ...args], { env, cwd: ROOT });

  it('imports the example directory, shows it, and refuses a bad file leaving it as it was', async () => {
    expect(existsSync(CLI)).toBe(true); // built by test/run.sh (npm run build)
    const imported = await cli('import', EXAMPLE);
    expect(imported.stdout).toMatch(/Directorio importado: 3 centros, 2 proveedores, 2 contratos, \d+ personas/);
    expect(await t.db.collection('people').countDocuments({ roles: 'analyst' })).toBe(2);

    const bad = join(await mkdtemp(join(tmpdir(), 'cjpf-cli-')), 'malo.json');
    await writeFile(
      bad,
      JSON.stringify({
        centres: [],
        people: [{ id: 'x', name: 'X', email: 'x@cjf.example.mx', roles: ['judge'], centreIds: ['CJPF-XXX'] }],
      }),
    );
    const refused = await cli('import', bad).then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    expect(refused).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('people[0].centreIds[0]: centro "CJPF-XXX" no existe'),
    });

    const shown = await cli('show');
    expect(shown.stdout).toContain('CJPF-QROO-CUN');
    expect(shown.stdout).toContain('ana.lopez');
  });

  // Runs after the test above, on the directory it imported. Three CLI processes: more time than one.
  it('imports the example equipment register, shows an asset, and refuses a bad register naming the row and field', async () => {
    const imported = await cli('assets', 'import', join(ROOT, 'services/assets/example-assets.csv'));
    expect(imported.stdout).toContain('Inventario importado: 3 equipos.');
    const shown = await cli('assets', 'show', 'cjf-020001');
    expect(shown.stdout).toContain('Sala de audiencias 3');

    const bad = join(await mkdtemp(join(tmpdir(), 'cjpf-cli-')), 'equipos.csv');
    await writeFile(bad, 'inventoryNumber,type,brandModel,centreId,location\nCJF-000001,tostador,X,CJPF-CDMX,Sala 1\n');
    const refused = await cli('assets', 'import', bad).then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    expect(refused).toMatchObject({ code: 1, stderr: expect.stringContaining('equipos.csv línea 2.type') });
  }, 90_000);
});
