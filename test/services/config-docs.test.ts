import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SETTING_NAMES } from '../../services/config';

const ROOT = join(__dirname, '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/** The README section under `## <title>`, up to the next `## ` heading. */
function section(markdown: string, title: string): string {
  const start = markdown.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`README has no "## ${title}" section`);
  const end = markdown.indexOf('\n## ', start + 1);
  return markdown.slice(start, end < 0 ? undefined : end);
}

/** Names documented in the first cell of the section's table rows (`` `A`, `B` `` counts both). */
function documentedNames(configuration: string): Set<string> {
  const names = new Set<string>();
  for (const line of configuration.split('\n')) {
    const firstCell = /^\|([^|]*)\|/.exec(line)?.[1] ?? '';
    for (const m of firstCell.matchAll(/`([A-Za-z_][A-Za-z0-9_]*)`/g)) names.add(m[1]!);
  }
  return names;
}

/** Every name config.ts reads: the schema's keys and any `env.NAME` / `env['NAME']` in its source. */
function namesConfigReads(): string[] {
  const source = read('services/config.ts');
  const fromSource = [
    ...source.matchAll(/\benv(?:\.([A-Za-z_][A-Za-z0-9_]*)|\[['"]([A-Za-z_][A-Za-z0-9_]*)['"]\])/g),
  ].map((m) => m[1] ?? m[2]!);
  return [...new Set([...SETTING_NAMES, ...fromSource])].sort();
}

describe('the README configuration table', () => {
  const readme = read('README.md');

  it('documents every setting the configuration reads', () => {
    const documented = documentedNames(section(readme, 'Configuration'));
    expect(namesConfigReads().length).toBeGreaterThan(30);
    expect(namesConfigReads().filter((name) => !documented.has(name))).toEqual([]);
  });

  it('documents nothing the configuration does not read', () => {
    const reads = new Set(namesConfigReads());
    expect([...documentedNames(section(readme, 'Configuration'))].filter((name) => !reads.has(name))).toEqual([]);
  });

  it('documents every command-line flag of the service', () => {
    const flags = [...read('services/index.ts').matchAll(/argv\.includes\('(--[a-z-]+)'\)/g)].map((m) => m[1]!);
    expect(flags.length).toBeGreaterThan(0);
    expect(flags.filter((flag) => !section(readme, 'Configuration').includes(flag))).toEqual([]);
  });

  it('lists every setting in .env.example', () => {
    const example = read('.env.example');
    expect(namesConfigReads().filter((name) => !new RegExp(`^${name}=`, 'm').test(example))).toEqual([]);
  });
});
