import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

/** The variables config.ts parses: the keys of its zod schema. */
function settings(): string[] {
  const source = read('services/config.ts');
  const schema = source.slice(source.indexOf('const schema = z.object({'), source.indexOf('\n});', source.indexOf('const schema = z.object({')));
  return [...schema.matchAll(/^ {2}([A-Za-z_]+):/gm)].map((m) => m[1]!);
}

describe('the documentation of the settings', () => {
  it('lists every variable config.ts reads in .env.example, as an assignment', () => {
    const example = read('.env.example');
    const missing = settings().filter((name) => !new RegExp(`^#? ?${name}=`, 'm').test(example));
    expect(missing).toEqual([]);
  });

  it('lists every variable config.ts reads in the README configuration table', () => {
    const readme = read('README.md');
    const missing = settings().filter((name) => !readme.includes(`\`${name}\``));
    expect(missing).toEqual([]);
    expect(readme).toContain('`ENV_FILE`');
  });
});
