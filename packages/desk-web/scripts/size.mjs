// Prints the gzipped size of the page's JavaScript and fails the build past the budget.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET = 300 * 1024;
const dir = join(import.meta.dirname, '..', 'dist', 'assets');
const files = readdirSync(dir).filter((f) => f.endsWith('.js'));
const gzipped = files.reduce((sum, f) => sum + gzipSync(readFileSync(join(dir, f)), { level: 9 }).length, 0);
console.log(
  `desk-web: ${files.length} JavaScript file(s), ${(gzipped / 1024).toFixed(1)} KB gzipped (budget ${BUDGET / 1024} KB)`,
);
if (gzipped > BUDGET) {
  console.error('desk-web: JavaScript over budget');
  process.exit(1);
}
