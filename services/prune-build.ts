/**
 * Removes compiled files whose TypeScript source no longer exists. tsc only ever adds and
 * overwrites, so a module moved into a folder of the same name (`bot/commands.ts` →
 * `bot/commands/index.ts`) would leave `dist/bot/commands.js` behind, and Node resolves
 * `./commands` to that stale file before the folder. Run after every build (`npm run build`).
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';

const COMPILED = /\.(js|js\.map|d\.ts|d\.ts\.map)$/;

/** Deletes, under `outDir`, each compiled file with no `.ts` source at the same place under `rootDir`; returns them. */
export function pruneBuild(outDir: string, rootDir: string): string[] {
  const removed: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(path);
        continue;
      }
      if (!COMPILED.test(entry.name)) continue;
      const source = join(rootDir, relative(outDir, path)).replace(COMPILED, '.ts');
      if (!existsSync(source)) {
        rmSync(path);
        removed.push(path);
      }
    }
  };
  if (existsSync(outDir)) walk(outDir);
  return removed;
}

if (require.main === module) {
  const [outDir = 'dist', rootDir = '.'] = process.argv.slice(2);
  pruneBuild(outDir, rootDir);
}
