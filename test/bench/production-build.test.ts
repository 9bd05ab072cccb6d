import { execFile } from 'node:child_process';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(__dirname, '..', '..');
const run = promisify(execFile);

/** The project's own sources a tsc project compiles (node_modules and lib files left out). */
async function sourcesOf(project: string): Promise<string[]> {
  const { stdout } = await run(
    process.execPath,
    [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project, '--listFilesOnly'],
    { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 },
  );
  return stdout
    .split('\n')
    .filter((f) => f && !f.includes('/node_modules/'))
    .map((f) => relative(ROOT, f));
}

describe('the production build (tsconfig.build.json, what npm start runs)', () => {
  it('compiles the service without the benchmarks or the test support', async () => {
    const files = await sourcesOf('tsconfig.build.json');
    expect(files).toContain('services/index.ts');
    expect(files.filter((f) => f.startsWith('bench/') || f.startsWith('test/'))).toEqual([]);
  }, 120_000);

  it('leaves the benchmarks to their own project, which builds into dist-bench', async () => {
    const files = await sourcesOf('tsconfig.bench.json');
    expect(files).toEqual(expect.arrayContaining(['bench/bot.ts', 'bench/support/load-generator.ts']));
  }, 120_000);
});
