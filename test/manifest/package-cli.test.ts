import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const ROOT = resolve(__dirname, '../..');
const run = promisify(execFile);

describe('npm run manifest (dist/manifest/package.js)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cjpf-manifest-'));
    if (!existsSync(join(ROOT, 'dist/manifest/package.js'))) await run('npm', ['run', '-s', 'build'], { cwd: ROOT });
  }, 180_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('packages with only the app id set: no password, no other setting', async () => {
    const out = join(dir, 'app.zip');
    const { stdout } = await run(process.execPath, [join(ROOT, 'dist/manifest/package.js'), out], {
      cwd: dir,
      env: { PATH: process.env.PATH, MicrosoftAppId: '00000000-0000-4000-8000-00000000abcd' },
    });
    expect(stdout.trim()).toBe(out);
    expect(existsSync(out)).toBe(true);
  });

  it('says in Spanish what is missing when the app id is not set', async () => {
    await expect(
      run(process.execPath, [join(ROOT, 'dist/manifest/package.js'), join(dir, 'x.zip')], {
        cwd: dir,
        env: { PATH: process.env.PATH },
      }),
    ).rejects.toMatchObject({ stderr: expect.stringContaining('Defina MicrosoftAppId') });
  });
});
